package io.mobl.core.hypergradient;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.core.linalg.Vectors;
import io.mobl.core.lower.LowerLevelDescent;
import io.mobl.core.lower.LowerSolution;
import io.mobl.core.problem.CountingProblem;
import io.mobl.core.problem.quadratic.QuadraticProblem;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import io.mobl.protocol.OracleCalls;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class HypergradientTest {
    private final QuadraticProblem problem = QuadraticProblems.dense(11, 6, 9, 3, 8, 0.4);
    private final INDArray x = randomVector(6, 5);

    static INDArray randomVector(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian();
        return Vectors.of(v);
    }

    static double relativeError(INDArray actual, INDArray expected) {
        return Vectors.norm(actual.sub(expected)) / Vectors.norm(expected);
    }

    @Test
    void conjugateGradientMatchesTheClosedFormAtTheLowerSolution() {
        LowerSolution exact = new LowerSolution(problem.lowerSolution(x), List.of());
        for (int s = 0; s < 3; s++) {
            HypergradientEstimate e = new ConjugateGradient(20).estimate(problem, s, x, exact, null, 0.1);
            assertThat(relativeError(e.hypergradient(), problem.hypergradient(s, x))).isLessThan(1e-10);
            assertThat(e.value()).isCloseTo(problem.objective(s, x), org.assertj.core.data.Offset.offset(1e-10));
        }
    }

    @Test
    void conjugateGradientFromAGoodWarmStartNeedsNoStep() {
        LowerSolution exact = new LowerSolution(problem.lowerSolution(x), List.of());
        HypergradientEstimate converged = new ConjugateGradient(20).estimate(problem, 0, x, exact, null, 0.1);
        CountingProblem counted = new CountingProblem(problem);
        HypergradientEstimate warm = new ConjugateGradient(0).estimate(counted, 0, x, exact, converged.warmStart(), 0.1);
        assertThat(relativeError(warm.hypergradient(), problem.hypergradient(0, x))).isLessThan(1e-10);
        assertThat(counted.calls()).isEqualTo(new OracleCalls(1, 0, 1, 1));
    }

    @Test
    void neumannSeriesAlongAConvergedTrajectoryMatchesTheClosedForm() {
        double alpha = 1.0 / problem.smoothness().orElseThrow().lowerLipschitz();
        // From y* the trajectory stays at y*, so Eq. (4) is the truncated series Σ (I − αA)^t, whose error
        // (1 − αμ)^D is below 1e-12 for D = 400 and κ = 8.
        LowerSolution lower = LowerLevelDescent.descend(problem, x, problem.lowerSolution(x), 400, alpha, true);
        for (int s = 0; s < 3; s++) {
            HypergradientEstimate e = new NeumannSeries().estimate(problem, s, x, lower, null, alpha);
            assertThat(relativeError(e.hypergradient(), problem.hypergradient(s, x))).isLessThan(1e-9);
        }
    }

    @Test
    void neumannSeriesIsTheExactDerivativeOfTheUnrolledLowerLevel() {
        // φ_D(x) = f(x, y^D(x)) with y^D(x) from D steps from a fixed y^0: Eq. (4) is its gradient, for any D.
        double alpha = 0.5 / problem.smoothness().orElseThrow().lowerLipschitz();
        INDArray y0 = randomVector(9, 7);
        int steps = 6;
        LowerSolution lower = LowerLevelDescent.descend(problem, x, y0, steps, alpha, true);
        HypergradientEstimate e = new NeumannSeries().estimate(problem, 1, x, lower, null, alpha);
        double h = 1e-5;
        double[] fd = new double[6];
        for (int i = 0; i < 6; i++) {
            INDArray plus = x.dup();
            INDArray minus = x.dup();
            plus.putScalar(i, x.getDouble(i) + h);
            minus.putScalar(i, x.getDouble(i) - h);
            double fPlus = problem.upper(1, plus, LowerLevelDescent.descend(problem, plus, y0, steps, alpha, false).solution()).value();
            double fMinus = problem.upper(1, minus, LowerLevelDescent.descend(problem, minus, y0, steps, alpha, false).solution()).value();
            fd[i] = (fPlus - fMinus) / (2 * h);
        }
        assertThat(relativeError(e.hypergradient(), Vectors.of(fd))).isLessThan(1e-7);
    }

    @Test
    void bothOptionsMatchFiniteDifferencesOfTheObjective() {
        LowerSolution exact = LowerLevelDescent.descend(problem, x, problem.lowerSolution(x), 400,
                1.0 / problem.smoothness().orElseThrow().lowerLipschitz(), true);
        double h = 1e-5;
        for (int s = 0; s < 3; s++) {
            double[] fd = new double[6];
            for (int i = 0; i < 6; i++) {
                INDArray plus = x.dup();
                INDArray minus = x.dup();
                plus.putScalar(i, x.getDouble(i) + h);
                minus.putScalar(i, x.getDouble(i) - h);
                fd[i] = (problem.objective(s, plus) - problem.objective(s, minus)) / (2 * h);
            }
            INDArray expected = Vectors.of(fd);
            assertThat(relativeError(new ConjugateGradient(30).estimate(problem, s, x, exact, null, 0).hypergradient(),
                    expected)).isLessThan(1e-7);
            assertThat(relativeError(new NeumannSeries().estimate(problem, s, x, exact, null,
                    1.0 / problem.smoothness().orElseThrow().lowerLipschitz()).hypergradient(), expected)).isLessThan(1e-7);
        }
    }

    @Test
    void neumannSeriesCountsItsOracleCalls() {
        CountingProblem counted = new CountingProblem(problem);
        LowerSolution lower = LowerLevelDescent.descend(counted, x, problem.initialLower(), 10, 0.05, true);
        new NeumannSeries().estimate(counted, 0, x, lower, null, 0.05);
        assertThat(counted.calls()).isEqualTo(new OracleCalls(1, 10, 10, 9));
    }
}
