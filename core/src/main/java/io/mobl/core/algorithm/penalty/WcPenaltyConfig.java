package io.mobl.core.algorithm.penalty;

import io.mobl.protocol.Checks;

/**
 * The inputs of the WC-Penalty algorithm (Alg. 1 of the poster "A Tale of Two Problems: Multi-Task Bilevel
 * Learning Meets Equality Constrained Multi-Objective Optimization").
 *
 * @param stepSize          η &gt; 0, the projected-gradient step on P(θ)
 * @param constraintPenalty u &gt; 0, the weight of ½‖h(z)‖², h = ∇_y g (lower-level optimality)
 * @param chebyshevPenalty  v &gt; 0, the weight of ½Σ(r_s f_s(z) + δ_s − ρ)² (the weighted-Chebyshev constraints)
 */
public record WcPenaltyConfig(double stepSize, double constraintPenalty, double chebyshevPenalty) {

    public WcPenaltyConfig {
        Checks.positive("step-size", stepSize);
        Checks.positive("constraint-penalty", constraintPenalty);
        Checks.positive("chebyshev-penalty", chebyshevPenalty);
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
