package io.mobl.core.algorithm.forum;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.core.algorithm.IterativeRun;
import io.mobl.core.algorithm.StepReport;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.lower.LowerLevelDescent;
import io.mobl.core.problem.CountingProblem;
import io.mobl.core.problem.FirstOrderView;
import io.mobl.core.problem.quadratic.QuadraticProblem;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class ForumTest {
    private final QuadraticProblem problem = QuadraticProblems.dense(5, 4, 6, 2, 5, 0.5);

    /** The exact feasibility measure q(z) = g(x, y) − g*(x), with g* from the closed-form y*(x). */
    private double exactFeasibility(StepReport r) {
        return problem.lowerValue(r.x(), r.y()) - problem.lowerValue(r.x(), problem.lowerSolution(r.x()));
    }

    private List<StepReport> run(double upperStep, int iterations) {
        // first-order oracles only: FORUM must not need HV(g) or JV(g)
        CountingProblem counted = new CountingProblem(new FirstOrderView(problem));
        Forum forum = new Forum(counted, ForumConfig.of(10, 0.2, upperStep, 0.1));
        List<StepReport> reports = new ArrayList<>();
        IterativeRun.Outcome outcome = IterativeRun.run(forum,
                forum.initialState(new double[] {0.5, 0.5}, problem.initialUpper()), iterations, reports::add);
        assertThat(outcome.calls().hessianVectorProducts()).isZero();
        assertThat(outcome.calls().jacobianVectorProducts()).isZero();
        return reports;
    }

    @Test
    void feasibilityGoesToZeroWithTheStepAndStationarityDecreases() {
        // Theorem 1 takes μ = O(K^(−1/2)): quartering μ (as from K = 16 to K = 256) must shrink q(z_K) by far more
        // than 4 (it is O(μ²) here), and the KKT measure 𝒦(z_k) must fall by orders of magnitude
        List<StepReport> coarse = run(0.1, 100);
        List<StepReport> fine = run(0.025, 100);
        double qCoarse = exactFeasibility(coarse.get(100));
        double qFine = exactFeasibility(fine.get(100));
        assertThat(qFine).isGreaterThanOrEqualTo(0).isLessThan(qCoarse / 4);
        assertThat(qFine).isLessThan(1e-3);
        // q̃ with T = 10 lower steps tracks q
        assertThat(Math.abs(fine.get(100).feasibility() - qFine)).isLessThan(1e-2 * qFine + 1e-12);

        double first = fine.get(0).measure();
        double early = fine.subList(0, 25).stream().mapToDouble(StepReport::measure).min().orElseThrow();
        double late = fine.subList(75, 101).stream().mapToDouble(StepReport::measure).min().orElseThrow();
        assertThat(late).isLessThan(first / 100).isLessThan(early);
    }

    @Test
    void momentumWeightsStayInTheSimplex() {
        for (StepReport r : run(0.05, 20)) {
            double sum = 0;
            for (double w : r.weights()) {
                assertThat(w).isGreaterThanOrEqualTo(0);
                sum += w;
            }
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Test
    void qpTwelveIsSolvedExactly() {
        // against the value θ(λ) at many random points of the simplex: none may beat the solver's λ
        SplittableRandom random = new SplittableRandom(17);
        for (int instance = 0; instance < 40; instance++) {
            int m = 2 + random.nextInt(3);
            int dim = 1 + random.nextInt(6);
            double[][] vectors = new double[m + 1][dim];
            for (double[] v : vectors) for (int i = 0; i < dim; i++) v[i] = random.nextGaussian();
            if (instance % 5 == 0) vectors[m] = vectors[0].clone(); // constraint gradient parallel to an objective's
            double[][] gram = new double[m + 1][m + 1];
            for (int i = 0; i <= m; i++) {
                for (int j = 0; j <= m; j++) {
                    double s = 0;
                    for (int d = 0; d < dim; d++) s += vectors[i][d] * vectors[j][d];
                    gram[i][j] = s;
                }
            }
            double phi = 0.5 * random.nextDouble() * gram[m][m];
            ForumQp.Solution solution = ForumQp.solve(gram, phi);
            double best = ForumQp.objective(gram, phi, solution.weights());
            assertThat(solution.objective()).isCloseTo(best, org.assertj.core.data.Offset.offset(1e-12));
            for (int sample = 0; sample < 3000; sample++) {
                double[] lam = new double[m];
                double total = 0;
                for (int i = 0; i < m; i++) {
                    lam[i] = sample % 3 == 0 && random.nextBoolean() ? 0 : -Math.log(1 - random.nextDouble());
                    total += lam[i];
                }
                if (total == 0) continue;
                for (int i = 0; i < m; i++) lam[i] /= total;
                assertThat(ForumQp.objective(gram, phi, lam)).isGreaterThanOrEqualTo(best - 1e-10 * (1 + Math.abs(best)));
            }
        }
    }

    @Test
    void separateStepsForXAndYStillDecreaseTheConstraintAtTheBarriersRate() {
        // with μ_x ≠ μ_y FORUM runs on (x/√μ_x, y/√μ_y): at k = 0 (β_0 = 1, so λ̃ = λ) the step Δz must lower q̃ to
        // first order by μ_x·ρ‖∇q̃‖²_M, M = diag(I, μ_y/μ_x·I) (⟨∇q̃, d⟩_M ≥ 2φ_k by the QP (12)); a QP solved in the
        // Euclidean metric while the steps differ would not give this
        double rho = 0.5;
        for (double[] steps : new double[][] {{0.05, 0.5}, {0.5, 0.02}, {0.1, 0.1}}) {
            Forum forum = new Forum(new FirstOrderView(problem), ForumConfig.of(10, 0.2, steps[0], steps[1], rho));
            SplittableRandom random = new SplittableRandom(3);
            double[] x0 = new double[problem.upperDimension()];
            double[] y0 = new double[problem.lowerDimension()];
            for (int i = 0; i < x0.length; i++) x0[i] = random.nextGaussian();
            for (int i = 0; i < y0.length; i++) y0[i] = random.nextGaussian();
            Forum.State start = new Forum.State(0, Vectors.of(x0), Vectors.of(y0), new double[] {0.5, 0.5},
                    new double[] {0.5, 0.5});
            Forum.State next = forum.step(start).next();
            INDArray x = start.x();
            INDArray y = start.y();
            INDArray yT = LowerLevelDescent.descend(problem, x, y, 10, 0.2, false).solution();
            INDArray gradientX = problem.lowerGradientX(x, y).sub(problem.lowerGradientX(x, yT));
            INDArray gradientY = problem.lowerGradient(x, y);
            double omega = steps[1] / steps[0];
            double metricNorm2 = Vectors.squaredNorm(gradientX) + omega * Vectors.squaredNorm(gradientY);
            double decrease = -(Vectors.dot(gradientX, next.x().sub(x)) + Vectors.dot(gradientY, next.y().sub(y)));
            assertThat(metricNorm2).isPositive();
            assertThat(decrease).as("μ = " + java.util.Arrays.toString(steps))
                    .isGreaterThanOrEqualTo(steps[0] * rho * metricNorm2 * (1 - 1e-9));
        }
    }

    @Test
    void oneStepForBothBlocksIsThePapersConfiguration() {
        ForumConfig single = ForumConfig.of(10, 0.2, 0.05, 0.1);
        assertThat(single).isEqualTo(ForumConfig.of(10, 0.2, 0.05, 0.05, 0.1));
        assertThat(single.lowerVariableWeight()).isEqualTo(1.0);
        assertThat(new ForumConfig(10, 0.2, 0.05, 0.1, 0.75, true).lowerVariableStepSize()).isEqualTo(0.05);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ForumConfig.of(10, 0.2, 0.05, 0, 0.1))
                .hasMessageContaining("lower-variable-step-size");
    }
}
