package io.mobl.core.stochastic;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.quadratic.DenseMap;
import java.util.ArrayList;
import java.util.List;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.ArrayRealVector;
import org.hipparchus.linear.LUDecomposition;
import org.hipparchus.linear.MatrixUtils;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.RealVector;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class NeumannHessianInverseTest {
    private static final StochasticQuadraticSpec SPEC = StochasticQuadraticSpec.defaults(21).withNoise(0, 0.9, 0, 0);
    private static final StochasticQuadraticProblem PROBLEM = SPEC.problem();
    private static final RealMatrix A = new Array2DRowRealMatrix(((DenseMap) PROBLEM.mean().lowerHessian()).entries());
    private static final double[] B = {1, -2, 0.5, 3, -1, 2};
    private static final INDArray ZERO_X = Vectors.zeros(SPEC.upperDimension());
    private static final INDArray ZERO_Y = Vectors.zeros(SPEC.lowerDimension());

    /** η Σ_{m=0}^{Q} (I − ηA)^m b, by Hipparchus: Alg. 3's value with exact Hessians. */
    private static RealVector truncatedSeries(int steps, double eta) {
        RealMatrix step = MatrixUtils.createRealIdentityMatrix(A.getRowDimension()).subtract(A.scalarMultiply(eta));
        RealVector term = new ArrayRealVector(B);
        RealVector sum = term.copy();
        for (int m = 1; m <= steps; m++) {
            term = step.operate(term);
            sum = sum.add(term);
        }
        return sum.mapMultiply(eta);
    }

    private static StochasticWcMhgdConfig config(int steps, int scale) {
        return StochasticWcMhgdConfig.defaults(PROBLEM, 1, steps, 1, 1, 0, 0).withBatchSizes(1, 1, 1, scale);
    }

    /** ℬ_1 … ℬ_Q of the schedule, from batch {@code first} on, one minibatch each. */
    private static List<SampleBatch> batches(StochasticWcMhgdConfig config, long first) {
        StochasticQuadraticGenerator generator = SPEC.generator();
        List<SampleBatch> batches = new ArrayList<>();
        int[] sizes = config.hessianBatchSizes();
        for (int j = 0; j < sizes.length; j++) batches.add(SampleBatch.of(generator.lowerBatch(first + j, sizes[j])));
        return batches;
    }

    private static double[] estimate(StochasticWcMhgdConfig config, long first) {
        return NeumannHessianInverse.estimate(PROBLEM, ZERO_X, ZERO_Y, Vectors.of(B), batches(config, first),
                config.neumannStepSize()).toDoubleVector();
    }

    @Test
    void withExactHessiansItIsTheTruncatedNeumannSeriesAndTendsToTheInverse() {
        StochasticQuadraticProblem exactHessians = StochasticQuadraticSpec.defaults(21).withNoise(1, 0, 1, 1).problem();
        double eta = 1.0 / exactHessians.smoothness().orElseThrow().lowerLipschitz();
        RealVector inverse = new LUDecomposition(A).getSolver().solve(new ArrayRealVector(B));
        double previous = Double.POSITIVE_INFINITY;
        for (int steps : new int[] {1, 5, 20, 80}) {
            List<SampleBatch> batches = new ArrayList<>();
            StochasticQuadraticGenerator generator = exactHessians.spec().generator();
            for (int j = 0; j < steps; j++) batches.add(SampleBatch.of(generator.lowerBatch(j, 3)));
            double[] v = NeumannHessianInverse.estimate(exactHessians, ZERO_X, ZERO_Y, Vectors.of(B), batches, eta)
                    .toDoubleVector();
            assertThat(new ArrayRealVector(v).subtract(truncatedSeries(steps, eta)).getNorm()).isLessThan(1e-10);
            double error = new ArrayRealVector(v).subtract(inverse).getNorm();
            assertThat(error).as("error with Q = %s", steps).isLessThan(previous);
            previous = error;
        }
        assertThat(previous).isLessThan(1e-8 * inverse.getNorm());
    }

    @Test
    void withNoisyHessiansItIsUnbiasedForTheTruncatedSeriesBecauseItsBatchesAreIndependent() {
        // E Π(I − ηH_j) = Π(I − ηE H_j) for independent ℬ_j: the mean over many draws is the exact truncated series
        StochasticWcMhgdConfig config = config(4, 1);
        int draws = 600;
        int q = SPEC.lowerDimension();
        double[] sum = new double[q];
        double[] squares = new double[q];
        for (int r = 0; r < draws; r++) {
            double[] v = estimate(config, 1000L * r);
            for (int i = 0; i < q; i++) {
                sum[i] += v[i];
                squares[i] += v[i] * v[i];
            }
        }
        RealVector exact = truncatedSeries(4, config.neumannStepSize());
        for (int i = 0; i < q; i++) {
            double mean = sum[i] / draws;
            double sd = Math.sqrt(Math.max(0, squares[i] / draws - mean * mean));
            assertThat(sd).as("the estimate really varies").isGreaterThan(1e-6);
            assertThat(Math.abs(mean - exact.getEntry(i))).as("entry %s", i).isLessThanOrEqualTo(5 * sd / Math.sqrt(draws));
        }
    }

    @Test
    void theEstimateApproachesTheExactInverseAsTheBatchesGrow() {
        int steps = 25; // (1 − ημ)^{Q+1} is ~1e-5 here: what remains is mostly the sampling error
        RealVector inverse = new LUDecomposition(A).getSolver().solve(new ArrayRealVector(B));
        double previous = Double.POSITIVE_INFINITY;
        for (int scale : new int[] {1, 8, 64}) {
            StochasticWcMhgdConfig config = config(steps, scale);
            double squared = 0;
            int draws = 12;
            for (int r = 0; r < draws; r++) {
                double error = new ArrayRealVector(estimate(config, 10_000L * r)).subtract(inverse).getNorm();
                squared += error * error;
            }
            double meanSquared = squared / draws;
            // the variance falls like 1/B: eight times the samples must at least quarter it
            assertThat(meanSquared).as("mean squared error with B = %s", scale).isLessThan(previous / 4);
            previous = meanSquared;
        }
        assertThat(Math.sqrt(previous)).isLessThan(0.05 * inverse.getNorm());
    }

    @Test
    void theBatchesShrinkExponentiallyFromTheLastToTheFirst() {
        StochasticWcMhgdConfig config = config(6, 10);
        double shrink = 1 - config.neumannStepSize() * config.lowerStrongConvexity();
        int[] sizes = config.hessianBatchSizes();
        assertThat(sizes).hasSize(6);
        for (int j = 1; j <= 6; j++) {
            // |ℬ_{Q+1−j}| = B·Q·(1 − ημ)^{j−1}, rounded up
            assertThat(sizes[6 - j]).isEqualTo((int) Math.ceil(10 * 6 * Math.pow(shrink, j - 1) - 1e-9));
        }
        assertThat(sizes[5]).isEqualTo(60);
        for (int j = 1; j < 6; j++) assertThat(sizes[j - 1]).isLessThanOrEqualTo(sizes[j]);
    }
}
