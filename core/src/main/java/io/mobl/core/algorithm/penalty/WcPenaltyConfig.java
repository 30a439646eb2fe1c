package io.mobl.core.algorithm.penalty;

import io.mobl.core.algorithm.LowerDescent;
import io.mobl.protocol.Checks;

/**
 * The inputs of the WC-Penalty algorithm (Alg. 1 of the poster "A Tale of Two Problems: Multi-Task Bilevel
 * Learning Meets Equality Constrained Multi-Objective Optimization").
 *
 * @param stepSize          η &gt; 0, the projected-gradient step on P(θ)
 * @param constraintPenalty u &gt; 0, the weight of ½‖h(z)‖², h = ∇_y g (lower-level optimality)
 * @param chebyshevPenalty  v &gt; 0, the weight of ½Σ(r_s f_s(z) + δ_s − ρ)² (the weighted-Chebyshev constraints)
 * @param warmStart         J ≥ 0 plain gradient steps y ← y − α∇_y g(x_0, y) from the problem's y_0 before the first
 *                          penalty step: a start θ_0 near the constraint set h = 0 (the poster's Alg. 1 takes any
 *                          θ_0 ∈ C). J = 0 starts at y_0 as given. The penalty itself moves y along ηu·∇²_yy g·h, a
 *                          Gauss–Newton step on ½‖∇_y g‖² whose rate in a direction of curvature λ is ηuλ² (λ² ≪ λ
 *                          where the lower level is flat, and it is merely convex), so from a y_0 far from optimal it
 *                          takes far more steps to reach lower-level optimality than gradient descent on g does.
 *                          Only the start: steps on g inside the iterations would zero h, and with it ν = u·h, the
 *                          only way the upper objectives reach x. Its α (≤ 1/L_g) is unused when J = 0
 */
public record WcPenaltyConfig(double stepSize, double constraintPenalty, double chebyshevPenalty, LowerDescent warmStart) {

    public WcPenaltyConfig {
        Checks.positive("step-size", stepSize);
        Checks.positive("constraint-penalty", constraintPenalty);
        Checks.positive("chebyshev-penalty", chebyshevPenalty);
        if (warmStart == null) throw new io.mobl.protocol.InvalidInputException("warm-start", null, "J ≥ 0 steps of size α");
    }

    /** With J = {@code lowerIterations} warm-start steps of size α = {@code lowerStepSize}. */
    public WcPenaltyConfig(double stepSize, double constraintPenalty, double chebyshevPenalty, int lowerIterations,
                           double lowerStepSize) {
        this(stepSize, constraintPenalty, chebyshevPenalty, new LowerDescent(lowerIterations, lowerStepSize));
    }

    /** J. */
    public int lowerIterations() { return warmStart.iterations(); }
    /** α of the warm start. */
    public double lowerStepSize() { return warmStart.stepSize(); }

    /** The poster's Alg. 1 from the problem's y_0. */
    public WcPenaltyConfig(double stepSize, double constraintPenalty, double chebyshevPenalty) {
        this(stepSize, constraintPenalty, chebyshevPenalty, 0, 1);
    }

    /** The same starting from J gradient steps of size α on the lower level at x_0. */
    public WcPenaltyConfig withLowerSteps(int iterations, double stepSize) {
        return new WcPenaltyConfig(this.stepSize, constraintPenalty, chebyshevPenalty, iterations, stepSize);
    }

    /**
     * The poster's schedule for a horizon of T iterations: η = η₀·T^(−1/4) and u = v = c₀·T^(1/4), under which
     * (1/T)Σ‖𝒦‖² = O(S/√T). ηu = η₀c₀ stays fixed, so the step stays stable as T grows.
     *
     * @param iterations   T ≥ 1
     * @param stepScale    η₀ &gt; 0
     * @param penaltyScale c₀ &gt; 0
     */
    public static WcPenaltyConfig forHorizon(int iterations, double stepScale, double penaltyScale) {
        Checks.atLeast("iterations", iterations, 1);
        Checks.positive("step-scale", stepScale);
        Checks.positive("penalty-scale", penaltyScale);
        double root = Math.pow(iterations, 0.25);
        return new WcPenaltyConfig(stepScale / root, penaltyScale * root, penaltyScale * root);
    }
}
