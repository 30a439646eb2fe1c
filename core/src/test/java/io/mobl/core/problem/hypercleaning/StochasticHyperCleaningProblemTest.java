package io.mobl.core.problem.hypercleaning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mobl.core.data.HyperCleaningSplit;
import io.mobl.core.data.LabelledImages;
import io.mobl.core.experiment.StochasticHyperCleaningRun;
import io.mobl.core.experiment.StochasticHyperCleaningSettings;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.model.MultiHeadNetwork;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.core.stochastic.SampleBatch;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class StochasticHyperCleaningProblemTest {
    static final double H = 1e-5;
    static final int DIMENSION = 12;
    static final int CLASSES = 4;
    static final double[] RATES = {0.1, 0.4, 0.7};

    /** One synthetic data set split at three corruption rates with one seed: 200 training, 100 validation images. */
    static List<HyperCleaningSplit> splits() {
        LabelledImages images = SyntheticImages.clusters("c", 400, DIMENSION, CLASSES, 0.25, 3);
        List<HyperCleaningSplit> splits = new ArrayList<>();
        for (double rate : RATES) {
            splits.add(HyperCleaningSplit.of(images, new HyperCleaningSplit.Sizes(200, 100, 0, 100, rate), 17));
        }
        return splits;
    }

    static INDArray gaussian(long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
        return Vectors.of(v);
    }

    static StochasticHyperCleaningProblem problem(MultiHeadNetwork network) {
        return new StochasticHyperCleaningProblem(network, Math.log(1e-2), network.initialParameters(5));
    }

    @Test
    void onTheWholeTrainingSetTheOraclesAreTwiceTheDeterministicProblemsWithEveryWeightAHalf() {
        // The deterministic problem with one task per rate, at x = 0 (σ = ½) and ℓ2 weight μ, has
        // g = ½ Σ_s mean ℓ_s + (μ/2)‖y‖²: exactly half of G on all training images with e^x = 2μ.
        double mu = 3e-3;
        MultiHeadNetwork network = new MultiHeadNetwork(DIMENSION, new int[] {6}, CLASSES, RATES.length);
        List<HyperCleaningSplit> splits = splits();
        HyperCleaningProblem deterministic = HyperCleaningProblem.of(network, List.of("a", "b", "c"), splits, mu, 5);
        StochasticHyperCleaningProblem stochastic = new StochasticHyperCleaningProblem(network, Math.log(2 * mu),
                network.initialParameters(5));
        CorruptionRateSamples samples = CorruptionRateSamples.of(splits, 9);
        SampleBatch all = SampleBatch.of(samples.batch(Minibatch.LOWER, 0, 200));
        SampleBatch validation = SampleBatch.of(samples.batch(1, 0, 100));

        INDArray x = stochastic.initialUpper();
        INDArray xDet = deterministic.initialUpper();
        INDArray y = network.initialParameters(5).addi(gaussian(network.parameterCount(), 2).muli(0.1));
        INDArray v = gaussian(network.parameterCount(), 3);

        assertThat(stochastic.lowerValue(x, y, all)).isCloseTo(2 * deterministic.lowerValue(xDet, y), within(1e-10));
        assertClose(stochastic.lowerGradient(x, y, all), deterministic.lowerGradient(xDet, y).muli(2), 1e-10);
        assertClose(stochastic.hessianVector(x, y, v, all), deterministic.hessianVector(xDet, y, v).muli(2), 1e-10);
        UpperEvaluation f = stochastic.upper(1, x, y, validation);
        UpperEvaluation fDet = deterministic.upper(1, xDet, y);
        assertThat(f.value()).isCloseTo(fDet.value(), within(1e-12));
        assertClose(f.gradientY(), fDet.gradientY(), 1e-10);
        assertThat(Vectors.norm(f.gradientX())).isZero();
    }

    @Test
    void theOraclesAreTheDerivativesOfTheBatchMeanLossForEitherModel() {
        for (MultiHeadNetwork network : List.of(MultiHeadNetwork.logistic(DIMENSION, CLASSES, RATES.length),
                new MultiHeadNetwork(DIMENSION, new int[] {6}, CLASSES, RATES.length))) {
            StochasticHyperCleaningProblem p = problem(network);
            CorruptionRateSamples samples = CorruptionRateSamples.of(splits(), 4);
            SampleBatch batch = SampleBatch.of(samples.batch(Minibatch.LOWER, 3, 40));
            INDArray x = Vectors.of(Math.log(0.05));
            INDArray y = gaussian(p.lowerDimension(), 6).muli(0.3);
            INDArray v = gaussian(p.lowerDimension(), 7);

            double directional = (p.lowerValue(x, y.add(v.mul(H)), batch) - p.lowerValue(x, y.sub(v.mul(H)), batch)) / (2 * H);
            assertThat(Vectors.dot(p.lowerGradient(x, y, batch), v)).isCloseTo(directional, within(1e-6 * Math.abs(directional)));

            INDArray hvFd = p.lowerGradient(x, y.add(v.mul(H)), batch).sub(p.lowerGradient(x, y.sub(v.mul(H)), batch)).divi(2 * H);
            assertThat(Vectors.norm(p.hessianVector(x, y, v, batch).sub(hvFd)) / Vectors.norm(hvFd)).isLessThan(1e-6);

            // ∇²_xy G·v = d/dx ⟨∇_y G(x, y), v⟩ (p = 1)
            double mixedFd = (Vectors.dot(p.lowerGradient(x.add(H), y, batch), v)
                    - Vectors.dot(p.lowerGradient(x.sub(H), y, batch), v)) / (2 * H);
            assertThat(p.jacobianVector(x, y, v, batch).getDouble(0)).isCloseTo(mixedFd, within(1e-6 * Math.abs(mixedFd)));

            for (int s = 0; s < RATES.length; s++) {
                SampleBatch upper = SampleBatch.of(samples.batch(s, 1, 30));
                UpperEvaluation f = p.upper(s, x, y, upper);
                double fd = (p.upper(s, x, y.add(v.mul(H)), upper).value() - p.upper(s, x, y.sub(v.mul(H)), upper).value()) / (2 * H);
                assertThat(Vectors.dot(f.gradientY(), v)).isCloseTo(fd, within(1e-6 * Math.abs(fd)));
                assertThat(f.value()).isEqualTo(p.upper(s, Vectors.of(3.0), y, upper).value());
            }
        }
    }

    @Test
    void anOracleOnTwoMinibatchesIsTheSizeWeightedMeanOfItsOracleOnEach() {
        StochasticHyperCleaningProblem p = problem(MultiHeadNetwork.logistic(DIMENSION, CLASSES, RATES.length));
        CorruptionRateSamples samples = CorruptionRateSamples.of(splits(), 4);
        Minibatch a = samples.batch(Minibatch.LOWER, 0, 30);
        Minibatch b = samples.batch(Minibatch.LOWER, 7, 10);
        INDArray x = p.initialUpper();
        INDArray y = gaussian(p.lowerDimension(), 8);
        INDArray v = gaussian(p.lowerDimension(), 9);
        INDArray both = p.lowerGradient(x, y, new SampleBatch(Minibatch.LOWER, List.of(a, b)));
        INDArray weighted = p.lowerGradient(x, y, SampleBatch.of(a)).muli(0.75)
                .addi(p.lowerGradient(x, y, SampleBatch.of(b)).muli(0.25));
        assertClose(both, weighted, 1e-12);
        INDArray hv = p.hessianVector(x, y, v, new SampleBatch(Minibatch.LOWER, List.of(a, b)));
        assertClose(hv, p.hessianVector(x, y, v, SampleBatch.of(a)).muli(0.75)
                .addi(p.hessianVector(x, y, v, SampleBatch.of(b)).muli(0.25)), 1e-12);
    }

    @Test
    void lowerBatchesCarryEveryTrainingImageOncePerEpochWithItsNoisyLabelUnderEachRate() {
        List<HyperCleaningSplit> splits = splits();
        CorruptionRateSamples samples = CorruptionRateSamples.of(splits, 4);
        int[] seen = new int[200];
        for (int i = 0; i < 8; i++) { // two epochs of 50-row batches
            Minibatch m = samples.batch(Minibatch.LOWER, i, 50);
            assertThat(m).isEqualTo(samples.batch(Minibatch.LOWER, i, 50));
            for (int row = 0; row < m.rows(); row++) {
                int id = (int) m.sampleIds()[row];
                seen[id]++;
                for (int s = 0; s < RATES.length; s++) {
                    assertThat((int) m.label(row, s)).isEqualTo(splits.get(s).train().labels()[id]);
                }
                assertThat(m.feature(row, 3)).isEqualTo(splits.get(0).train().pixels()[id][3]);
            }
        }
        assertThat(seen).containsOnly(2);
        for (int s = 0; s < RATES.length; s++) {
            assertThat(count(splits.get(s).corrupted())).isEqualTo((int) Math.round(RATES[s] * 200));
        }
    }

    @Test
    void aMinibatchWithAnotherShapeOrLabelsThatAreNoClassIsRefusedWithItsName() {
        StochasticHyperCleaningProblem p = problem(MultiHeadNetwork.logistic(DIMENSION, CLASSES, RATES.length));
        INDArray x = p.initialUpper();
        INDArray y = p.initialLower();
        double[] features = new double[2 * DIMENSION];
        Minibatch oneLabel = new Minibatch("bad-shape", Minibatch.LOWER, Minibatch.Dtype.FLOAT64, 2, DIMENSION, 1,
                features, new double[] {0, 1}, new long[] {0, 1});
        assertThatThrownBy(() -> p.lowerGradient(x, y, SampleBatch.of(oneLabel)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("bad-shape").hasMessageContaining("labelDim");
        double[] labels = {0, 1, 2, 1, 7, 0};
        Minibatch noClass = new Minibatch("bad-label", Minibatch.LOWER, Minibatch.Dtype.FLOAT64, 2, DIMENSION, 3,
                features, labels, new long[] {0, 1});
        assertThatThrownBy(() -> p.lowerGradient(x, y, SampleBatch.of(noClass)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("bad-label.labels[1][1]")
                .hasMessageContaining("class index");
    }

    @Test
    void stochasticWcMhgdMovesTheSharedRegularisationTowardTheExtremelyPreferredRate() {
        // 100 training images of 30 overlapping features: the clean labels want a light ℓ2 weight, the labels
        // corrupted at 60% a heavier one. Each extreme preference must pull e^x its own way and win on its objective.
        LabelledImages images = SyntheticImages.clusters("t", 500, 30, CLASSES, 0.3, 3);
        StochasticHyperCleaningSettings settings = new StochasticHyperCleaningSettings(new double[] {0.0, 0.6},
                new HyperCleaningSplit.Sizes(100, 200, 0, 200, 0), new int[0], 1e-2, 30, 20, 0.2, 100, 10, 20, 50, 50,
                5, 0.05, 10);
        StochasticHyperCleaningRun.Outcome clean = StochasticHyperCleaningRun.run(settings, images,
                new double[] {0.96, 0.04}, 0, k -> { });
        StochasticHyperCleaningRun.Outcome noisy = StochasticHyperCleaningRun.run(settings, images,
                new double[] {0.04, 0.96}, 0, k -> { });

        assertThat(noisy.regularisation()).isGreaterThan(1.2 * clean.regularisation());
        assertThat(clean.validationLoss()[0]).isLessThan(noisy.validationLoss()[0]);
        assertThat(noisy.validationLoss()[1]).isLessThan(clean.validationLoss()[1]);
        assertThat(clean.trajectory()).hasSize(31);
        assertThat(clean.trajectory()[0]).isCloseTo(1e-2, within(1e-15));
    }

    private static int count(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) if (f) n++;
        return n;
    }

    private static void assertClose(INDArray actual, INDArray expected, double relative) {
        assertThat(Vectors.norm(actual.sub(expected))).isLessThanOrEqualTo(relative * Math.max(1, Vectors.norm(expected)));
    }
}
