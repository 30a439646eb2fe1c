package io.mobl.ops.cluster;

import com.typesafe.config.Config;
import io.mobl.protocol.InvalidInputException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a mobl cluster: an actor system named {@value NodeSettings#SYSTEM} with the cluster provider, Pekko
 * Management's HTTP endpoint ({@code /ready} — this member is Up, Pekko's cluster membership check —,
 * {@code /alive}, {@code /cluster/members}), and either the seed nodes to join or cluster bootstrap. Unreachable
 * members are downed by the split-brain resolver (keep-majority); {@link #close} and SIGTERM leave the cluster
 * through Pekko's coordinated shutdown.
 *
 * <pre>{@code
 * try (ClusterNode node = ClusterNode.start(settings, config.effective(), readiness)) {
 *     node.whenTerminated().toCompletableFuture().join();
 * }
 * }</pre>
 */
public final class ClusterNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
    private static final Duration MANAGEMENT_START = Duration.ofSeconds(30);
    private static final Duration LEAVE = Duration.ofSeconds(30);
    private static final String BOOTSTRAP = "org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap";

    private final ActorSystem<MembershipLog.Command> system;
    private final URI management;

    private ClusterNode(ActorSystem<MembershipLog.Command> system, URI management) {
        this.system = system;
        this.management = management;
    }

    /**
     * Starts the member: its actor system, Pekko Management, and the join (to the seeds, which Pekko does by itself
     * from {@code pekko.cluster.seed-nodes}, or by cluster bootstrap).
     *
     * @param base      the rest of the configuration (mobl's, with a user's {@code pekko} block); the settings'
     *                  {@link NodeSettings#pekkoConfig()} is laid over it
     * @param readiness told {@code true} once this member is Up, {@code false} once it has been removed
     * @throws InvalidInputException when the canonical or the management address cannot be bound, naming the option
     */
    public static ClusterNode start(NodeSettings settings, Config base, Consumer<Boolean> readiness) {
        Config config = settings.pekkoConfig().withFallback(base);
        if (settings.discoveryMethod().isPresent()) config = withBootstrap(config, settings.discoveryMethod().get());
        ActorSystem<MembershipLog.Command> system;
        try {
            system = ActorSystem.create(MembershipLog.create(() -> readiness.accept(true)), NodeSettings.SYSTEM, config);
        } catch (RuntimeException e) {
            if (!isBindFailure(e)) throw e;
            throw unbindable("--port", settings.host() + ":" + settings.port(), e);
        }
        // Run when this member is removed or, if the system stops before the removal is seen (a single member
        // leaving stops right after Exiting), when the actor system terminates: SelfRemoved alone can be lost then.
        org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system)).registerOnMemberRemoved(() -> readiness.accept(false));
        URI management;
        try {
            management = URI.create(PekkoManagement.get(system).start().toCompletableFuture()
                    .get(MANAGEMENT_START.toMillis(), TimeUnit.MILLISECONDS).toString());
        } catch (ExecutionException | TimeoutException e) {
            terminate(system);
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (!isBindFailure(cause)) throw new IllegalStateException("Pekko Management did not start", cause);
            throw unbindable("--management-port", settings.host() + ":" + settings.managementPort(), cause);
        } catch (InterruptedException e) {
            terminate(system);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while Pekko Management started", e);
        }
        if (settings.seedNodes().isEmpty()) {
            LOG.info("no seed nodes: cluster bootstrap finds the members by {}", settings.discoveryMethod().orElseThrow());
        } else {
            LOG.info("joining the seed nodes {}", settings.seedNodes().stream().map(NodeSettings.SeedNode::address).toList());
        }
        return new ClusterNode(system, management);
    }

    /** The member's actor system, for what runs on it (the sharded coordinators, a submitted sweep). */
    public ActorSystem<?> system() {
        return system;
    }

    /** This member's address, {@code pekko://mobl@host:port} (the port bound when it was started with -1). */
    public Address address() {
        return Cluster.get(system).selfMember().address();
    }

    /** Pekko Management's base URI, e.g. {@code http://127.0.0.1:7626} (the port bound when started with -1). */
    public URI management() {
        return management;
    }

    /** Whether this member is Up in the cluster (what the management endpoint's {@code /ready} checks). */
    public boolean isUp() {
        return Cluster.get(system).selfMember().status() == MemberStatus.up();
    }

    /** The members this one sees with status Up, reachable or not. */
    public long membersUp() {
        long up = 0;
        for (Member member : Cluster.get(system).state().getMembers()) if (member.status() == MemberStatus.up()) up++;
        return up;
    }

    /** The members this one cannot reach now. */
    public int membersUnreachable() {
        return Cluster.get(system).state().getUnreachable().size();
    }

    /** Completes when the actor system has stopped: after {@link #close}, SIGTERM, or when this member was downed. */
    public CompletableFuture<Done> whenTerminated() {
        return system.getWhenTerminated().toCompletableFuture();
    }

    /** Why the member shut down, once it has (e.g. {@code ClusterDowningReason}, {@code JvmExitReason}). */
    public Optional<CoordinatedShutdown.Reason> shutdownReason() {
        return CoordinatedShutdown.get(system).getShutdownReason();
    }

    /** Runs a task in coordinated shutdown's phase {@code before-service-unbind}, before the member leaves. */
    public void beforeLeaving(String name, Runnable task) {
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), name, () -> {
            task.run();
            return CompletableFuture.completedFuture(Done.getInstance());
        });
    }

    /** Leaves the cluster gracefully (coordinated shutdown) and stops the actor system. */
    @Override
    public void close() {
        CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason());
        terminate(system);
    }

    private static void terminate(ActorSystem<?> system) {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(LEAVE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.warn("the member's actor system did not stop within {}", LEAVE, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Cluster bootstrap, started by Pekko with the actor system (it starts when listed in {@code pekko.extensions}).
     * It is on the class path of the Kubernetes image only (ops' kubernetes profile), so it is named, not linked.
     */
    private static Config withBootstrap(Config config, String method) {
        try {
            Class.forName(BOOTSTRAP, false, ClusterNode.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new InvalidInputException("--discovery-method", method, "--seed-nodes instead, or a build with cluster "
                    + "bootstrap on the class path (mvn -Pkubernetes package -pl ops -am, as ops/deploy's image is built)");
        }
        java.util.List<String> extensions = new java.util.ArrayList<>(config.getStringList("pekko.extensions"));
        if (!extensions.contains(BOOTSTRAP)) extensions.add(BOOTSTRAP);
        return config.withValue("pekko.extensions", com.typesafe.config.ConfigValueFactory.fromIterable(extensions));
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException) return true;
            if (t.getMessage() != null && t.getMessage().contains("Failed to bind")) return true;
        }
        return false;
    }

    private static InvalidInputException unbindable(String option, String address, Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null) root = root.getCause();
        InvalidInputException invalid = new InvalidInputException(option, address, "an address this process can bind ("
                + root.getMessage() + "); choose another port, or -1 for any free port");
        invalid.initCause(cause);
        return invalid;
    }
}
