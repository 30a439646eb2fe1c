package io.mobl.core.problem.quadratic;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.BilevelProblem;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class QuadraticOraclesTest {
    private static final double H = 1e-5;

    static INDArray random(SplittableRandom r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian();
        return Vectors.of(v);
    }

    /** Central finite difference of a scalar function, one coordinate at a time. */
    static INDArray finiteGradient(Function<INDArray, Double> f, INDArray at) {
        double[] g = new double[(int) at.length()];
        for (int i = 0; i < g.length; i++) {
            INDArray plus = at.dup();
            INDArray minus = at.dup();
            plus.putScalar(i, at.getDouble(i) + H);
            minus.putScalar(i, at.getDouble(i) - H);
            g[i] = (f.apply(plus) - f.apply(minus)) / (2 * H);
        }
        return Vectors.of(g);
    }

    static double relativeError(INDArray actual, INDArray expected) {
        return Vectors.norm(actual.sub(expected)) / Math.max(1e-12, Vectors.norm(expected));
    }

    private void oraclesMatchFiniteDifferences(BilevelProblem problem) {
        SplittableRandom r = new SplittableRandom(3);
        INDArray x = random(r, problem.upperDimension());
        INDArray y = random(r, problem.lowerDimension());
        INDArray v = random(r, problem.lowerDimension());

        assertThat(relativeError(problem.lowerGradient(x, y), finiteGradient(yy -> problem.lowerValue(x, yy), y)))
                .isLessThan(1e-7);
        // HV: directional derivative of ∇_y g along v is ∇²_yy g·v; compare ⟨HV, w⟩ with d/dy ⟨∇_y g, ...⟩
        INDArray hv = problem.hessianVector(x, y, v);
        INDArray expectedHv = finiteGradient(yy -> Vectors.dot(problem.lowerGradient(x, yy), v), y);
        assertThat(relativeError(hv, expectedHv)).isLessThan(1e-7);
        INDArray jv = problem.jacobianVector(x, y, v);
        INDArray expectedJv = finiteGradient(xx -> Vectors.dot(problem.lowerGradient(xx, y), v), x);
        assertThat(relativeError(jv, expectedJv)).isLessThan(1e-7);
        for (int s = 0; s < problem.objectiveCount(); s++) {
            int objective = s;
            var e = problem.upper(s, x, y);
            assertThat(relativeError(e.gradientX(), finiteGradient(xx -> problem.upper(objective, xx, y).value(), x)))
                    .isLessThan(1e-7);
            assertThat(relativeError(e.gradientY(), finiteGradient(yy -> problem.upper(objective, x, yy).value(), y)))
                    .isLessThan(1e-7);
        }
    }

    @Test
    void denseOraclesAreTheDerivativesOfTheirFunctions() {
        oraclesMatchFiniteDifferences(QuadraticProblems.dense(1, 5, 7, 3, 10, 0.5));
    }

    @Test
    void structuredOraclesAreTheDerivativesOfTheirFunctions() {
        oraclesMatchFiniteDifferences(QuadraticProblems.structured(2, 9, 6, 2, 3, 5, 0.5));
    }

    @Test
    void closedFormHypergradientIsTheGradientOfTheClosedFormObjective() {
        for (QuadraticProblem problem : new QuadraticProblem[] {
                QuadraticProblems.dense(4, 6, 8, 2, 20, 0.3), QuadraticProblems.structured(5, 7, 11, 2, 2, 20, 0.3)}) {
            INDArray x = random(new SplittableRandom(9), problem.upperDimension());
            for (int s = 0; s < 2; s++) {
                int objective = s;
                INDArray fd = finiteGradient(xx -> problem.objective(objective, xx), x);
                assertThat(relativeError(problem.hypergradient(s, x), fd)).isLessThan(1e-7);
            }
        }
    }

    @Test
    void woodburySolveInvertsTheStructuredHessian() {
        QuadraticProblem problem = QuadraticProblems.structured(6, 40, 50, 2, 4, 100, 1);
        INDArray b = random(new SplittableRandom(1), 50);
        INDArray solved = problem.lowerHessian().solve(b);
        assertThat(relativeError(problem.lowerHessian().apply(solved), b)).isLessThan(1e-12);
    }

    @Test
    void lowerSolutionIsStationaryForTheLowerObjective() {
        QuadraticProblem problem = QuadraticProblems.dense(7, 4, 6, 2, 50, 1);
        INDArray x = random(new SplittableRandom(2), 4);
        INDArray gradient = problem.lowerGradient(x, problem.lowerSolution(x));
        assertThat(Vectors.norm(gradient)).isLessThan(1e-12 * Math.max(1, Vectors.norm(x)) * 50);
    }

    @Test
    void eigenvalueBoundsEncloseTheSpectrum() {
        QuadraticProblem problem = QuadraticProblems.structured(8, 30, 30, 2, 3, 10, 1);
        // Rayleigh quotients of random vectors must fall between the bounds.
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < 50; i++) {
            INDArray v = random(r, 30);
            double rayleigh = Vectors.dot(v, problem.lowerHessian().apply(v)) / Vectors.squaredNorm(v);
            assertThat(rayleigh).isBetween(problem.lowerHessian().smallestEigenvalueBound(),
                    problem.lowerHessian().largestEigenvalueBound());
        }
    }
}
