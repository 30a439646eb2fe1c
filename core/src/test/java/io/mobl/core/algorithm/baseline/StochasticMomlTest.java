package io.mobl.core.algorithm.baseline;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.WcMhgdState;
import io.mobl.core.data.HyperCleaningSplit;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.model.MultiHeadNetwork;
import io.mobl.core.problem.hypercleaning.HyperCleaningProblem;
import io.mobl.core.problem.hypercleaning.SampleWeightHyperCleaningProblem;
import io.mobl.core.problem.hypercleaning.SampleWeightSamples;
import io.mobl.core.problem.hypercleaning.SyntheticImages;
import io.mobl.core.stochastic.GeneratedBatchSource;
import io.mobl.protocol.Minibatch;
import java.time.Duration;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class StochasticMomlTest {

    @Test
    void onWholeSetBatchesEveryStepIsTheDeterministicMomlStep() {
        // N = 60 + 90 training images, 40 validation images per task; minibatches of 10 rows, so a lower batch of
        // 150 is one whole seeded epoch and an upper batch of 40 the whole validation set
        List<HyperCleaningSplit> splits = List.of(
                HyperCleaningSplit.of(SyntheticImages.clusters("a", 200, 12, 4, 0.25, 3),
                        new HyperCleaningSplit.Sizes(60, 40, 0, 40, 0.5), 11),
                HyperCleaningSplit.of(SyntheticImages.clusters("b", 200, 12, 4, 0.35, 4),
                        new HyperCleaningSplit.Sizes(90, 40, 0, 40, 0.5), 12));
        HyperCleaningProblem det = HyperCleaningProblem.of(new MultiHeadNetwork(12, new int[] {6}, 4, 2),
                List.of("a", "b"), splits, 2e-3, 5);
        HypergradientDescent moml = new HypergradientDescent(det, HypergradientDescentConfig.moml(3, 0.3, 400));
        StochasticMoml stochastic = new StochasticMoml(SampleWeightHyperCleaningProblem.of(det),
                new GeneratedBatchSource(SampleWeightSamples.of(splits, 7), 2, 10),
                new StochasticMomlConfig(3, 0.3, 400, 150, 40, Duration.ofSeconds(1)));
        WcMhgdState a = moml.initialState(new double[] {0.5, 0.5}, det.initialUpper());
        WcMhgdState b = stochastic.initialState(new double[] {0.5, 0.5}, det.initialUpper());
        for (int k = 0; k < 3; k++) {
            IterativeAlgorithm.Step<WcMhgdState> sa = moml.step(a);
            IterativeAlgorithm.Step<WcMhgdState> sb = stochastic.step(b);
            for (int i = 0; i < 2; i++) {
                assertThat(sb.report().weights()[i]).isCloseTo(sa.report().weights()[i], Offset.offset(1e-10));
                assertThat(sb.report().objectives()[i]).isCloseTo(sa.report().objectives()[i], Offset.offset(1e-10));
            }
            assertThat(sb.used()).hasSize(3 * 15 + 2 * 4);
            assertThat(sb.used().subList(0, 45)).allMatch(m -> m.objective() == Minibatch.LOWER);
            a = sa.next();
            b = sb.next();
            assertThat(Vectors.norm(b.x().sub(a.x()))).isLessThan(1e-10 * Math.max(1, Vectors.norm(a.x())));
            assertThat(Vectors.norm(b.lower().sub(a.lower()))).isLessThan(1e-10 * Math.max(1, Vectors.norm(a.lower())));
        }
        INDArray moved = b.x().sub(det.initialUpper());
        assertThat(Vectors.norm(moved)).isGreaterThan(1e-6);
    }
}
