package io.mobl.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.StochasticBilevelProblem;
import io.mobl.protocol.InvalidInputException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The actor runtime: runs sweeps of WC-MHGD (its phases as actors) and of any other {@link IterativeAlgorithm}
 * (its steps as messages) as actors (DESIGN §4) in one actor system, for the CLI and the
 * benchmarks. One runtime can run several sweeps at once; close it to stop them and its threads.
 *
 * <pre>{@code
 * try (ActorRuntime runtime = new ActorRuntime()) {
 *     List<ParetoPoint> front = runtime.sweep(problem, config, preferences, "demo", listener)
 *             .points().toCompletableFuture().join();
 * }
 * }</pre>
 *
 * The iterates, telemetry (but for the phase timings) and points equal {@code SynchronousSolver}'s bit for bit;
 * in the stochastic setting (the methods taking a {@link BatchSource}) {@code StochasticSolver}'s, for the same
 * batch sequence.
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

    /**
     * Starts stochastic WC-MHGD (Alg. 2/3) for one preference, fed by {@code source}: the lower-level solver reads
     * its lower-level batches, worker s objective s's, and each iteration's batches are acknowledged
     * ({@link BatchSource#iterationDone}) once it is reported. The caller owns the source and closes it.
     *
     * @param source thread-safe across roles (the solver and the workers ask at once); {@code iterationDone}
     *               must not block
     */
    public RunHandle solve(StochasticBilevelProblem problem, StochasticWcMhgdConfig config, BatchSource source,
                           double[] preference, String run, RunListener listener) {
        return new RunHandle(start(new StochasticSweepSpec(problem, config, List.of(preference), List.of(source), run,
                listener)));
    }

    /**
     * Starts stochastic WC-MHGD for each preference, all in parallel, preference i fed by its own source
     * {@code sources.apply(i)} (made here, on the caller's thread). The runtime closes these sources when the
     * sweep ends, whichever way it ends.
     */
    public SweepHandle sweep(StochasticBilevelProblem problem, StochasticWcMhgdConfig config,
                             List<double[]> preferences, IntFunction<BatchSource> sources, String run,
                             RunListener listener) {
        if (preferences == null || preferences.isEmpty()) {
            throw new InvalidInputException("preferences", preferences, "at least one preference vector");
        }
        List<BatchSource> made = new ArrayList<>(preferences.size());
        for (int i = 0; i < preferences.size(); i++) made.add(sources.apply(i));
        SweepHandle handle;
        try {
            handle = start(new StochasticSweepSpec(problem, config, preferences, made, run, listener));
        } catch (RuntimeException e) {
            made.forEach(ActorRuntime::closeQuietly);
            throw e;
        }
        // closing may block (a Kafka consumer): never on an actor thread
        handle.solutions().whenCompleteAsync((solutions, error) -> made.forEach(ActorRuntime::closeQuietly));
        return handle;
    }

    /**
     * Runs any {@link IterativeAlgorithm} for each preference, all in parallel, K = {@code iterations} updates each:
     * preference i runs {@code perPreference.apply(i)} (made here; build each on its own counting problem, so that
     * its oracle counts are its own). The points, iterates and telemetry (but for the step timings) equal the
     * synchronous loop's ({@link io.mobl.core.algorithm.IterativeRun}) bit for bit.
     */
    public SweepHandle sweep(IntFunction<IterativeAlgorithm<?>> perPreference, List<double[]> preferences,
                             int iterations, String run, RunListener listener) {
        return sweep(AlgorithmSweepSpec.of(i -> AlgorithmSweepSpec.Part.of(perPreference.apply(i)), preferences,
                iterations, run, listener));
    }

    /**
     * Runs the sweep {@code spec} describes: any algorithm, deterministic or fed by batch sources (which the runtime
     * closes when the sweep ends, whichever way it ends), durable where {@link AlgorithmSweepSpec#checkpointing()}
     * names journals.
     */
    public SweepHandle sweep(AlgorithmSweepSpec spec) {
        SweepHandle handle;
        try {
            handle = start(spec);
        } catch (RuntimeException e) {
            spec.sources().forEach(ActorRuntime::closeQuietly);
            throw e;
        }
        handle.solutions().whenCompleteAsync((solutions, error) -> spec.sources().forEach(ActorRuntime::closeQuietly));
        return handle;
    }

    private static void closeQuietly(BatchSource source) {
        try {
            source.close();
        } catch (RuntimeException e) {
            LOG.warn("closing a batch source failed", e);
        }
    }

    private SweepHandle start(SweepPlan spec) {
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
