package io.mobl.core.algorithm.penalty;

import io.mobl.core.problem.quadratic.RankDeficientProblem;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The known weighted-Chebyshev solution of a two-objective {@link RankDeficientProblem}: min over {y ∈ M(x)} of
 * max_s r_s f_s, found among the exact weighted-sum minimisers (every Pareto-optimal point of this convex problem is
 * one) by bisection on the weight that balances r_1 f_1 and r_2 f_2.
 *
 * @param point the minimiser {x, y}
 * @param value max_s r_s f_s(point)
 */
record ExactChebyshev(INDArray[] point, double value) {
    static ExactChebyshev of(RankDeficientProblem problem, double[] preference) {
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 100; i++) {
            double mid = 0.5 * (lo + hi);
            INDArray[] z = problem.weightedMinimiser(new double[] {mid * preference[0], (1 - mid) * preference[1]});
            double gap = preference[0] * problem.upper(0, z[0], z[1]).value() - preference[1] * problem.upper(1, z[0], z[1]).value();
            if (gap > 0) lo = mid; else hi = mid;
        }
        INDArray[] z = problem.weightedMinimiser(new double[] {lo * preference[0], (1 - lo) * preference[1]});
        return new ExactChebyshev(z, Math.max(preference[0] * problem.upper(0, z[0], z[1]).value(),
                preference[1] * problem.upper(1, z[0], z[1]).value()));
    }
}
