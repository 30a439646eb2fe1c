package io.mobl.actors;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.core.algorithm.NonFiniteValueException;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.SynchronousSolver;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.hypergradient.HypergradientMethod;
import io.mobl.core.hypergradient.NeumannSeries;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.OracleCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One preference through the coordinator, its lower-level solver, its workers and its weight solver. */
class WeightCoordinatorTest {
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();
    private static final RuntimeSettings SETTINGS =
            new RuntimeSettings(Duration.ofSeconds(20), 3, Duration.ofMillis(20), Duration.ofMinutes(5), Duration.ofSeconds(1));
    private static final BilevelProblem DENSE = QuadraticProblems.dense(7, 5, 6, 2, 4, 0.5);
    private static final BilevelProblem STRUCTURED = QuadraticProblems.structured(11, 12, 9, 3, 2, 4, 0.5);
    private static final double[] PREFERENCE_2 = {0.3, 0.7};
    private static final double[] PREFERENCE_3 = {0.2, 0.5, 0.3};

    @AfterAll
    static void shutdown() {
        TEST_KIT.shutdownTestKit();
    }

    static Stream<Arguments> problemsAndMethods() {
        return Stream.of(
                Arguments.of("dense, CG", DENSE, new ConjugateGradient(5), PREFERENCE_2),
                Arguments.of("dense, Neumann", DENSE, new NeumannSeries(), PREFERENCE_2),
                Arguments.of("structured, CG", STRUCTURED, new ConjugateGradient(5), PREFERENCE_3),
                Arguments.of("structured, Neumann", STRUCTURED, new NeumannSeries(), PREFERENCE_3));
    }

    private static WcMhgdConfig config(BilevelProblem problem, HypergradientMethod method, int iterations) {
        return WcMhgdConfig.defaults(problem, method, 8, 1.0, iterations, 0);
    }

