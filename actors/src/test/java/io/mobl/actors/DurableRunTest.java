package io.mobl.actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.WcMhgdAlgorithm;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.algorithm.WcMhgdState;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.CountingProblem;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Durable coordinators: a run that dies between checkpoints and is started again goes on from its last checkpoint
 * and leaves what an uninterrupted run leaves (each iteration's telemetry once, the same point); a finished run
 * gives its point back without computing; a checkpoint of another problem, and checkpoints of an algorithm that
 * has no codec, are refused naming why.
 */
class DurableRunTest {
    private static final BilevelProblem PROBLEM = QuadraticProblems.dense(5, 4, 5, 2, 3, 1.0);
    private static final WcMhgdConfig CONFIG = WcMhgdConfig.defaults(PROBLEM, new ConjugateGradient(5), 5, 1.0, 40, 0);
    private static final List<double[]> PREFERENCES = List.of(new double[] {0.3, 0.7}, new double[] {0.6, 0.4});
    private static final ActorRuntime RUNTIME = new ActorRuntime(
            new RuntimeSettings(Duration.ofSeconds(30), 3, Duration.ofMillis(5), Duration.ofMinutes(5),
                    Duration.ofSeconds(1)));

    @AfterAll
    static void close() {
        RUNTIME.close();
    }

    private static AlgorithmSweepSpec sweep(BilevelProblem problem, MemoryJournals journals, int every,
                                            AtomicInteger steps) {
        return AlgorithmSweepSpec.of(i -> AlgorithmSweepSpec.Part.of(new WcMhgdAlgorithm(new CountingProblem(problem),
                        CONFIG)), PREFERENCES, CONFIG.maxIterations(), "durable", RunListener.NONE)
                .withCheckpointing(Checkpointing.every(every, journals))
                .withObserver((index, report) -> {
                    if (index == 0) steps.incrementAndGet();
                });
    }

    private static List<ParetoPoint> points(AlgorithmSweepSpec spec) throws Exception {
        return RUNTIME.sweep(spec).points().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Test
    void aRunThatDiesBetweenCheckpointsResumesFromTheLastAndLeavesWhatAnUninterruptedRunLeaves() throws Exception {
        MemoryJournals straight = new MemoryJournals();
        List<ParetoPoint> expected = points(sweep(PROBLEM, straight, 4, new AtomicInteger()));

        MemoryJournals crashed = new MemoryJournals();
        crashed.crashAt(0, 20); // the checkpoints at 4..16 are in; the process dies committing 20
        assertThatThrownBy(() -> points(sweep(PROBLEM, crashed, 4, new AtomicInteger())))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(RunFailedException.class)
                .hasMessageContaining("simulated crash");
        AtomicInteger steps = new AtomicInteger();
        List<ParetoPoint> resumed = points(sweep(PROBLEM, crashed, 4, steps));

        assertThat(resumed).isEqualTo(expected); // x, objectives, gap, k and the oracle counts
        // preference 0 died committing 20 and goes on from 16 (preference 1 was stopped with the sweep, wherever it was)
        assertThat(steps.get()).as("steps of preference 0 computed after the resume")
                .isEqualTo(CONFIG.maxIterations() - 16 + 1);
        assertThat(withoutTimings(crashed.telemetry())).as("every iteration's telemetry once, as if never stopped")
                .containsExactlyInAnyOrderElementsOf(withoutTimings(straight.telemetry()))
                .hasSize(2 * (CONFIG.maxIterations() + 1));
        assertThat(crashed.points()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void aFinishedRunGivesItsPointBackWithoutComputing() throws Exception {
        MemoryJournals journals = new MemoryJournals();
        List<ParetoPoint> first = points(sweep(PROBLEM, journals, 10, new AtomicInteger()));
        AtomicInteger steps = new AtomicInteger();
        List<ParetoPoint> again = points(sweep(PROBLEM, journals, 10, steps));
        assertThat(again).isEqualTo(first);
        assertThat(steps.get()).as("steps of preference 0").isZero();
        assertThat(journals.points()).hasSize(2); // nothing journaled twice
    }

    @Test
    void aCheckpointOfAnotherProblemIsRefusedNamingTheField() throws Exception {
        MemoryJournals journals = new MemoryJournals();
        BilevelProblem wider = QuadraticProblems.dense(5, 6, 5, 2, 3, 1.0);
        points(sweep(wider, journals, 10, new AtomicInteger()).withUntil((k, measure) -> k >= 12));
        assertThatThrownBy(() -> points(sweep(PROBLEM, journals, 10, new AtomicInteger())))
                .hasCauseInstanceOf(RunFailedException.class).hasMessageContaining("checkpoint.upperDimension")
                .hasMessageContaining("cannot be resumed");
    }

    @Test
    void anAlgorithmWithoutAStateCodecRefusesCheckpoints() {
        IterativeAlgorithm<WcMhgdState> plain = new WcMhgdAlgorithm(PROBLEM, CONFIG);
        IterativeAlgorithm<WcMhgdState> uncheckpointable = new IterativeAlgorithm<>() {
            @Override public String name() { return "plain"; }
            @Override public BilevelProblem problem() { return plain.problem(); }
            @Override public WcMhgdState initialState(double[] r, INDArray x0) { return plain.initialState(r, x0); }
            @Override public Step<WcMhgdState> step(WcMhgdState s) { return plain.step(s); }
            // every algorithm must now say how it checkpoints; this one says it cannot
            @Override public io.mobl.core.checkpoint.StateCodec<WcMhgdState> stateCodec() {
                throw new UnsupportedOperationException(name() + " cannot be checkpointed yet");
            }
            @Override public String configuration() { return ""; }
        };
        assertThatThrownBy(() -> AlgorithmSweepSpec.of(i -> AlgorithmSweepSpec.Part.of(uncheckpointable), PREFERENCES,
                5, "plain", RunListener.NONE).withCheckpointing(Checkpointing.every(2, new MemoryJournals())))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("checkpoint-every")
                .hasMessageContaining("plain cannot be checkpointed");
    }

    private static List<IterateTelemetry> withoutTimings(List<IterateTelemetry> telemetry) {
        return Reference.withoutTimings(telemetry);
    }

}
