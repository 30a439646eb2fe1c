package io.mobl.actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.StochasticSolver;
import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.GeneratedBatchSource;
import io.mobl.core.stochastic.ListBatchSource;
import io.mobl.core.stochastic.StochasticQuadraticProblem;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.ParetoPoint;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Stochastic WC-MHGD (Alg. 2/3) on the actor runtime, against the synchronous stochastic loop. */
class StochasticActorRuntimeTest {
    private static final RuntimeSettings SETTINGS =
            new RuntimeSettings(Duration.ofSeconds(30), 3, Duration.ofMillis(20), Duration.ofMinutes(5), Duration.ofSeconds(1));
    private static final StochasticQuadraticSpec SPEC = StochasticQuadraticSpec.defaults(21);
    private static final StochasticQuadraticProblem PROBLEM = SPEC.problem();
    private static final double[] PREFERENCE = {0.65, 0.35};
    private static final int ROWS = 4;

    private static StochasticWcMhgdConfig config(int iterations) {
        return StochasticWcMhgdConfig.defaults(PROBLEM, 4, 6, 8, 1.0, iterations, 0);
    }

    @Test
    void anActorRunEqualsTheSynchronousRunOnTheSameBatchSequenceBitForBit() throws Exception {
        StochasticWcMhgdConfig config = config(12);
        RecordingListener sync = new RecordingListener();
        GeneratedBatchSource syncSource = GeneratedBatchSource.of(SPEC, ROWS);
        Solution expected = StochasticSolver.solve(PROBLEM, config, syncSource, PREFERENCE, "stoch", sync);

        RecordingListener actors = new RecordingListener();
        GeneratedBatchSource actorSource = GeneratedBatchSource.of(SPEC, ROWS);
        Solution solution;
        try (ActorRuntime runtime = new ActorRuntime(SETTINGS)) {
            solution = runtime.solve(PROBLEM, config, actorSource, PREFERENCE, "stoch", actors)
                    .solution().toCompletableFuture().get(120, TimeUnit.SECONDS); // a hang guard; it takes seconds
        }

        assertThat(solution.point()).isEqualTo(expected.point());
        assertThat(solution.point().oracleCalls().hessianVectorProducts()).isPositive();
        assertThat(Reference.withoutTimings(actors.telemetry())).isEqualTo(Reference.withoutTimings(sync.telemetry()));
        assertThat(actors.points()).containsExactly(expected.point());
        // the same batches, acknowledged after the same iterations
        assertThat(actorSource.acknowledged()).isEqualTo(syncSource.acknowledged()).hasSize(13);
    }

    @Test
    void aSweepGivesEachPreferenceItsOwnSourceAndClosesThemAtTheEnd() throws Exception {
        StochasticWcMhgdConfig config = config(6);
        List<double[]> preferences = List.of(new double[] {0.3, 0.7}, PREFERENCE, new double[] {0.8, 0.2});
        AtomicInteger closed = new AtomicInteger();
        RecordingListener listener = new RecordingListener();
        List<ParetoPoint> points;
        try (ActorRuntime runtime = new ActorRuntime(SETTINGS)) {
            points = runtime.sweep(PROBLEM, config, preferences, i -> closing(GeneratedBatchSource.of(SPEC, ROWS), closed),
                    "front", listener).points().toCompletableFuture().get(120, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (closed.get() < 3 && System.nanoTime() < deadline) Thread.sleep(10);
        }
        RecordingListener sequential = new RecordingListener();
        List<ParetoPoint> expected = StochasticSolver.sweep(PROBLEM, config, preferences,
                i -> GeneratedBatchSource.of(SPEC, ROWS), "front", sequential).stream().map(Solution::point).toList();
        assertThat(points).isEqualTo(expected);
        assertThat(byPreference(listener.telemetry())).isEqualTo(byPreference(sequential.telemetry()));
        assertThat(closed).hasValue(3);
    }

    private static java.util.Map<String, List<IterateTelemetry>> byPreference(List<IterateTelemetry> telemetry) {
        return Reference.withoutTimings(telemetry).stream()
                .collect(Collectors.groupingBy(IterateTelemetry::key, Collectors.toList()));
    }

    private static BatchSource closing(BatchSource source, AtomicInteger closed) {
        return new BatchSource() {
            @Override
            public Minibatch next(int objective, Duration timeout) throws InterruptedException,
                    java.util.concurrent.TimeoutException {
                return source.next(objective, timeout);
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        };
    }

    @Test
    void aSourceThatDeliversNothingEndsTheRunWithADiagnosticInsteadOfHanging() throws Exception {
        StochasticWcMhgdConfig config = config(5).withBatchTimeout(Duration.ofMillis(200));
        ListBatchSource lowerOnly = ListBatchSource.empty();
        for (int i = 0; i < 100; i++) lowerOnly.add(SPEC.generator().lowerBatch(i, ROWS));
        try (ActorRuntime runtime = new ActorRuntime(SETTINGS)) {
            assertThatThrownBy(() -> runtime.solve(PROBLEM, config, ListBatchSource.empty(), PREFERENCE, "dry",
                    RunListener.NONE).solution().toCompletableFuture().get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(RunFailedException.class)
                    .hasMessageContaining("lower-level-solver")
                    .hasMessageContaining("no lower-level minibatch arrived within PT0.2S at iteration 0")
                    .hasMessageContaining("not retried");
            assertThatThrownBy(() -> runtime.solve(PROBLEM, config, lowerOnly, PREFERENCE, "dry",
                    RunListener.NONE).solution().toCompletableFuture().get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(RunFailedException.class)
                    .hasMessageContaining("hypergradient-worker-")
                    .hasMessageMatching("(?s).*no upper objective [01]'s minibatch arrived.*");
        }
        assertThat(lowerOnly.acknowledged()).as("nothing of the failed iteration is acknowledged").isEmpty();
    }

    @Test
    void interactivePreferenceAndStopWorkOnAStochasticRun() throws Exception {
        StochasticWcMhgdConfig config = config(100_000);
        double[] after = {0.2, 0.8};
        RecordingListener listener = new RecordingListener(2);
        try (ActorRuntime runtime = new ActorRuntime(SETTINGS)) {
            RunHandle handle = runtime.solve(PROBLEM, config, GeneratedBatchSource.of(SPEC, ROWS), PREFERENCE, "p3",
                    listener);
            listener.awaitIteration();
            int from = handle.setPreference(after).toCompletableFuture().get(10, TimeUnit.SECONDS);
            handle.pause().toCompletableFuture().get(10, TimeUnit.SECONDS);
            handle.resume().toCompletableFuture().get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (listener.telemetry().size() < from + 3 && System.nanoTime() < deadline) Thread.sleep(5);
            int stoppedAt = handle.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
            ParetoPoint point = handle.point().toCompletableFuture().get(60, TimeUnit.SECONDS);

            assertThat(point.iterations()).isEqualTo(stoppedAt).isGreaterThan(from);
            assertThat(point.preference()).containsExactly(after);
            for (IterateTelemetry t : listener.telemetry()) {
                assertThat(t.preference()).as("iteration %s", t.iteration())
                        .containsExactly(t.iteration() <= from ? PREFERENCE : after);
            }
        }
    }
}
