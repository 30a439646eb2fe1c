package io.mobl.core.problem.hypercleaning;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.data.HyperCleaningSplit;
import io.mobl.core.experiment.HyperCleaningSettings;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.model.MultiHeadNetwork;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class HyperCleaningProblemTest {
    static final double H = 1e-5;

    /** Two synthetic data sets (S = 2), 250 noisy training samples each: a 500-sample slice in all. */
    static List<HyperCleaningSplit> splits(int dimension) {
        HyperCleaningSplit.Sizes sizes = new HyperCleaningSplit.Sizes(250, 100, 0, 100, 0.5);
        return List.of(
                HyperCleaningSplit.of(SyntheticImages.clusters("a", 450, dimension, 4, 0.25, 1), sizes, 11),
                HyperCleaningSplit.of(SyntheticImages.clusters("b", 450, dimension, 4, 0.25, 2), sizes, 12));
    }

    static INDArray gaussian(long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
        return Vectors.of(v);
    }

    static HyperCleaningProblem problem(MultiHeadNetwork network) {
        return HyperCleaningProblem.of(network, List.of("a", "b"), splits(network.inputs()), 1e-3, 5);
    }

    @Test
    void theLowerOraclesAreTheDerivativesOfTheWeightedTrainingLoss() {
        HyperCleaningProblem p = problem(new MultiHeadNetwork(12, new int[] {6}, 4, 2));
        INDArray x = gaussian(p.upperDimension(), 1);
        INDArray y = p.initialLower().addi(gaussian(p.lowerDimension(), 2).muli(0.1));
        INDArray v = gaussian(p.lowerDimension(), 3);
        INDArray u = gaussian(p.upperDimension(), 4);

        double directional = (p.lowerValue(x, y.add(v.mul(H))) - p.lowerValue(x, y.sub(v.mul(H)))) / (2 * H);
        assertThat(Vectors.dot(p.lowerGradient(x, y), v)).isCloseTo(directional, within(directional));

        INDArray hvFd = p.lowerGradient(x, y.add(v.mul(H))).sub(p.lowerGradient(x, y.sub(v.mul(H)))).divi(2 * H);
        assertThat(Vectors.norm(p.hessianVector(x, y, v).sub(hvFd)) / Vectors.norm(hvFd)).isLessThan(1e-6);

        // ⟨u, ∇²_xy g·v⟩ = d/dh ⟨∇_y g(x + h·u, y), v⟩
        double mixedFd = (Vectors.dot(p.lowerGradient(x.add(u.mul(H)), y), v)
                - Vectors.dot(p.lowerGradient(x.sub(u.mul(H)), y), v)) / (2 * H);
        assertThat(Vectors.dot(u, p.jacobianVector(x, y, v))).isCloseTo(mixedFd, within(mixedFd));
    }

    @Test
    void theWeightGradientOfTheLowerLevelIsItsDerivativeInEachLogit() {
        // ∂g/∂x_ij = σ'(x_ij)/N_i · ℓ_ij(y): along a random direction, and coordinate by coordinate in both tasks
        HyperCleaningProblem p = problem(new MultiHeadNetwork(12, new int[] {6}, 4, 2));
        INDArray x = gaussian(p.upperDimension(), 21);
        INDArray y = p.initialLower().addi(gaussian(p.lowerDimension(), 22).muli(0.1));
        INDArray u = gaussian(p.upperDimension(), 23);
        INDArray gradient = p.lowerGradientX(x, y);
        assertThat(gradient.length()).isEqualTo(p.upperDimension());
        double directional = (p.lowerValue(x.add(u.mul(H)), y) - p.lowerValue(x.sub(u.mul(H)), y)) / (2 * H);
        assertThat(Vectors.dot(gradient, u)).isCloseTo(directional, within(directional));
        for (int j : new int[] {0, 7, 249, 250, 499}) { // first, inner and last logits of task a, then of task b
            INDArray e = Vectors.zeros(p.upperDimension());
            e.putScalar(j, 1.0);
            double fd = (p.lowerValue(x.add(e.mul(H)), y) - p.lowerValue(x.sub(e.mul(H)), y)) / (2 * H);
            assertThat(gradient.getDouble(j)).as("∂g/∂x_" + j).isCloseTo(fd, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(gradient.getDouble(j)).as("a sample's loss is positive, so is its weight's derivative").isPositive();
        }
    }

    @Test
    void theUpperObjectivesAreValidationLossesThatDoNotDependOnTheWeights() {
        HyperCleaningProblem p = problem(MultiHeadNetwork.logistic(12, 4, 2));
        INDArray y = gaussian(p.lowerDimension(), 7).muli(0.3);
        INDArray v = gaussian(p.lowerDimension(), 8);
        for (int s = 0; s < 2; s++) {
            var f = p.upper(s, p.initialUpper(), y);
            assertThat(Vectors.norm(f.gradientX())).isZero();
            assertThat(f.value()).isCloseTo(p.upper(s, gaussian(p.upperDimension(), 9), y).value(), within(0));
            double fd = (p.upper(s, p.initialUpper(), y.add(v.mul(H))).value()
                    - p.upper(s, p.initialUpper(), y.sub(v.mul(H))).value()) / (2 * H);
            assertThat(Vectors.dot(f.gradientY(), v)).isCloseTo(fd, within(fd));
        }
    }

    /** WC-MHGD with either option, MOML, and FORUM (which moves x by ∇_x g alone, with no second derivatives). */
    @Test
    void everyMethodRaisesTheWeightsOfCleanSamplesAboveCorruptedOnes() {
        HyperCleaningSettings settings = new HyperCleaningSettings(List.of("a", "b"),
                new HyperCleaningSplit.Sizes(250, 100, 0, 100, 0.5), new int[0], 1e-3, 8, 0.5, 1000, 0.1, 4, 12, 1);
        List<HyperCleaningSplit> splits = splits(12);
        for (String method : HyperCleaningSettings.METHODS) {
            HyperCleaningProblem p = problem(MultiHeadNetwork.logistic(12, 4, 2));
            // FORUM trains y by its own outer steps from y_0 (no inner solve to y*(x) per iteration): until y fits,
            // ∇_x q̃ lowers every weight alike, so it needs more outer iterations before the weights separate
            int iterations = method.equals("forum") ? 40 : settings.iterations();
            INDArray x = run(settings.algorithm(method, p), p, iterations);
            for (int task = 0; task < 2; task++) {
                double[] w = p.sampleWeights(x, task).toDoubleVector();
                boolean[] corrupted = splits.get(task).corrupted();
                double clean = 0, dirty = 0;
                int cleanCount = 0;
                for (int j = 0; j < w.length; j++) {
                    if (corrupted[j]) dirty += w[j]; else { clean += w[j]; cleanCount++; }
                }
                clean /= cleanCount;
                dirty /= w.length - cleanCount;
                assertThat(clean).as(method + " task " + task + " clean mean weight").isGreaterThan(0.5);
                assertThat(dirty).as(method + " task " + task + " corrupted mean weight").isLessThan(0.5);
                assertThat(clean - dirty).as(method + " task " + task).isGreaterThan(0.1);
            }
        }
    }

    @Test
    void theFusedLowerDescentIsDGradientStepsOfTheLowerLevel() {
        HyperCleaningProblem p = problem(new MultiHeadNetwork(12, new int[] {6}, 4, 2));
        INDArray x = gaussian(p.upperDimension(), 1);
        INDArray y = p.initialLower();
        INDArray expected = y.dup();
        for (int t = 0; t < 5; t++) expected = expected.sub(p.lowerGradient(x, expected).muli(0.3));
        INDArray fused = p.lowerDescent(x, y, 5, 0.3);
        assertThat(Vectors.norm(fused.sub(expected))).isLessThan(1e-12 * Vectors.norm(expected));
        assertThat(Vectors.norm(fused.sub(y))).isGreaterThan(1e-3); // the steps moved y, and y itself is unchanged
        assertThat(Vectors.norm(y.sub(p.initialLower()))).isZero();
    }

    /** x_K after K steps from x_0 = 0 with the balanced preference. */
    static <S> INDArray run(IterativeAlgorithm<S> algorithm, HyperCleaningProblem p, int iterations) {
        S state = algorithm.initialState(new double[] {0.5, 0.5}, p.initialUpper());
        for (int k = 0; k < iterations; k++) state = algorithm.step(state).next();
        return algorithm.step(state).report().x();
    }

    static org.assertj.core.data.Offset<Double> within(double reference) {
        return org.assertj.core.data.Offset.offset(1e-6 * Math.max(1, Math.abs(reference)));
    }
}