    private static Coordinator.Outcome run(BilevelProblem problem, WcMhgdConfig config, double[] preference,
                                                 RecordingListener listener, RuntimeSettings settings) {
        TestProbe<Coordinator.Outcome> outcome = TEST_KIT.createTestProbe();
        TEST_KIT.spawn(WeightCoordinator.create(
                new PreferenceRun(problem, config, "test", 0, preference, listener), settings, outcome.getRef()));
        return outcome.receiveMessage(Duration.ofSeconds(30));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("problemsAndMethods")
    void producesTheSynchronousTelemetryAndPointBitForBit(String name, BilevelProblem problem,
                                                          HypergradientMethod method, double[] preference) {
        WcMhgdConfig config = config(problem, method, 30);
        Reference.Run expected = Reference.synchronous(problem, config, preference, "test");
        RecordingListener listener = new RecordingListener();

        Coordinator.Outcome outcome = run(problem, config, preference, listener, SETTINGS);

        assertThat(outcome).isInstanceOf(Coordinator.Finished.class);
        Coordinator.Finished finished = (Coordinator.Finished) outcome;
        assertThat(Reference.withoutTimings(listener.telemetry()))
                .isEqualTo(Reference.withoutTimings(expected.telemetry()))
                .hasSize(31);
        assertThat(listener.points()).containsExactly(expected.point());
        assertThat(finished.solution().point()).isEqualTo(expected.point());
        assertThat(finished.solution().x().toDoubleVector()).isEqualTo(expected.solution().x().toDoubleVector());
        assertThat(listener.telemetry()).allSatisfy(t ->
                assertThat(t.phaseNanos()).containsOnlyKeys("lower", "hypergradient", "weights"));
    }

    @Test
    void stopsAtTheToleranceLikeTheSynchronousSolver() {
        WcMhgdConfig config = config(DENSE, new ConjugateGradient(5), 500).withTolerance(1e-3);
        Reference.Run expected = Reference.synchronous(DENSE, config, PREFERENCE_2, "test");
        RecordingListener listener = new RecordingListener();

        Coordinator.Outcome outcome = run(DENSE, config, PREFERENCE_2, listener, SETTINGS);

        assertThat(expected.point().iterations()).isLessThan(500);
        assertThat(((Coordinator.Finished) outcome).solution().point()).isEqualTo(expected.point());
        assertThat(Reference.withoutTimings(listener.telemetry())).isEqualTo(Reference.withoutTimings(expected.telemetry()));
    }

    @Test
    void aWorkerThatThrowsOnItsFirstAttemptIsRestartedAndTheRunEndsWithTheSameResult() {
        WcMhgdConfig config = config(DENSE, new ConjugateGradient(5), 12);
        Reference.Run expected = Reference.synchronous(DENSE, config, PREFERENCE_2, "test");
        Set<Integer> failing = Set.of(0, 3, 7);
        FlakyProblem flaky = new FlakyProblem(DENSE, 1, failing, Set.of());
        RecordingListener listener = new RecordingListener();

        Coordinator.Outcome outcome = run(flaky, config, PREFERENCE_2, listener, SETTINGS);

        assertThat(outcome).isInstanceOf(Coordinator.Finished.class);
        assertThat(flaky.upperFailures()).isEqualTo(failing.size());
        // A failed attempt spent one Gc(f) call (counted before f_1 threw); everything else is the same.
        List<IterateTelemetry> adjusted = new ArrayList<>();
        for (IterateTelemetry t : expected.telemetry()) {
            long failedSoFar = failing.stream().filter(k -> k <= t.iteration()).count();
            adjusted.add(Reference.withCalls(t, t.oracleCalls().plus(new OracleCalls(failedSoFar, 0, 0, 0))));
        }
        assertThat(Reference.withoutTimings(listener.telemetry())).isEqualTo(adjusted);
        assertThat(((Coordinator.Finished) outcome).solution().point()).isEqualTo(Reference.withCalls(
                expected.point(), expected.point().oracleCalls().plus(new OracleCalls(failing.size(), 0, 0, 0))));
    }

    @Test
    void aLowerLevelSolverThatThrowsOnceIsRestartedAndAskedAgain() {
        WcMhgdConfig config = config(DENSE, new NeumannSeries(), 6);
        Reference.Run expected = Reference.synchronous(DENSE, config, PREFERENCE_2, "test");
        int firstCallOfIterationTwo = 2 * config.lowerIterations();
        FlakyProblem flaky = new FlakyProblem(DENSE, -1, Set.of(), Set.of(firstCallOfIterationTwo));
        RecordingListener listener = new RecordingListener();

        Coordinator.Outcome outcome = run(flaky, config, PREFERENCE_2, listener, SETTINGS);

        assertThat(flaky.failures()).isEqualTo(1);
        OracleCalls extra = new OracleCalls(0, 1, 0, 0);
        assertThat(((Coordinator.Finished) outcome).solution().point())
                .isEqualTo(Reference.withCalls(expected.point(), expected.point().oracleCalls().plus(extra)));
        assertThat(Reference.withoutTimings(listener.telemetry().subList(0, 2)))
                .isEqualTo(Reference.withoutTimings(expected.telemetry().subList(0, 2)));
    }

    @Test
    @Timeout(20)
    void aWorkerThatNeverAnswersEndsTheRunWithADiagnosticNamingActorObjectiveAndIteration() {
        WcMhgdConfig config = config(DENSE, new ConjugateGradient(5), 50);
        HangingProblem hanging = new HangingProblem(DENSE, 1, 2);
        RuntimeSettings impatient = SETTINGS.withAskTimeout(Duration.ofMillis(500));
        long start = System.nanoTime();
        try {
            Coordinator.Outcome outcome = run(hanging, config, PREFERENCE_2, new RecordingListener(), impatient);

            assertThat(outcome).isInstanceOf(Coordinator.Failed.class);
            RunFailedException error = ((Coordinator.Failed) outcome).error();
            assertThat(error.actor()).endsWith("/hypergradient-worker-1");
            assertThat(error.objective()).isEqualTo(1);
            assertThat(error.iteration()).isEqualTo(2);
            assertThat(error.getMessage())
                    .contains("hypergradient-worker-1", "objective 1", "iteration 2", "test/0.3000,0.7000",
                            "no answer within 500 ms", "attempt 3 of 3", "mobl.actors.ask-timeout");
            // three timeouts and two back-offs, not a hang
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        } finally {
            hanging.release();
        }
    }

    @Test
    void aNonFiniteStepEndsTheRunAtOnceWithTheSynchronousSolversError() {
        WcMhgdConfig diverging = new WcMhgdConfig(8, 0.1, 1e6, 1.0, new ConjugateGradient(5), 200, 0);
        NonFiniteValueException expected = null;
        try {
            SynchronousSolver.solve(DENSE, diverging, PREFERENCE_2, "test", RunListener.NONE);
        } catch (NonFiniteValueException e) {
            expected = e;
        }
        assertThat(expected).as("the synchronous run diverges").isNotNull();

        Coordinator.Outcome outcome = run(DENSE, diverging, PREFERENCE_2, new RecordingListener(), SETTINGS);

        RunFailedException error = ((Coordinator.Failed) outcome).error();
        assertThat(error.getCause()).isInstanceOf(NonFiniteValueException.class).hasMessage(expected.getMessage());
        assertThat(error.iteration()).isEqualTo(expected.iteration());
        assertThat(error.getMessage()).contains("not retried");
    }
}
