package io.mobl.actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.core.algorithm.NonFiniteValueException;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.SynchronousSolver;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.hypergradient.NeumannSeries;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The public entry point: sweeps of several preferences in parallel, and their controls. */
class ActorRuntimeTest {
    private static final RuntimeSettings SETTINGS =
            new RuntimeSettings(Duration.ofSeconds(30), 3, Duration.ofMillis(20), Duration.ofMinutes(5), Duration.ofSeconds(1));
    private static final BilevelProblem PROBLEM = QuadraticProblems.dense(5, 4, 5, 2, 3, 1.0);

    private static List<double[]> preferences(int count) {
        List<double[]> preferences = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            double r = (i + 1.0) / (count + 1);
            preferences.add(new double[] {r, 1 - r});
        }
        return preferences;
    }

    @Test
    void aSweepOfSixteenPreferencesRunsThemConcurrentlyAndReturnsSixteenPoints() throws Exception {
        WcMhgdConfig config = WcMhgdConfig.defaults(PROBLEM, new NeumannSeries(), 5, 1.0, 15, 0);
        List<double[]> preferences = preferences(16);
        RecordingListener listener = new RecordingListener();

        List<ParetoPoint> points;
        try (ActorRuntime runtime = new ActorRuntime(SETTINGS)) {
            points = runtime.sweep(PROBLEM, config, preferences, "front", listener)
                    .points().toCompletableFuture().get(120, TimeUnit.SECONDS); // a hang guard; it takes seconds
        }

        RecordingListener sequential = new RecordingListener();
        List<ParetoPoint> expected = SynchronousSolver.sweep(PROBLEM, config, preferences, "front", sequential)
                .stream().map(Solution::point).toList();
        assertThat(points).hasSize(16).isEqualTo(expected);
        assertThat(listener.points()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(listener.mostActive()).as("preferences running at the same time").isGreaterThan(1);
        // each preference's telemetry, in its own order, is the synchronous one
        assertThat(byPreference(listener.telemetry())).isEqualTo(byPreference(sequential.telemetry()));
    }

    /**
     * A message costs a hand-off, not a thread: the Java {@code ActorContext.ask} started a new thread for every
     * answer on machines with two cores or fewer (its callback runs on {@code CompletableFuture}'s default
     * executor, a thread per task when the common pool has one thread), 3–6 ms per outer iteration. 100
     * iterations send 400 requests here; after a warm-up run has started the dispatchers' threads, the run may
     * start a few (a pool replacing an idle thread) but nowhere near one per message.
     */
    @Test
    void aRunStartsNoThreadPerMessage() throws Exception {
        int iterations = 100;
        WcMhgdConfig config = WcMhgdConfig.defaults(PROBLEM, new ConjugateGradient(3), 3, 1.0, iterations, 0);
        double[] preference = {0.4, 0.6};
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        try (ActorRuntime runtime = new ActorRuntime(SETTINGS)) {
            runtime.solve(PROBLEM, config, preference, "warm-up", RunListener.NONE).solution()
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
            long before = threads.getTotalStartedThreadCount();
            Solution solution = runtime.solve(PROBLEM, config, preference, "threads", RunListener.NONE).solution()
                    .toCompletableFuture().get(60, TimeUnit.SECONDS); // a hang guard; it takes well under a second
            long started = threads.getTotalStartedThreadCount() - before;

            assertThat(solution.point().iterations()).isEqualTo(iterations);
            assertThat(started).as("threads started during a run of %d iterations", iterations)
                    .isLessThan(iterations / 4);
        }
    }

    private static java.util.Map<String, List<IterateTelemetry>> byPreference(List<IterateTelemetry> telemetry) {
        return Reference.withoutTimings(telemetry).stream()
                .collect(Collectors.groupingBy(IterateTelemetry::key, Collectors.toList()));
    }

    @Test
    void controlsReachThePreferenceTheyNameAndEndedRunsRejectThem() throws Exception {
        WcMhgdConfig theorem = WcMhgdConfig.defaults(PROBLEM, new ConjugateGradient(5), 5, 1.0, 100_000, 0);
        // β a hundred times below the theorem's: the gap stays off exactly 0 (which ends a run at ε = 0) far longer
        // than the three controls take, even on a loaded machine (at the theorem's β it reached 0 at iteration 392)
        WcMhgdConfig config = new WcMhgdConfig(5, theorem.lowerStepSize(), theorem.upperStepSize() / 100, 1.0,
                new ConjugateGradient(5), 100_000, 0);
        RecordingListener listener = new RecordingListener(3);
        try (ActorRuntime runtime = new ActorRuntime(SETTINGS)) {
            SweepHandle sweep = runtime.sweep(PROBLEM, config, preferences(2), "controls", listener);
            listener.awaitIteration();

            int stoppedAt1 = sweep.stop(1).toCompletableFuture().get(10, TimeUnit.SECONDS);
            int from = sweep.setPreference(0, new double[] {0.9, 0.1}).toCompletableFuture().get(10, TimeUnit.SECONDS);
            int stoppedAt0 = sweep.stop(0).toCompletableFuture().get(10, TimeUnit.SECONDS);
            List<Solution> solutions = sweep.solutions().toCompletableFuture().get(30, TimeUnit.SECONDS);

            assertThat(solutions.get(1).point().iterations()).isEqualTo(stoppedAt1);
            assertThat(solutions.get(0).point().iterations()).isEqualTo(stoppedAt0).isGreaterThanOrEqualTo(from);
            assertThat(solutions.get(0).point().preference())
                    .isEqualTo(stoppedAt0 > from ? new double[] {0.9, 0.1} : preferences(2).get(0));
            assertThatThrownBy(() -> sweep.pause(0).toCompletableFuture().join())
                    .isInstanceOf(CompletionException.class).hasCauseInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("has ended");
        }
    }

    @Test
    void aControlForAnIndexOutsideTheSweepIsRejected() throws Exception {
        WcMhgdConfig config = WcMhgdConfig.defaults(PROBLEM, new ConjugateGradient(5), 5, 1.0, 100_000, 0);
        try (ActorRuntime runtime = new ActorRuntime(SETTINGS)) {
            RunHandle run = runtime.solve(PROBLEM, config, new double[] {0.5, 0.5}, "solo", RunListener.NONE);
            SweepHandle sweep = runtime.sweep(PROBLEM, config, preferences(2), "pair", RunListener.NONE);

            assertThatThrownBy(() -> sweep.resume(2).toCompletableFuture().join())
                    .hasCauseInstanceOf(InvalidInputException.class).hasMessageContaining("preference-index = 2");
            int stoppedAt = run.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(run.point().toCompletableFuture().get(30, TimeUnit.SECONDS).iterations()).isEqualTo(stoppedAt);
        }
    }

    @Test
    void aRunThatFailsFailsItsSweepWithTheDiagnostic() {
        WcMhgdConfig diverging = new WcMhgdConfig(5, 0.1, 1e6, 1.0, new ConjugateGradient(5), 200, 0);
        try (ActorRuntime runtime = new ActorRuntime(SETTINGS)) {
            SweepHandle sweep = runtime.sweep(PROBLEM, diverging, preferences(3), "diverging", RunListener.NONE);

            assertThatThrownBy(() -> sweep.points().toCompletableFuture().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(RunFailedException.class)
                    .hasMessageContaining("diverging/")
                    .hasMessageContaining("at iteration")
                    .cause().isInstanceOf(NonFiniteValueException.class);
        }
    }

    @Test
    void closingTheRuntimeEndsTheSweepsStillRunning() throws Exception {
        WcMhgdConfig endless = WcMhgdConfig.defaults(PROBLEM, new ConjugateGradient(5), 5, 1.0, 100_000_000, 0);
        RecordingListener listener = new RecordingListener(2);
        ActorRuntime runtime = new ActorRuntime(SETTINGS);
        SweepHandle sweep = runtime.sweep(PROBLEM, endless, preferences(2), "endless", listener);
        listener.awaitIteration();

        runtime.close();

        assertThatThrownBy(() -> sweep.solutions().toCompletableFuture().get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> runtime.solve(PROBLEM, endless, new double[] {0.5, 0.5}, "late", RunListener.NONE))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void wrongInputsFailAtTheCallNamingTheField() {
        WcMhgdConfig config = WcMhgdConfig.defaults(PROBLEM, new ConjugateGradient(5), 5, 1.0, 10, 0);
        try (ActorRuntime runtime = new ActorRuntime(SETTINGS)) {
            assertThatThrownBy(() -> runtime.sweep(PROBLEM, config, List.of(new double[] {0.5, 0.5},
                    new double[] {0.5, 0.6}), "bad", RunListener.NONE))
                    .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("preferences[1] = [0.5, 0.6]");
            assertThatThrownBy(() -> runtime.sweep(PROBLEM, config, List.of(), "bad", RunListener.NONE))
                    .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("preferences");
        }
    }
}
