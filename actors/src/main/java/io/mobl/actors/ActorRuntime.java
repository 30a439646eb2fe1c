package io.mobl.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.problem.BilevelProblem;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The actor runtime: runs WC-MHGD sweeps as actors (DESIGN §4) in one actor system, for the CLI and the
 * benchmarks. One runtime can run several sweeps at once; close it to stop them and its threads.
 *
 * <pre>{@code
 * try (ActorRuntime runtime = new ActorRuntime()) {
 *     List<ParetoPoint> front = runtime.sweep(problem, config, preferences, "demo", listener)
 *             .points().toCompletableFuture().join();
 * }
 * }</pre>
 *
 * The iterates, telemetry (but for the phase timings) and points equal {@code SynchronousSolver}'s bit for bit.
 * Start and control methods are thread-safe; call them from plain threads, not from inside an actor.
 */
public final class ActorRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ActorRuntime.class);
    private static final Duration SHUTDOWN = Duration.ofSeconds(30);

    private final RuntimeSettings settings;
    private final ActorSystem<RuntimeGuardian.Command> system;
    private final AtomicLong sweeps = new AtomicLong();
    private final Set<CompletableFuture<?>> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Settings and Pekko configuration from {@code application.conf} over {@code reference.conf}. */
    public ActorRuntime() {
        this(ConfigFactory.load());
    }

    public ActorRuntime(Config config) {
        this(RuntimeSettings.fromConfig(config), config);
    }

    public ActorRuntime(RuntimeSettings settings) {
        this(settings, ConfigFactory.load());
    }

    /** @param config Pekko's configuration, which must define {@value RuntimeSettings#MATH_DISPATCHER} */
    public ActorRuntime(RuntimeSettings settings, Config config) {
        this.settings = settings;
        this.system = ActorSystem.create(RuntimeGuardian.create(settings), "mobl", config);
    }

    public RuntimeSettings settings() {
        return settings;
    }

    /**
     * Starts one run per preference, all in parallel (Pareto front exploration). The inputs are checked here,
     * and a wrong one throws {@link io.mobl.protocol.InvalidInputException} at once.
     *
     * @param preferences one r per run, each in the open simplex (length S)
     * @param listener    gets every preference's telemetry and point; called from several threads at once (each
     *                    preference's calls in order), so it must be thread-safe, and it must not block
     */
    public SweepHandle sweep(BilevelProblem problem, WcMhgdConfig config, List<double[]> preferences, String run,
                             RunListener listener) {
        return start(new SweepSpec(problem, config, preferences, run, listener));
    }

    /** Starts one run for one preference. */
    public RunHandle solve(BilevelProblem problem, WcMhgdConfig config, double[] preference, String run,
                           RunListener listener) {
        return new RunHandle(start(new SweepSpec(problem, config, List.of(preference), run, listener)));
    }

    private SweepHandle start(SweepSpec spec) {
        if (closed) throw new IllegalStateException("this actor runtime is closed; start a new one");
        String name = "sweep-" + sweeps.incrementAndGet();
        CompletableFuture<List<Solution>> result = new CompletableFuture<>();
        running.add(result);
        result.whenComplete((solutions, error) -> running.remove(result));
        AskPattern.<RuntimeGuardian.Command, SweepManager.Outcome>ask(system,
                        reply -> new RuntimeGuardian.StartSweep(name, spec, reply), settings.runTimeout(),
                        system.scheduler())
                .whenComplete((outcome, error) -> {
                    if (outcome instanceof SweepManager.SweepFinished finished) {
                        result.complete(finished.solutions());
                    } else if (outcome instanceof SweepManager.SweepFailed failed) {
                        result.completeExceptionally(failed.error());
                    } else {
                        system.tell(new RuntimeGuardian.Abandon(name));
                        result.completeExceptionally(new TimeoutException("the sweep " + spec.run() + " (" + name
                                + ") did not finish within mobl.actors.run-timeout = " + settings.runTimeout()
                                + " and was stopped; raise the timeout or lower the iterations"));
                    }
                });
        return new SweepHandle(system, settings, name, spec, result);
    }

    /** Stops every sweep (their results fail with a {@link CancellationException}) and the actor system. */
    @Override
    public void close() {
        closed = true;
        for (CompletableFuture<?> result : running) {
            result.completeExceptionally(new CancellationException("the actor runtime was closed before the sweep ended"));
        }
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(SHUTDOWN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("the actor system did not stop within {}: a math actor is still inside an oracle call", SHUTDOWN);
        } catch (ExecutionException e) {
            LOG.warn("the actor system stopped with an error", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
