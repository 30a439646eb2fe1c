package io.mobl.core.problem.quadratic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.protocol.InvalidInputException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class RankDeficientProblemTest {
    private final RankDeficientProblem problem = RankDeficientProblem.random(4, 3, 5, 2, 2, 0.5);
    private final SplittableRandom random = new SplittableRandom(9);

    private INDArray vector(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = random.nextGaussian();
        return Vectors.of(v);
    }

    private static INDArray unit(int n, int i, double h) {
        double[] e = new double[n];
        e[i] = h;
        return Vectors.of(e);
    }

    /** Central differences of g in x and y against ∇_x g and ∇_y g; of ∇_y g against HV and of ⟨∇_y g, v⟩ against JV. */
    private void oraclesMatchFiniteDifferences(BilevelProblem p) {
        INDArray x = vector(p.upperDimension());
        INDArray y = vector(p.lowerDimension());
        INDArray v = vector(p.lowerDimension());
        double h = 1e-6;
        INDArray gy = p.lowerGradient(x, y);
        INDArray gx = p.lowerGradientX(x, y);
        INDArray hv = p.hessianVector(x, y, v);
        INDArray jv = p.jacobianVector(x, y, v);
        for (int i = 0; i < p.lowerDimension(); i++) {
            INDArray e = unit(p.lowerDimension(), i, h);
            double fd = (p.lowerValue(x, y.add(e)) - p.lowerValue(x, y.sub(e))) / (2 * h);
            assertThat(fd).isCloseTo(gy.getDouble(i), org.assertj.core.data.Offset.offset(1e-6));
        }
        for (int i = 0; i < p.upperDimension(); i++) {
            INDArray e = unit(p.upperDimension(), i, h);
            double fd = (p.lowerValue(x.add(e), y) - p.lowerValue(x.sub(e), y)) / (2 * h);
            assertThat(fd).isCloseTo(gx.getDouble(i), org.assertj.core.data.Offset.offset(1e-6));
            double fdJv = (Vectors.dot(p.lowerGradient(x.add(e), y), v) - Vectors.dot(p.lowerGradient(x.sub(e), y), v)) / (2 * h);
            assertThat(fdJv).isCloseTo(jv.getDouble(i), org.assertj.core.data.Offset.offset(1e-6));
        }
        INDArray fdHv = p.lowerGradient(x, y.add(v.mul(h))).sub(p.lowerGradient(x, y.sub(v.mul(h)))).div(2 * h);
        assertThat(Vectors.norm(fdHv.sub(hv))).isLessThan(1e-6);
    }

    @Test
    void oraclesAreTheDerivativesOfG() {
        oraclesMatchFiniteDifferences(problem);
        oraclesMatchFiniteDifferences(QuadraticProblems.dense(2, 3, 4, 2, 5, 0.5)); // ∇_x g = −Bᵀy there
    }

    @Test
    void theLowerLevelHasAWholeAffineSetOfSolutions() {
        INDArray x = vector(3);
        INDArray[] z = problem.weightedMinimiser(new double[] {0.5, 0.5});
        assertThat(problem.distanceToSolutionSet(z[0], z[1])).isLessThan(1e-10);
        assertThat(Vectors.norm(problem.lowerGradient(z[0], z[1]))).isLessThan(1e-10);
        // y*(x) is not unique: Cx and Cx + (y' − Cx') for another solution (x', y') are both minimisers at x
        INDArray[] other = problem.weightedMinimiser(new double[] {0.9, 0.1});
        INDArray nullPart = other[1].sub(problem.particularLowerSolution(other[0]));
        assertThat(Vectors.norm(nullPart)).isGreaterThan(1e-3);
        assertThat(problem.lowerValue(x, problem.particularLowerSolution(x))).isLessThan(1e-12);
        assertThat(problem.lowerValue(x, problem.particularLowerSolution(x).add(nullPart))).isLessThan(1e-12);
        assertThat(problem.lowerValue(x, problem.particularLowerSolution(x).add(vector(5)))).isGreaterThan(1e-6);
        assertThat(problem.solutionSetDimension()).isEqualTo(3);
        assertThat(problem.lowerValue(z[0], z[1])).isLessThan(1e-12);
    }

    @Test
    void theWeightedMinimiserBeatsEveryOtherFeasiblePoint() {
        double[] w = {0.3, 0.7};
        INDArray[] best = problem.weightedMinimiser(w);
        double bestValue = w[0] * problem.upper(0, best[0], best[1]).value() + w[1] * problem.upper(1, best[0], best[1]).value();
        INDArray[] other = problem.weightedMinimiser(new double[] {0.7, 0.3}); // feasible, different
        for (int k = 0; k < 20; k++) {
            // feasible perturbations: x anywhere, y = Cx + (the other point's null-space part)
            double t = random.nextDouble();
            INDArray x = best[0].mul(1 - t).add(other[0].mul(t));
            INDArray y = best[1].mul(1 - t).add(other[1].mul(t)); // the solution set is affine in (x, y) jointly
            assertThat(problem.distanceToSolutionSet(x, y)).isLessThan(1e-9);
            double value = w[0] * problem.upper(0, x, y).value() + w[1] * problem.upper(1, x, y).value();
            assertThat(value).isGreaterThanOrEqualTo(bestValue - 1e-12);
        }
    }

    @Test
    void aFullRankIsRefusedNamingTheField() {
        assertThatThrownBy(() -> RankDeficientProblem.random(1, 2, 4, 4, 2, 0.5))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("rank"));
    }
}
