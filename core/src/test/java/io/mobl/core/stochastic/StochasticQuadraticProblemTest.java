package io.mobl.core.stochastic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.core.problem.quadratic.DenseMap;
import io.mobl.core.problem.quadratic.QuadraticProblem;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class StochasticQuadraticProblemTest {
    private static final StochasticQuadraticSpec SPEC = StochasticQuadraticSpec.defaults(21);
    private static final StochasticQuadraticProblem PROBLEM = SPEC.problem();
    private static final QuadraticProblem MEAN = PROBLEM.mean();
    private static final int P = SPEC.upperDimension();
    private static final int Q = SPEC.lowerDimension();
    /** Samples in the big batches; the tolerance of each entry is 5 standard errors of its batch mean. */
    private static final int SAMPLES = 40_000;

    private static INDArray random(SplittableRandom r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian();
        return Vectors.of(v);
    }

    /** A batch of SAMPLES rows assembled from ten minibatches, as a run assembles one. */
    private static SampleBatch bigBatch(int objective, long firstId) {
        StochasticQuadraticGenerator generator = SPEC.generator();
        List<Minibatch> parts = new ArrayList<>();
        for (int i = 0; i < 10; i++) parts.add(generator.batch(objective, firstId + i, SAMPLES / 10));
        return new SampleBatch(objective, parts);
    }

    @Test
    void lowerLevelOraclesAreUnbiasedWithinTheirStandardError() {
        SplittableRandom r = new SplittableRandom(5);
        INDArray x = random(r, P);
        INDArray y = random(r, Q);
        INDArray v = random(r, Q);
        SampleBatch batch = bigBatch(Minibatch.LOWER, 0);
        double[][] b = ((DenseMap) MEAN.coupling()).entries();
        double mu = MEAN.smoothness().orElseThrow().lowerStrongConvexity();
        double deltaVariance = Math.pow(SPEC.hessianNoise() * mu, 2) / 3; // uniform on [−hμ, hμ]
        double wVariance = SPEC.couplingNoise() * SPEC.couplingNoise();

        double[] gradient = PROBLEM.lowerGradient(x, y, batch).toDoubleVector();
        double[] exactGradient = MEAN.lowerGradient(x, y).toDoubleVector();
        double[] hvp = PROBLEM.hessianVector(x, y, v, batch).toDoubleVector();
        double[] exactHvp = MEAN.hessianVector(x, y, v).toDoubleVector();
        for (int i = 0; i < Q; i++) {
            // per sample: e_i + δ_i y_i − Σ_j B_ij w_j x_j, independent terms
            double variance = SPEC.lowerNoise() * SPEC.lowerNoise() + deltaVariance * y.getDouble(i) * y.getDouble(i);
            for (int j = 0; j < P; j++) variance += wVariance * Math.pow(b[i][j] * x.getDouble(j), 2);
            assertThat(gradient[i]).as("∇_y G entry %s", i)
                    .isCloseTo(exactGradient[i], org.assertj.core.data.Offset.offset(5 * Math.sqrt(variance / SAMPLES)));
            double hvpError = 5 * Math.sqrt(deltaVariance * v.getDouble(i) * v.getDouble(i) / SAMPLES);
            assertThat(hvp[i]).as("∇²_yy G·v entry %s", i)
                    .isCloseTo(exactHvp[i], org.assertj.core.data.Offset.offset(hvpError));
            assertThat(gradient[i]).as("the noise is really there").isNotEqualTo(exactGradient[i]);
        }
        double[] jvp = PROBLEM.jacobianVector(x, y, v, batch).toDoubleVector();
        double[] exactJvp = MEAN.jacobianVector(x, y, v).toDoubleVector();
        for (int j = 0; j < P; j++) {
            double error = 5 * Math.abs(exactJvp[j]) * Math.sqrt(wVariance / SAMPLES);
            assertThat(jvp[j]).as("∇²_xy G·v entry %s", j).isCloseTo(exactJvp[j], org.assertj.core.data.Offset.offset(error));
        }
    }

    @Test
    void upperOraclesAreUnbiasedWithinTheirStandardError() {
        SplittableRandom r = new SplittableRandom(6);
        INDArray x = random(r, P);
        INDArray y = random(r, Q);
        double se = SPEC.upperNoise() / Math.sqrt(SAMPLES);
        for (int s = 0; s < SPEC.objectives(); s++) {
            UpperEvaluation sampled = PROBLEM.upper(s, x, y, bigBatch(s, 100));
            UpperEvaluation exact = MEAN.upper(s, x, y);
            double valueSe = se * Math.sqrt(Vectors.squaredNorm(x) + Vectors.squaredNorm(y));
            assertThat(sampled.value()).isCloseTo(exact.value(), org.assertj.core.data.Offset.offset(5 * valueSe));
            for (int j = 0; j < P; j++) {
                assertThat(sampled.gradientX().getDouble(j)).isCloseTo(exact.gradientX().getDouble(j),
                        org.assertj.core.data.Offset.offset(5 * se));
            }
            for (int i = 0; i < Q; i++) {
                assertThat(sampled.gradientY().getDouble(i)).isCloseTo(exact.gradientY().getDouble(i),
                        org.assertj.core.data.Offset.offset(5 * se));
            }
        }
    }

    @Test
    void aBatchOracleIsTheMeanOfThePerSampleOraclesWhicheverMinibatchesCarryTheSamples() {
        SplittableRandom r = new SplittableRandom(7);
        INDArray x = random(r, P);
        INDArray y = random(r, Q);
        INDArray v = random(r, Q);
        StochasticQuadraticGenerator generator = SPEC.generator();
        Minibatch three = generator.lowerBatch(0, 3);
        Minibatch five = generator.lowerBatch(1, 5);
        SampleBatch together = new SampleBatch(Minibatch.LOWER, List.of(three, five));
        INDArray mean = Vectors.zeros(Q);
        INDArray meanHvp = Vectors.zeros(Q);
        for (Minibatch m : List.of(three, five)) {
            for (int row = 0; row < m.rows(); row++) {
                SampleBatch one = SampleBatch.of(single(m, row));
                mean.addi(PROBLEM.lowerGradient(x, y, one).div(8));
                meanHvp.addi(PROBLEM.hessianVector(x, y, v, one).div(8));
            }
        }
        assertThat(together.rows()).isEqualTo(8);
        assertThat(Vectors.norm(PROBLEM.lowerGradient(x, y, together).sub(mean))).isLessThan(1e-12);
        assertThat(Vectors.norm(PROBLEM.hessianVector(x, y, v, together).sub(meanHvp))).isLessThan(1e-12);
    }

    @Test
    void theLowerValueOfABatchHasTheBatchGradientsInYAndXByCentralDifferences() {
        SplittableRandom r = new SplittableRandom(17);
        INDArray x = random(r, P);
        INDArray y = random(r, Q);
        SampleBatch batch = SampleBatch.of(SPEC.generator().lowerBatch(2, 4));
        double h = 1e-5;
        INDArray gy = PROBLEM.lowerGradient(x, y, batch);
        for (int i = 0; i < Q; i++) {
            INDArray up = y.dup();
            up.putScalar(i, y.getDouble(i) + h);
            INDArray down = y.dup();
            down.putScalar(i, y.getDouble(i) - h);
            double fd = (PROBLEM.lowerValue(x, up, batch) - PROBLEM.lowerValue(x, down, batch)) / (2 * h);
            assertThat(fd).as("∂G/∂y_%d", i).isCloseTo(gy.getDouble(i), org.assertj.core.data.Offset.offset(1e-6));
        }
        INDArray gx = PROBLEM.lowerGradientX(x, y, batch);
        for (int j = 0; j < P; j++) {
            INDArray up = x.dup();
            up.putScalar(j, x.getDouble(j) + h);
            INDArray down = x.dup();
            down.putScalar(j, x.getDouble(j) - h);
            double fd = (PROBLEM.lowerValue(up, y, batch) - PROBLEM.lowerValue(down, y, batch)) / (2 * h);
            assertThat(fd).as("∂G/∂x_%d", j).isCloseTo(gx.getDouble(j), org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    private static Minibatch single(Minibatch m, int row) {
        double[] f = new double[m.featureDim()];
        System.arraycopy(m.features(), row * m.featureDim(), f, 0, m.featureDim());
        return new Minibatch(m.batchId() + "#" + row, m.objective(), Minibatch.Dtype.FLOAT64, 1, m.featureDim(), 0, f,
                new double[0], new long[] {m.sampleIds()[row]});
    }

    @Test
    void everySampleHessianStaysStronglyConvex() {
        // the per-sample modulus (1 − h)μ the problem states bounds vᵀ(A + Diag δ)v / ‖v‖² for every sample
        double modulus = PROBLEM.smoothness().orElseThrow().lowerStrongConvexity();
        double lipschitz = PROBLEM.smoothness().orElseThrow().lowerLipschitz();
        Minibatch samples = SPEC.generator().lowerBatch(3, 200);
        SplittableRandom r = new SplittableRandom(8);
        INDArray zero = Vectors.zeros(P);
        for (int row = 0; row < samples.rows(); row++) {
            INDArray v = random(r, Q);
            double rayleigh = Vectors.dot(v, PROBLEM.hessianVector(zero, zero, v, SampleBatch.of(single(samples, row))))
                    / Vectors.squaredNorm(v);
            assertThat(rayleigh).isBetween(modulus - 1e-12, lipschitz + 1e-12);
        }
    }

    @Test
    void theGeneratorIsReproducibleInAnyOrderAndItsBatchesDiffer() {
        StochasticQuadraticGenerator a = SPEC.generator();
        StochasticQuadraticGenerator b = StochasticQuadraticSpec.defaults(21).generator();
        Minibatch later = a.upperBatch(1, 7, 4);
        a.lowerBatch(0, 4);
        assertThat(b.upperBatch(1, 7, 4)).isEqualTo(later);
        assertThat(later.batchId()).isEqualTo("upper-1-7");
        assertThat(later.sampleIds()).containsExactly(28, 29, 30, 31);
        assertThat(a.upperBatch(1, 8, 4).features()).isNotEqualTo(later.features());
        assertThat(a.upperBatch(0, 7, 4).features()).isNotEqualTo(later.features());
        assertThat(StochasticQuadraticSpec.defaults(22).generator().upperBatch(1, 7, 4).features())
                .isNotEqualTo(later.features());
    }

    @Test
    void theSpecTravelsAsOneLineAndComesBackEqual() {
        StochasticQuadraticSpec spec = new StochasticQuadraticSpec(-7, 3, 5, 4, 1.5, 0.1, 0.3, 0.25, 1e-3, 2.0 / 3);
        String line = spec.format();
        assertThat(line).startsWith("seed=-7,p=3,q=5,S=4,kappa=1.5,a=0.1,");
        assertThat(StochasticQuadraticSpec.parse(line)).isEqualTo(spec);
        assertThat(StochasticQuadraticSpec.parse(line).generator().upperBatch(3, 9, 2))
                .isEqualTo(spec.generator().upperBatch(3, 9, 2));
        assertThatThrownBy(() -> StochasticQuadraticSpec.parse(line.replace("q=5,", "")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("spec.q");
        assertThatThrownBy(() -> StochasticQuadraticSpec.parse(line + ",rho=2"))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("rho=2");
        assertThatThrownBy(() -> StochasticQuadraticSpec.parse(line.replace("kappa=1.5", "kappa=x")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("spec.kappa");
        assertThatThrownBy(() -> StochasticQuadraticSpec.parse(line.replace("kappa=1.5", "kappa=0.5")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("condition-number");
    }

    @Test
    void aMinibatchOfTheWrongShapeOrRoleIsRejectedByName() {
        Minibatch upper = SPEC.generator().upperBatch(0, 0, 2);
        assertThatThrownBy(() -> PROBLEM.check(Minibatch.LOWER, upper)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("minibatch upper-0-0.objective");
        Minibatch narrow = Minibatch.of("narrow", Minibatch.LOWER, new double[][] {{1, 2}}, null, new long[] {0});
        assertThatThrownBy(() -> PROBLEM.check(Minibatch.LOWER, narrow)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("minibatch narrow.featureDim").hasMessageContaining("16 features");
        assertThatThrownBy(() -> SPEC.withNoise(1, 1.0, 0, 1)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("hessian-noise");
    }
}
