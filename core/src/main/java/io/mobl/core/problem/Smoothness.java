package io.mobl.core.problem;

import io.mobl.protocol.Checks;

/**
 * Constants of Assumptions 5.1–5.2 of the WC-MHGD paper, as far as a problem knows them.
 *
 * @param lowerLipschitz        L: Lipschitz constant of ∇_y g (largest eigenvalue of ∇²_yy g)
 * @param lowerStrongConvexity  μ_g: strong-convexity modulus of g in y (smallest eigenvalue), > 0
 * @param upperLipschitz        L_φ: Lipschitz constant of the hypergradients ∇φ_s
 */
public record Smoothness(double lowerLipschitz, double lowerStrongConvexity, double upperLipschitz) {
    public Smoothness {
        Checks.positive("lowerLipschitz", lowerLipschitz);
        Checks.positive("lowerStrongConvexity", lowerStrongConvexity);
        Checks.positive("upperLipschitz", upperLipschitz);
    }

    /** κ = L / μ_g. */
    public double conditionNumber() {
        return lowerLipschitz / lowerStrongConvexity;
    }
}
