package io.mobl.core.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.core.algorithm.forum.ForumConfig;
import io.mobl.core.data.HyperCleaningSplit;
import io.mobl.core.data.LabelledImages;
import io.mobl.core.model.Precision;
import io.mobl.core.problem.hypercleaning.SyntheticImages;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MinibatchHyperCleaningRunTest {
    /** Two synthetic tasks, 250 noisy training images each (a 500-sample slice), half of the labels corrupted. */
    static final List<LabelledImages> DATA = List.of(SyntheticImages.clusters("a", 600, 12, 4, 0.25, 1),
            SyntheticImages.clusters("b", 600, 12, 4, 0.25, 2));

    static HyperCleaningSettings settings() {
        return new HyperCleaningSettings(List.of("a", "b"), new HyperCleaningSplit.Sizes(250, 100, 100, 100, 0.5),
                new int[0], 1e-3, 8, 0.5, 1000, 0.1, 4, 40, 1);
    }

    @Test
    void stochasticForumRaisesTheWeightsOfCleanSamplesAboveTheCorruptedOnesOnA500SampleSlice() {
        // the constraint batch is all 500 samples, so every weight is updated each iteration. FORUM first lowers every
        // weight while y is far from ỹ^T (all losses fall with training), then, as y fits the validation sets, lowers
        // the corrupted ones, whose losses only the extra lower steps reduce
        MinibatchHyperCleaningRun.Setting setting = new MinibatchHyperCleaningRun.Setting(50, 8, 0.5, 500, 50, 3000,
                1, 0.5, ForumConfig.Metric.STEP_SCALED, 40, 5, 0, 0);
        List<String> lines = new ArrayList<>();
        HyperCleaningRun.Outcome o = MinibatchHyperCleaningRun.run(settings(), setting, "forum-stochastic", DATA, 0,
                "t", Precision.FLOAT64, lines::add);
        for (int i = 0; i < 2; i++) {
            assertThat(o.cleanWeight()[i]).as("task " + i).isGreaterThan(o.corruptedWeight()[i] + 0.1);
            assertThat(o.test().get(i).accuracy()).isGreaterThan(0.6); // 4 classes: chance is 0.25
        }
        assertThat(lines).hasSize(9); // k = 0, 5, …, 35 and the last, 39
    }

    @Test
    void stochasticMomlRaisesTheWeightsOfCleanSamplesAboveTheCorruptedOnesOnA500SampleSlice() {
        MinibatchHyperCleaningRun.Setting setting = new MinibatchHyperCleaningRun.Setting(100, 8, 0.5, 100, 50, 1000,
                1, 0.5, ForumConfig.Metric.EUCLIDEAN, 15, 5, 0, 0);
        HyperCleaningRun.Outcome o = MinibatchHyperCleaningRun.run(settings(), setting, "moml-stochastic", DATA, 0,
                "t", Precision.FLOAT64, line -> { });
        for (int i = 0; i < 2; i++) {
            assertThat(o.cleanWeight()[i]).as("task " + i).isGreaterThan(o.corruptedWeight()[i] + 0.02);
        }
    }

    @Test
    void theReportedScoresAreThoseOfTheIterateThatScoredBestOnTheSelectionSetsAndPatienceStopsTheRun() {
        MinibatchHyperCleaningRun.Setting setting = new MinibatchHyperCleaningRun.Setting(50, 4, 0.5, 100, 50, 1000,
                1, 0.5, ForumConfig.Metric.STEP_SCALED, 30, 1, 3, 0.2);
        HyperCleaningRun.Outcome o = MinibatchHyperCleaningRun.run(settings(), setting, "forum-stochastic", DATA, 1,
                "t", Precision.FLOAT64, line -> { });
        List<ModelSelection.Point> curve = o.curve();
        ModelSelection.Point best = curve.get(0);
        for (ModelSelection.Point p : curve) {
            if (mean(p.selectionAccuracy()) > mean(best.selectionAccuracy())) best = p;
        }
        assertThat(o.selectedIteration()).isEqualTo(best.iteration());
        for (int i = 0; i < 2; i++) assertThat(o.test().get(i).accuracy()).isEqualTo(best.testAccuracy()[i]);
        // both the iterate and the running average are scored at every point
        assertThat(curve.stream().filter(p -> p.model().equals("average")).count())
                .isEqualTo(curve.stream().filter(p -> p.model().equals("iterate")).count());
        // patience: the run stops 3 scorings after its best iterate, unless the best came within the last 3
        int lastIteration = curve.get(curve.size() - 1).iteration();
        assertThat(lastIteration == 29 || lastIteration - o.selectedIteration() >= 3).isTrue();
    }

    private static double mean(double[] values) {
        return java.util.Arrays.stream(values).average().orElseThrow();
    }
}
