package io.mobl.core.algorithm;

import io.mobl.core.hypergradient.HypergradientMethod;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.Smoothness;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.util.Objects;

/**
 * The inputs of Alg. 1 (deterministic WC-MHGD) besides the problem and the preference.
 *
 * @param lowerIterations D, lower-level gradient steps per outer iteration (≥ 1)
 * @param lowerStepSize   α, the lower-level step (≤ 1/L for the theory)
 * @param upperStepSize   β, the upper-level step
 * @param chebyshevWeight u in Eq. (5), the weight of the weighted-Chebyshev term (≥ 0)
 * @param hypergradient   Option 1 (CG with N steps) or Option 2 (Neumann series)
 * @param maxIterations   K, the most outer iterations (updates of x)
 * @param tolerance       ε: stop as soon as the Pareto-stationarity gap at x_k is ≤ ε (0 never stops early)
 */
public record WcMhgdConfig(
        int lowerIterations,
        double lowerStepSize,
        double upperStepSize,
        double chebyshevWeight,
        HypergradientMethod hypergradient,
        int maxIterations,
        double tolerance) {

    public WcMhgdConfig {
        Checks.atLeast("lower-iterations", lowerIterations, 1);
        Checks.positive("lower-step-size", lowerStepSize);
        Checks.positive("upper-step-size", upperStepSize);
        Checks.nonNegative("chebyshev-weight", chebyshevWeight);
        Objects.requireNonNull(hypergradient, "hypergradient");
        Checks.atLeast("iterations", maxIterations, 0);
        Checks.nonNegative("tolerance", tolerance);
    }

    /**
     * Step sizes from Theorem 5.5 where the problem knows its constants: α = 1/L and
     * β = min{1/(2(1+L_φ)·r_max), 1/(3L_φ)} with r_max taken as 1 so that β does not depend on the preference
     * (preferences may change mid-run).
     */
    public static WcMhgdConfig defaults(BilevelProblem problem, HypergradientMethod hypergradient, int lowerIterations,
                                        double chebyshevWeight, int maxIterations, double tolerance) {
        Smoothness s = problem.smoothness().orElseThrow(() -> new InvalidInputException("lower-step-size", "auto",
                "explicit step sizes: this problem does not state its smoothness constants"));
        return new WcMhgdConfig(lowerIterations, 1.0 / s.lowerLipschitz(), theoremUpperStep(s), chebyshevWeight,
                hypergradient, maxIterations, tolerance);
    }

    public static double theoremUpperStep(Smoothness s) {
        return StepSizes.theoremUpperStep(s.upperLipschitz());
    }

    public WcMhgdConfig withMaxIterations(int k) {
        return new WcMhgdConfig(lowerIterations, lowerStepSize, upperStepSize, chebyshevWeight, hypergradient, k, tolerance);
    }

    public WcMhgdConfig withTolerance(double epsilon) {
        return new WcMhgdConfig(lowerIterations, lowerStepSize, upperStepSize, chebyshevWeight, hypergradient,
                maxIterations, epsilon);
    }

    /** Whether the run ends at iteration k with this stationarity gap measured at x_k. */
    public boolean finished(int iteration, double stationarity) {
        return iteration >= maxIterations || stationarity <= tolerance;
    }
}
