package io.mobl.core.algorithm.penalty;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.quadratic.RankDeficientProblem;
import org.junit.jupiter.api.Test;

class StochasticWcPenaltyTest {
    private final RankDeficientProblem problem = RankDeficientProblem.random(3, 2, 4, 2, 2, 0.5);
    private final double[] preference = {0.4, 0.6};

    /** The average of the full-problem ‖𝒦‖² over every 10th iterate of a run of the given horizon, and the last state. */
    private record Run(double averageResidual, WcPenalty.State last) {}

    private Run run(int horizon, long seed) {
        StochasticWcPenalty algorithm = new StochasticWcPenalty(problem, WcPenaltyConfig.forHorizon(horizon, 0.03, 1.0), 2, seed);
        WcPenalty.State state = algorithm.initialState(preference, problem.initialUpper());
        double sum = 0;
        int count = 0;
        for (int t = 0; t < horizon; t++) {
            if (t % 10 == 0) {
                sum += algorithm.fullResidual(state);
                count++;
            }
            IterativeAlgorithm.Step<WcPenalty.State> step = algorithm.step(state);
            state = step.next();
        }
        return new Run(sum / count, state);
    }

    @Test
    void minibatchStepsDriveTheFullKktResidualDownToTheKnownWeightedChebyshevSolution() {
        Run shortRun = run(100, 5);
        Run longRun = run(1600, 5);
        System.out.println("stochastic: " + shortRun.averageResidual() + " → " + longRun.averageResidual() + ", h: "
                + problem.lowerGradient(shortRun.last().x(), shortRun.last().y()).norm2Number() + " → "
                + problem.lowerGradient(longRun.last().x(), longRun.last().y()).norm2Number());
        assertThat(longRun.averageResidual()).isLessThan(shortRun.averageResidual() / 2);
        double hShort = problem.lowerGradient(shortRun.last().x(), shortRun.last().y()).norm2Number().doubleValue();
        double hLong = problem.lowerGradient(longRun.last().x(), longRun.last().y()).norm2Number().doubleValue();
        assertThat(hLong).isLessThan(hShort);
        // and the point reached is near the known weighted-Chebyshev solution of the feasible set
        WcPenalty.State end = longRun.last();
        double reached = Math.max(preference[0] * problem.upper(0, end.x(), end.y()).value(),
                preference[1] * problem.upper(1, end.x(), end.y()).value());
        ExactChebyshev exact = ExactChebyshev.of(problem, preference);
        // (measured: max_s r_s f_s = 1.0436 against 1.0407, from 1.160 at the start; |x - x*| = 0.026 from 0.375)
        assertThat(Math.abs(reached - exact.value())).isLessThan(0.01 * exact.value());
        assertThat(Vectors.norm(end.x().sub(exact.point()[0])))
                .isLessThan(0.1 * Vectors.norm(problem.initialUpper().sub(exact.point()[0])));
        assertThat(problem.distanceToSolutionSet(end.x(), end.y())).isLessThan(0.03);
    }

    @Test
    void aSeedReproducesTheRunAndAnotherSeedDoesNot() {
        WcPenalty.State a = run(30, 11).last();
        WcPenalty.State b = run(30, 11).last();
        WcPenalty.State c = run(30, 12).last();
        assertThat(a.x().toDoubleVector()).containsExactly(b.x().toDoubleVector());
        assertThat(a.y().toDoubleVector()).containsExactly(b.y().toDoubleVector());
        assertThat(a.y().toDoubleVector()).isNotEqualTo(c.y().toDoubleVector());
    }
}
