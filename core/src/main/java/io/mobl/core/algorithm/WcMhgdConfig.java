package io.mobl.core.algorithm;

import io.mobl.core.hypergradient.HypergradientMethod;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.Smoothness;
import io.mobl.protocol.InvalidInputException;
import java.util.Objects;

/**
 * The inputs of Alg. 1 (deterministic WC-MHGD) besides the problem and the preference, composed of the parts it
 * shares with the other algorithms: the lower-level steps, the weight subproblem and step, and the budget.
 *
 * @param lower         D lower-level gradient steps of size α (D ≥ 1; α ≤ 1/L for the theory)
 * @param upper         β and u of lines 15–16
 * @param hypergradient Option 1 (CG with N steps) or Option 2 (Neumann series)
 * @param budget        K, the most outer iterations, and ε, the stationarity gap that stops it early
 */
public record WcMhgdConfig(LowerDescent lower, ChebyshevStep upper, HypergradientMethod hypergradient, Budget budget) {

    public WcMhgdConfig {
        Objects.requireNonNull(lower, "lower");
        lower.requireSteps();
        Objects.requireNonNull(upper, "upper");
        Objects.requireNonNull(hypergradient, "hypergradient");
        Objects.requireNonNull(budget, "budget");
    }

    /**
     * Alg. 1's inputs by the papers' names.
     *
     * @param lowerIterations D ≥ 1
     * @param lowerStepSize   α
     * @param upperStepSize   β
     * @param chebyshevWeight u ≥ 0
     * @param maxIterations   K ≥ 0
     * @param tolerance       ε ≥ 0
     */
    public WcMhgdConfig(int lowerIterations, double lowerStepSize, double upperStepSize, double chebyshevWeight,
                        HypergradientMethod hypergradient, int maxIterations, double tolerance) {
        this(new LowerDescent(lowerIterations, lowerStepSize), new ChebyshevStep(upperStepSize, chebyshevWeight),
                hypergradient, new Budget(maxIterations, tolerance));
    }

    /** D. */
    public int lowerIterations() { return lower.iterations(); }
    /** α. */
    public double lowerStepSize() { return lower.stepSize(); }
    /** β. */
    public double upperStepSize() { return upper.upperStepSize(); }
    /** u. */
    public double chebyshevWeight() { return upper.chebyshevWeight(); }
    /** K. */
    public int maxIterations() { return budget.maxIterations(); }
    /** ε. */
    public double tolerance() { return budget.tolerance(); }

    /**
     * Step sizes from Theorem 5.5 where the problem knows its constants: α = 1/L and
     * β = min{1/(2(1+L_φ)·r_max), 1/(3L_φ)} with r_max taken as 1 so that β does not depend on the preference
     * (preferences may change mid-run). {@link StepSizes} derives them for any problem, estimating what it does not
     * state.
     */
    public static WcMhgdConfig defaults(BilevelProblem problem, HypergradientMethod hypergradient, int lowerIterations,
                                        double chebyshevWeight, int maxIterations, double tolerance) {
        if (problem.smoothness().isEmpty()) {
            throw new InvalidInputException("lower-step-size", "auto",
                    "explicit step sizes: this problem does not state its smoothness constants (StepSizes estimates them)");
        }
        return StepSizes.of(problem).wcMhgd(hypergradient, lowerIterations, chebyshevWeight, maxIterations, tolerance,
                java.util.OptionalDouble.empty(), java.util.OptionalDouble.empty()).config();
    }

    public static double theoremUpperStep(Smoothness s) {
        return StepSizes.theoremUpperStep(s.upperLipschitz());
    }

    public WcMhgdConfig withMaxIterations(int k) {
        return new WcMhgdConfig(lower, upper, hypergradient, new Budget(k, budget.tolerance()));
    }

    public WcMhgdConfig withTolerance(double epsilon) {
        return new WcMhgdConfig(lower, upper, hypergradient, new Budget(budget.maxIterations(), epsilon));
    }

    /** Whether the run ends at iteration k with this stationarity gap measured at x_k. */
    public boolean finished(int iteration, double stationarity) {
        return budget.finished(iteration, stationarity);
    }
}
