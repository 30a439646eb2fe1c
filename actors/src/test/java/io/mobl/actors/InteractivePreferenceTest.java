package io.mobl.actors;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.SynchronousSolver;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Interactive preferences (P3): SetPreference, Pause, Resume and Stop sent to a running coordinator. */
class InteractivePreferenceTest {
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();
    private static final RuntimeSettings SETTINGS =
            new RuntimeSettings(Duration.ofSeconds(20), 3, Duration.ofMillis(20), Duration.ofMinutes(5), Duration.ofSeconds(1));
    /** Well conditioned, so that a few hundred iterations reach the weighted-Chebyshev solution. */
    private static final BilevelProblem PROBLEM = QuadraticProblems.dense(21, 4, 6, 2, 2, 2.0);
    private static final double[] BEFORE = {0.3, 0.7};
    private static final double[] AFTER = {0.7, 0.3};

    private final TestProbe<Coordinator.Outcome> outcome = TEST_KIT.createTestProbe();
    private final TestProbe<Coordinator.ControlReply> control = TEST_KIT.createTestProbe();

    @AfterAll
    static void shutdown() {
        TEST_KIT.shutdownTestKit();
    }

    private static WcMhgdConfig config(int iterations) {
        return WcMhgdConfig.defaults(PROBLEM, new ConjugateGradient(5), 10, 1.0, iterations, 0);
    }

    private ActorRef<Coordinator.Command> start(WcMhgdConfig config, RecordingListener listener) {
        return TEST_KIT.spawn(WeightCoordinator.create(new PreferenceRun(PROBLEM, config, "p3", 0, BEFORE, listener),
                SETTINGS, outcome.getRef()));
    }

    private int accepted() {
        return control.expectMessageClass(Coordinator.Accepted.class, Duration.ofSeconds(10)).iteration();
    }

    private Solution finished() {
        return outcome.expectMessageClass(Coordinator.Finished.class, Duration.ofSeconds(60)).solution();
    }

    @Test
    void aNewPreferenceTakesEffectAtTheNextIterationAndTheRunConvergesToItsSolution() throws Exception {
        WcMhgdConfig config = config(600);
        RecordingListener listener = new RecordingListener(5);
        ActorRef<Coordinator.Command> coordinator = start(config, listener);
        listener.awaitIteration();

        coordinator.tell(new Coordinator.SetPreference(AFTER, control.getRef()));
        int k = accepted();
        Solution solution = finished();

        List<IterateTelemetry> telemetry = listener.telemetry();
        int last = solution.point().iterations();
        assertThat(k).isGreaterThanOrEqualTo(5).isLessThan(last);
        assertThat(telemetry).hasSize(last + 1);
        assertThat(telemetry.subList(0, k + 1)).allSatisfy(t -> assertThat(t.preference()).isEqualTo(BEFORE));
        assertThat(telemetry.subList(k + 1, last + 1)).allSatisfy(t -> assertThat(t.preference()).isEqualTo(AFTER));
        // Exactly the synchronous loop with the state's preference replaced after iteration k: same x, warm starts.
        Reference.Run expected = Reference.switching(PROBLEM, config, BEFORE, k, AFTER, "p3");
        assertThat(Reference.withoutTimings(telemetry)).isEqualTo(Reference.withoutTimings(expected.telemetry()));
        assertThat(solution.point()).isEqualTo(expected.point());
        // ... and it reaches the new preference's solution, as a fresh run for it does.
        Solution fresh = SynchronousSolver.solve(PROBLEM, config, AFTER, "p3", RunListener.NONE);
        assertThat(Vectors.norm(solution.x().sub(fresh.x()))).isLessThanOrEqualTo(1e-6);
        assertThat(solution.point().preference()).isEqualTo(AFTER);
    }

