package io.mobl.core.algorithm.penalty;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.core.algorithm.IterativeRun;
import io.mobl.core.algorithm.StepReport;
import io.mobl.core.problem.quadratic.RankDeficientProblem;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import io.mobl.core.linalg.Vectors;
import org.nd4j.linalg.api.ndarray.INDArray;

class WcPenaltyTest {
    // g(x, y) = ½(y − Cx)ᵀA(y − Cx) with rank A = 2 < q = 4: every lower-level solution set is a plane
    private final RankDeficientProblem problem = RankDeficientProblem.random(3, 2, 4, 2, 2, 0.5);
    private final double[] preference = {0.4, 0.6};

    private List<StepReport> run(int horizon) {
        WcPenalty algorithm = new WcPenalty(problem, WcPenaltyConfig.forHorizon(horizon, 0.1, 1.0));
        List<StepReport> reports = new ArrayList<>();
        IterativeRun.run(algorithm, algorithm.initialState(preference, problem.initialUpper()), horizon, reports::add);
        return reports;
    }

    private static double average(List<StepReport> reports) {
        return reports.stream().mapToDouble(StepReport::measure).average().orElseThrow();
    }

    @Test
    void kktResidualAndFeasibilityGoToZeroOnTheRankDeficientProblem() {
        // the poster: (1/T)Σ‖𝒦‖² = O(S/√T) with η = Θ(T^−1/4), u = v = Θ(T^1/4); 16× the horizon is 4× smaller
        List<StepReport> shortRun = run(100);
        List<StepReport> longRun = run(1600);
        assertThat(average(longRun)).isLessThan(average(shortRun) / 3);
        StepReport endShort = shortRun.get(shortRun.size() - 1);
        StepReport endLong = longRun.get(longRun.size() - 1);
        assertThat(endLong.measure()).isLessThan(0.02);
        // feasibility ‖∇_y g‖ and the distance to the known solution set Cx + null(A) shrink with u
        assertThat(endLong.feasibility()).isLessThan(endShort.feasibility() / 2).isLessThan(0.02);
        assertThat(problem.distanceToSolutionSet(endLong.x(), endLong.y())).isLessThan(0.02);
        // and the point reached is the weighted-Chebyshev solution of the known feasible set
        StepReport end = endLong;
        double reached = Math.max(preference[0] * end.objectives()[0], preference[1] * end.objectives()[1]);
        double exact = ExactChebyshev.of(problem, preference).value();
        assertThat(Math.abs(reached - exact)).isLessThan(0.03 * exact);
    }

    @Test
    void aWarmStartTakesJGradientStepsOnTheLowerLevelAtXZeroAndNothingElse() {
        WcPenaltyConfig plain = WcPenaltyConfig.forHorizon(100, 0.1, 1.0);
        WcPenaltyConfig warm = plain.withLowerSteps(30, 0.2);
        assertThat(warm.stepSize()).isEqualTo(plain.stepSize());
        assertThat(warm.constraintPenalty()).isEqualTo(plain.constraintPenalty());
        INDArray x0 = problem.initialUpper().add(1.0); // y_0 = 0 is optimal at x = 0: start where it is not
        WcPenalty.State cold = new WcPenalty(problem, plain).initialState(preference, x0);
        WcPenalty.State started = new WcPenalty(problem, warm).initialState(preference, x0);
        assertThat(cold.y()).isEqualTo(problem.initialLower());
        // the same J steps by hand
        INDArray y = problem.initialLower();
        for (int j = 0; j < 30; j++) y = y.sub(problem.lowerGradient(x0, y).mul(0.2));
        assertThat(Vectors.norm(started.y().sub(y))).isLessThan(1e-12);
        assertThat(Vectors.norm(problem.lowerGradient(x0, started.y())))
                .isLessThan(Vectors.norm(problem.lowerGradient(x0, cold.y())) / 10);
        // the Chebyshev level and slacks are those of the warm start's objectives
        double level = 0;
        for (int s = 0; s < 2; s++) level = Math.max(level, preference[s] * problem.upper(s, x0, started.y()).value());
        assertThat(started.level()).isEqualTo(level);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> plain.withLowerSteps(-1, 0.2))
                .hasMessageContaining("lower-iterations");
    }
}
