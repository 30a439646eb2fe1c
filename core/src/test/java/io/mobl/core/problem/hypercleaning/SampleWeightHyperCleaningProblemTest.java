package io.mobl.core.problem.hypercleaning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mobl.core.data.HyperCleaningSplit;
import io.mobl.core.data.LabelledImages;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.model.MultiHeadNetwork;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.core.stochastic.SampleBatch;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class SampleWeightHyperCleaningProblemTest {
    static final double H = 1e-5;
    static final int DIMENSION = 12;
    static final int CLASSES = 4;

    /** Two tasks of different sizes (N_1 = 60, N_2 = 90), so the factor N/N_i differs between them. */
    static List<HyperCleaningSplit> splits() {
        LabelledImages a = SyntheticImages.clusters("a", 200, DIMENSION, CLASSES, 0.25, 3);
        LabelledImages b = SyntheticImages.clusters("b", 200, DIMENSION, CLASSES, 0.35, 4);
        return List.of(HyperCleaningSplit.of(a, new HyperCleaningSplit.Sizes(60, 40, 0, 40, 0.5), 11),
                HyperCleaningSplit.of(b, new HyperCleaningSplit.Sizes(90, 30, 0, 40, 0.5), 12));
    }

    static INDArray gaussian(long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
        return Vectors.of(v);
    }

    static HyperCleaningProblem deterministic() {
        MultiHeadNetwork network = new MultiHeadNetwork(DIMENSION, new int[] {6}, CLASSES, 2);
        return HyperCleaningProblem.of(network, List.of("a", "b"), splits(), 2e-3, 5);
    }

    @Test
    void onABatchThatIsTheWholeTrainingSetEveryOracleIsTheDeterministicProblems() {
        HyperCleaningProblem det = deterministic();
        SampleWeightHyperCleaningProblem p = SampleWeightHyperCleaningProblem.of(det);
        SampleWeightSamples samples = SampleWeightSamples.of(splits(), 9);
        assertThat(p.upperDimension()).isEqualTo(150).isEqualTo(det.upperDimension());
        // one epoch: every training sample of both tasks once, in a shuffled order, split over two minibatches
        SampleBatch all = new SampleBatch(Minibatch.LOWER,
                List.of(samples.batch(Minibatch.LOWER, 0, 75), samples.batch(Minibatch.LOWER, 1, 75)));

        INDArray x = gaussian(150, 1);
        INDArray y = p.initialLower().addi(gaussian(p.lowerDimension(), 2).muli(0.1));
        INDArray v = gaussian(p.lowerDimension(), 3);

        assertThat(p.lowerValue(x, y, all)).isCloseTo(det.lowerValue(x, y), within(1e-10));
        assertClose(p.lowerGradient(x, y, all), det.lowerGradient(x, y), 1e-10);
        assertClose(p.lowerGradientX(x, y, all), det.lowerGradientX(x, y), 1e-10);
        assertClose(p.hessianVector(x, y, v, all), det.hessianVector(x, y, v), 1e-10);
        assertClose(p.jacobianVector(x, y, v, all), det.jacobianVector(x, y, v), 1e-10);
        for (int s = 0; s < 2; s++) {
            int m = det.tasks().get(s).validation().size();
            UpperEvaluation f = p.upper(s, x, y, SampleBatch.of(samples.batch(s, 0, m)));
            UpperEvaluation fDet = det.upper(s, x, y);
            assertThat(f.value()).isCloseTo(fDet.value(), within(1e-12));
            assertClose(f.gradientY(), fDet.gradientY(), 1e-10);
            assertThat(Vectors.norm(f.gradientX())).isZero();
        }
    }

    @Test
    void theOraclesAreTheDerivativesOfTheBatchMeanOnASmallBatchWithRepeatedSamples() {
        SampleWeightHyperCleaningProblem p = SampleWeightHyperCleaningProblem.of(deterministic());
        SampleWeightSamples samples = SampleWeightSamples.of(splits(), 4);
        // 130 rows from index 1: positions 130 … 259 cross an epoch boundary (150), so some samples occur twice
        SampleBatch batch = SampleBatch.of(samples.batch(Minibatch.LOWER, 1, 130));
        long[] ids = batch.parts().get(0).sampleIds();
        assertThat(java.util.Arrays.stream(ids).distinct().count()).isLessThan(ids.length);
        INDArray x = gaussian(150, 5);
        INDArray y = p.initialLower().addi(gaussian(p.lowerDimension(), 6).muli(0.2));
        INDArray v = gaussian(p.lowerDimension(), 7);
        INDArray u = gaussian(150, 8);

        double directional = (p.lowerValue(x, y.add(v.mul(H)), batch) - p.lowerValue(x, y.sub(v.mul(H)), batch)) / (2 * H);
        assertThat(Vectors.dot(p.lowerGradient(x, y, batch), v)).isCloseTo(directional, within(1e-6 * Math.abs(directional)));

        INDArray hvFd = p.lowerGradient(x, y.add(v.mul(H)), batch).sub(p.lowerGradient(x, y.sub(v.mul(H)), batch)).divi(2 * H);
        assertThat(Vectors.norm(p.hessianVector(x, y, v, batch).sub(hvFd)) / Vectors.norm(hvFd)).isLessThan(1e-6);

        // ⟨u, ∇²_xy G·v⟩ = d/dt ⟨∇_y G(x + tu, y), v⟩
        double mixedFd = (Vectors.dot(p.lowerGradient(x.add(u.mul(H)), y, batch), v)
                - Vectors.dot(p.lowerGradient(x.sub(u.mul(H)), y, batch), v)) / (2 * H);
        INDArray jv = p.jacobianVector(x, y, v, batch);
        assertThat(Vectors.dot(u, jv)).isCloseTo(mixedFd, within(1e-6 * Math.abs(mixedFd)));
        // ⟨u, ∇_x G⟩ = d/dt G(x + tu, y): FORUM's constraint gradient
        double valueFd = (p.lowerValue(x.add(u.mul(H)), y, batch) - p.lowerValue(x.sub(u.mul(H)), y, batch)) / (2 * H);
        INDArray gx = p.lowerGradientX(x, y, batch);
        assertThat(Vectors.dot(u, gx)).isCloseTo(valueFd, within(1e-6 * Math.abs(valueFd)));
        // both nonzero only at the batch's sample ids
        java.util.Set<Long> in = new java.util.HashSet<>();
        for (long id : ids) in.add(id);
        for (int k = 0; k < 150; k++) {
            if (!in.contains((long) k)) {
                assertThat(jv.getDouble(k)).isZero();
                assertThat(gx.getDouble(k)).isZero();
            }
        }
    }

    @Test
    void aMalformedMinibatchIsRefusedNamingTheField() {
        SampleWeightHyperCleaningProblem p = SampleWeightHyperCleaningProblem.of(deterministic());
        INDArray x = p.initialUpper();
        INDArray y = p.initialLower();
        double[] features = new double[2 * DIMENSION];
        Minibatch farId = new Minibatch("far-id", Minibatch.LOWER, Minibatch.Dtype.FLOAT64, 2, DIMENSION, 1,
                features, new double[] {0, 1}, new long[] {3, 150});
        assertThatThrownBy(() -> p.lowerGradient(x, y, SampleBatch.of(farId)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("far-id.sampleIds[1]")
                .hasMessageContaining("150");
        Minibatch noClass = new Minibatch("no-class", Minibatch.LOWER, Minibatch.Dtype.FLOAT64, 2, DIMENSION, 1,
                features, new double[] {0, 2.5}, new long[] {0, 1});
        assertThatThrownBy(() -> p.hessianVector(x, y, y, SampleBatch.of(noClass)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("no-class.labels[1]")
                .hasMessageContaining("class index");
        Minibatch twoLabels = new Minibatch("two-labels", Minibatch.LOWER, Minibatch.Dtype.FLOAT64, 2, DIMENSION, 2,
                features, new double[] {0, 1, 1, 0}, new long[] {0, 1});
        assertThatThrownBy(() -> p.jacobianVector(x, y, y, SampleBatch.of(twoLabels)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("two-labels.labelDim");
        Minibatch validation = SampleWeightSamples.of(splits(), 1).batch(0, 0, 5);
        assertThatThrownBy(() -> p.lowerGradient(x, y, SampleBatch.of(validation)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("objective");
    }

    private static void assertClose(INDArray actual, INDArray expected, double relative) {
        assertThat(Vectors.norm(actual.sub(expected))).isLessThanOrEqualTo(relative * Math.max(1, Vectors.norm(expected)));
    }
}