    @Test
    void pauseHoldsTheRunAfterTheIterationInProgressAndResumeAndStopContinueAndEndIt() throws Exception {
        WcMhgdConfig config = config(400);
        RecordingListener listener = new RecordingListener(3);
        ActorRef<Coordinator.Command> coordinator = start(config, listener);
        listener.awaitIteration();

        coordinator.tell(new Coordinator.Pause(control.getRef()));
        int pausedAfter = accepted();
        awaitTelemetry(listener, pausedAfter);
        Thread.sleep(300);
        assertThat(listener.telemetry()).as("nothing runs while paused").hasSize(pausedAfter + 1);

        coordinator.tell(new Coordinator.SetPreference(AFTER, control.getRef()));
        assertThat(accepted()).isEqualTo(pausedAfter);
        coordinator.tell(new Coordinator.Resume(control.getRef()));
        assertThat(accepted()).isEqualTo(pausedAfter);
        awaitTelemetry(listener, pausedAfter + 3);
        coordinator.tell(new Coordinator.Stop(control.getRef()));
        int last = accepted();
        Solution solution = finished();

        assertThat(last).isGreaterThanOrEqualTo(pausedAfter + 3).isLessThan(400);
        assertThat(solution.point().iterations()).isEqualTo(last);
        assertThat(listener.telemetry()).hasSize(last + 1);
        // The point a run stopped at k reports is the one a run limited to k iterations reports, oracle calls and all.
        Reference.Run expected = Reference.switching(PROBLEM, config.withMaxIterations(last), BEFORE, pausedAfter,
                AFTER, "p3");
        assertThat(solution.point()).isEqualTo(expected.point());
        assertThat(listener.points()).containsExactly(expected.point());
        assertThat(Reference.withoutTimings(listener.telemetry())).isEqualTo(Reference.withoutTimings(expected.telemetry()));
    }

    @Test
    void stopWhilePausedEndsTheRunAtTheIterateItPausedAt() throws Exception {
        WcMhgdConfig config = config(400);
        RecordingListener listener = new RecordingListener(2);
        ActorRef<Coordinator.Command> coordinator = start(config, listener);
        listener.awaitIteration();

        coordinator.tell(new Coordinator.Pause(control.getRef()));
        int pausedAfter = accepted();
        awaitTelemetry(listener, pausedAfter);
        coordinator.tell(new Coordinator.Stop(control.getRef()));
        assertThat(accepted()).isEqualTo(pausedAfter);

        Solution solution = finished();
        Reference.Run expected = Reference.synchronous(PROBLEM, config.withMaxIterations(pausedAfter), BEFORE, "p3");
        assertThat(solution.point()).isEqualTo(expected.point());
    }

    @Test
    void anInvalidPreferenceIsRejectedWithTheFieldAndTheValueAndTheRunGoesOnUnchanged() {
        WcMhgdConfig config = config(20);
        RecordingListener listener = new RecordingListener();
        ActorRef<Coordinator.Command> coordinator = start(config, listener);

        coordinator.tell(new Coordinator.SetPreference(new double[] {0.5, 0.6}, control.getRef()));
        RuntimeException notSummingToOne =
                control.expectMessageClass(Coordinator.Rejected.class, Duration.ofSeconds(10)).reason();
        coordinator.tell(new Coordinator.SetPreference(new double[] {1.0}, control.getRef()));
        RuntimeException wrongLength =
                control.expectMessageClass(Coordinator.Rejected.class, Duration.ofSeconds(10)).reason();
        coordinator.tell(new Coordinator.SetPreference(new double[] {1.2, -0.2}, control.getRef()));
        RuntimeException negative =
                control.expectMessageClass(Coordinator.Rejected.class, Duration.ofSeconds(10)).reason();

        assertThat(notSummingToOne).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("preference").hasMessageContaining("[0.5, 0.6]").hasMessageContaining("summing to 1");
        assertThat(wrongLength).isInstanceOf(InvalidInputException.class).hasMessageContaining("length 2");
        assertThat(negative).isInstanceOf(InvalidInputException.class).hasMessageContaining("preference[1]");
        Solution solution = finished();
        assertThat(solution.point()).isEqualTo(Reference.synchronous(PROBLEM, config, BEFORE, "p3").point());
    }

    private static void awaitTelemetry(RecordingListener listener, int iteration) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (listener.telemetry().size() <= iteration) {
            if (System.nanoTime() > deadline) throw new AssertionError("iteration " + iteration + " never came");
            Thread.sleep(5);
        }
    }
}
