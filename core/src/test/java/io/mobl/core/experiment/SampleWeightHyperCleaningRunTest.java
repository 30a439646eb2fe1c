package io.mobl.core.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.core.data.HyperCleaningSplit;
import io.mobl.core.data.LabelledImages;
import io.mobl.core.model.Precision;
import io.mobl.core.problem.hypercleaning.SyntheticImages;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SampleWeightHyperCleaningRunTest {

    @Test
    void stochasticWcMhgdRaisesTheWeightsOfCleanSamplesAboveTheCorruptedOnes() {
        // Two synthetic tasks, 150 training images each with half the labels corrupted: the validation sets are
        // clean, so the hypergradient must push the corrupted samples' weights below the clean ones'.
        List<LabelledImages> data = List.of(SyntheticImages.clusters("a", 500, 20, 4, 0.3, 3),
                SyntheticImages.clusters("b", 500, 20, 4, 0.3, 4));
        HyperCleaningSettings settings = HyperCleaningSettings.logisticDefaults()
                .withSizes(new HyperCleaningSplit.Sizes(150, 100, 100, 100, 0.5)).withIterations(15);
        settings = new HyperCleaningSettings(List.of("a", "b"), settings.sizes(), new int[0], 1e-3, 1, 0.3, 600, 0.1,
                5, 15, 5);
        SampleWeightHyperCleaningRun.Sampling sampling = new SampleWeightHyperCleaningRun.Sampling(40, 10, 0.5, 300,
                3, 0.3, 60, 600, 15, 5);
        List<String> lines = new ArrayList<>();
        HyperCleaningRun.Outcome o = SampleWeightHyperCleaningRun.run(settings, sampling, data, new double[] {0.5, 0.5},
                0, "t", Precision.FLOAT64, lines::add);

        for (int i = 0; i < 2; i++) {
            assertThat(o.cleanWeight()[i]).isGreaterThan(o.corruptedWeight()[i] + 0.02);
            assertThat(o.test().get(i).accuracy()).isGreaterThan(0.4); // 4 classes: chance is 0.25
        }
        assertThat(lines).hasSize(4); // k = 0, 5, 10, 15
        assertThat(o.point()).isNotNull();
    }
}
