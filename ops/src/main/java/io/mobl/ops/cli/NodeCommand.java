package io.mobl.ops.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mobl.actors.RuntimeSettings;
import io.mobl.actors.ShardedCoordinator;
import io.mobl.core.checkpoint.FileRunJournal;
import java.nio.file.Path;
import io.mobl.ops.cluster.ClusterNode;
import io.mobl.ops.cluster.NodeSettings;
import io.mobl.ops.metrics.MetricsServer;
import io.mobl.ops.metrics.MoblMetrics;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mobl node}: one member of a mobl cluster ({@link ClusterNode}), until SIGTERM or Ctrl-C (which leave the
 * cluster gracefully) or until the cluster downs it. Every option's default is a {@code mobl.node} key (or
 * {@code mobl.metrics} for the metrics endpoint) of {@code reference.conf}.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Start a member of a mobl cluster (Pekko Cluster): join the seed nodes (or bootstrap by discovery), "
                + "serve Pekko Management (/ready, /alive, /cluster/members) and the metrics endpoint, until SIGTERM or "
                + "Ctrl-C, which leave the cluster gracefully.")
public final class NodeCommand implements Callable<Integer> {
    /** Exit status when the cluster downed this member (the split-brain resolver put it on the losing side). */
    static final int DOWNED = 3;

    @Spec CommandSpec spec;

    @Option(names = "--seed-nodes", split = ",", paramLabel = "HOST:PORT",
            description = "The members to join, host:port of their canonical addresses, the same list in the same order on every member (mobl.node.seed-nodes).")
    List<String> seedNodes;

    @Option(names = "--discovery-method", paramLabel = "METHOD",
            description = "Without --seed-nodes: find the members by Pekko Management cluster bootstrap with this discovery method, e.g. kubernetes-api (mobl.node.discovery-method).")
    String discoveryMethod;

    @Option(names = "--host", description = "The host name or IP address other members reach this one at. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--port", description = "The member's port (Artery TCP), or -1 for any free port. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--roles", split = ",", paramLabel = "ROLE",
            description = "The member's cluster roles. Default: ${DEFAULT-VALUE}.")
    List<String> roles;

    @Option(names = "--management-port",
            description = "Pekko Management's HTTP port on --host (/ready, /alive, /cluster/members), or -1 for any free port. Default: ${DEFAULT-VALUE}.")
    int managementPort;

    @Option(names = "--metrics-port",
            description = "Prometheus endpoint port on --metrics-host (/metrics, /health, /ready); 0 turns it off, -1 any free port. Default: ${DEFAULT-VALUE}.")
    int metricsPort;

    @Option(names = "--metrics-host", description = "Address the metrics endpoint binds to. Default: ${DEFAULT-VALUE}.")
    String metricsHost;

    @Option(names = "--checkpoint-dir",
            description = "Where this member's sharded coordinators keep the checkpoints of runs submitted with --checkpoint-every (DIR/RUN/PREFERENCE-INDEX/): give every member the same shared directory, so that a preference started again on another member goes on from its checkpoint. Default: ${DEFAULT-VALUE}.")
    Path checkpointDir;

    @Override
    public Integer call() {
        // SIGTERM: Pekko's own shutdown hook leaves the cluster; this one holds the JVM until the line below is out
        CountDownLatch reported = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            try {
                reported.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "mobl-node-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return serve();
        } finally {
            reported.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting (SIGTERM): the hook has seen the latch and returns
            }
        }
    }

    private int serve() {
        PrintWriter out = spec.commandLine().getOut();
        NodeSettings settings = NodeSettings.of(seedNodes, discoveryMethod, host, port, roles, managementPort);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (MoblMetrics metrics = MoblMetrics.bindTo(registry)) {
            Optional<MetricsServer> server = MetricsServer.startIfEnabled(registry, metricsHost, metricsPort);
            try (ClusterNode node = ClusterNode.start(settings, ConfigDefaults.of(spec.commandLine()).config().effective(),
                    up -> server.ifPresent(s -> {
                        if (up) s.markReady();
                        else s.markNotReady();
                    }))) {
                // the sharded coordinators (on a member with the role coordinator; a proxy elsewhere), journaled
                // in the directory the members share
                ShardedCoordinator.init(node.system(), new CliRunFactory(), FileRunJournal.in(checkpointDir),
                        RuntimeSettings.fromConfig(ConfigDefaults.of(spec.commandLine()).config().effective()));
                metrics.watchClusterMembers("up", node::membersUp);
                metrics.watchClusterMembers("unreachable", node::membersUnreachable);
                node.beforeLeaving("mobl-metrics-not-ready", () -> server.ifPresent(MetricsServer::markNotReady));
                out.println("mobl node " + node.address() + ", roles " + String.join(",", settings.roles())
                        + (settings.seedNodes().isEmpty()
                                ? ", cluster bootstrap by " + settings.discoveryMethod().orElseThrow()
                                : ", seed nodes " + String.join(",", settings.seedNodes().stream()
                                        .map(NodeSettings.SeedNode::address).toList())));
                out.println("management: " + node.management() + " (/ready, /alive, /cluster/members)");
                server.ifPresent(s -> out.printf("metrics: http://%s:%d/metrics%n", s.host(), s.port()));
                out.println("SIGTERM or Ctrl-C leaves the cluster.");
                out.flush();
                node.whenTerminated().join();
                boolean downed = node.shutdownReason().filter(CoordinatedShutdown.clusterDowningReason()::equals).isPresent();
                out.println(downed ? "this member was downed by the cluster; stopped"
                        : "left the cluster (" + node.shutdownReason().map(Object::toString).orElse("stopped") + ")");
                out.flush();
                return downed ? DOWNED : 0;
            } finally {
                server.ifPresent(MetricsServer::close);
            }
        }
    }
}
