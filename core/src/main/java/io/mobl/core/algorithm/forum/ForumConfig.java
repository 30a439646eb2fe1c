package io.mobl.core.algorithm.forum;

import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;

/**
 * The inputs of FORUM's Alg. 1 (Ye et al., "A first-order multi-gradient algorithm for multi-objective bi-level
 * optimization") besides the problem.
 *
 * @param lowerIterations T ≥ 1, gradient steps on the lower level per outer iteration (lines 5–7)
 * @param lowerStepSize   η &gt; 0, their step (≤ 1/L_f for the theory)
 * @param upperStepSize   μ &gt; 0, the step of z = (x, y) along d_k (line 15)
 * @param rho             ρ &gt; 0 of the dynamic barrier φ_k = ρ/2‖∇q̃(z_k)‖²
 * @param momentumPower   the exponent a of the weight momentum β_k = (k+1)^(−a), in (0, 1]; the paper's
 *                        Theorem 1 takes 3/4 (β_0 = 1 whatever a is)
 * @param restartLower    line 4's option: true starts the lower steps from y_0 every iteration, false from
 *                        the current y_k (default)
 */
public record ForumConfig(int lowerIterations, double lowerStepSize, double upperStepSize, double rho,
                          double momentumPower, boolean restartLower) {

    public ForumConfig {
        Checks.atLeast("lower-iterations", lowerIterations, 1);
        Checks.positive("lower-step-size", lowerStepSize);
        Checks.positive("upper-step-size", upperStepSize);
        Checks.positive("rho", rho);
        if (!(momentumPower > 0 && momentumPower <= 1)) {
            throw new InvalidInputException("momentum-power", momentumPower, "a number in (0, 1] (the paper uses 0.75)");
        }
    }

    /** The paper's choices: β_k = (k+1)^(−3/4), lower steps from the current y_k. */
    public static ForumConfig of(int lowerIterations, double lowerStepSize, double upperStepSize, double rho) {
        return new ForumConfig(lowerIterations, lowerStepSize, upperStepSize, rho, 0.75, false);
    }

    /** β_k = (k+1)^(−a). */
    public double momentum(int iteration) {
        return Math.pow(iteration + 1.0, -momentumPower);
    }
}
