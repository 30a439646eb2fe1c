package io.mobl.core.algorithm.forum;

import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;

/**
 * The inputs of FORUM's Alg. 1 (Ye et al., "A first-order multi-gradient algorithm for multi-objective bi-level
 * optimization") besides the problem.
 *
 * @param lowerIterations T ≥ 1, gradient steps on the lower level per outer iteration (lines 5–7)
 * @param lowerStepSize   η &gt; 0, their step (≤ 1/L_f for the theory)
 * @param upperStepSize   μ_x &gt; 0, the step of x along d_k (line 15)
 * @param lowerVariableStepSize μ_y &gt; 0, the step of y along d_k. The paper has one μ for z = (x, y); a second one
 *                        is FORUM run on the rescaled variables (x/√μ_x, y/√μ_y) with unit step, so that the QP (12)
 *                        is solved in the metric diag(I, μ_y/μ_x·I) (see {@link Forum}). It matters when the two
 *                        blocks' gradients differ in scale by orders: in hyper-cleaning ∇_x g carries 1/N_i and
 *                        wants μ_x ≈ 2·10⁴ while y wants a lower-level step ≈ 0.3. μ_y = μ_x is the paper's method
 * @param rho             ρ &gt; 0 of the dynamic barrier φ_k = ρ/2‖∇q̃(z_k)‖²
 * @param momentumPower   the exponent a of the weight momentum β_k = (k+1)^(−a), in (0, 1]; the paper's
 *                        Theorem 1 takes 3/4 (β_0 = 1 whatever a is)
 * @param restartLower    line 4's option: true starts the lower steps from y_0 every iteration, false from
 *                        the current y_k (default)
 * @param metric          the inner product of the QP (12), of φ_k and of 𝒦 when μ_y ≠ μ_x: {@link Metric#STEP_SCALED}
 *                        (mobl's default, the rescaled variables) or {@link Metric#EUCLIDEAN} (the paper's §5.1 as run:
 *                        d_k from (12) in the plain inner product, then one SGD learning rate per block, 10 for the
 *                        sample weights and 0.3 for the model). Identical when μ_y = μ_x
 */
public record ForumConfig(int lowerIterations, double lowerStepSize, double upperStepSize,
                          double lowerVariableStepSize, double rho, double momentumPower, boolean restartLower,
                          Metric metric) {

    /** Which inner product FORUM's aggregation uses on z = (x, y). */
    public enum Metric {
        /** ⟨a, b⟩ = ⟨a_x, b_x⟩ + (μ_y/μ_x)⟨a_y, b_y⟩: FORUM on (x/√μ_x, y/√μ_y) with one step. */
        STEP_SCALED,
        /** ⟨a, b⟩ = ⟨a_x, b_x⟩ + ⟨a_y, b_y⟩, the paper's, whatever the two learning rates. */
        EUCLIDEAN
    }

    public ForumConfig {
        if (metric == null) throw new InvalidInputException("metric", null, "step-scaled or euclidean");
        Checks.atLeast("lower-iterations", lowerIterations, 1);
        Checks.positive("lower-step-size", lowerStepSize);
        Checks.positive("upper-step-size", upperStepSize);
        Checks.positive("lower-variable-step-size", lowerVariableStepSize);
        Checks.positive("rho", rho);
        if (!(momentumPower > 0 && momentumPower <= 1)) {
            throw new InvalidInputException("momentum-power", momentumPower, "a number in (0, 1] (the paper uses 0.75)");
        }
    }

    /** With the {@link Metric#STEP_SCALED} metric. */
    public ForumConfig(int lowerIterations, double lowerStepSize, double upperStepSize, double lowerVariableStepSize,
                       double rho, double momentumPower, boolean restartLower) {
        this(lowerIterations, lowerStepSize, upperStepSize, lowerVariableStepSize, rho, momentumPower, restartLower,
                Metric.STEP_SCALED);
    }

    /** The paper's single step μ for both x and y (μ_y = μ_x = upperStepSize). */
    public ForumConfig(int lowerIterations, double lowerStepSize, double upperStepSize, double rho,
                       double momentumPower, boolean restartLower) {
        this(lowerIterations, lowerStepSize, upperStepSize, upperStepSize, rho, momentumPower, restartLower);
    }

    /** The paper's choices: β_k = (k+1)^(−3/4), lower steps from the current y_k, one step μ for x and y. */
    public static ForumConfig of(int lowerIterations, double lowerStepSize, double upperStepSize, double rho) {
        return new ForumConfig(lowerIterations, lowerStepSize, upperStepSize, rho, 0.75, false);
    }

    /** As {@link #of(int, double, double, double)} with steps μ_x for x and μ_y for y. */
    public static ForumConfig of(int lowerIterations, double lowerStepSize, double upperStepSize,
                                 double lowerVariableStepSize, double rho) {
        return new ForumConfig(lowerIterations, lowerStepSize, upperStepSize, lowerVariableStepSize, rho, 0.75, false);
    }

    /** β_k = (k+1)^(−a). */
    public double momentum(int iteration) {
        return Math.pow(iteration + 1.0, -momentumPower);
    }

    /** The same with another metric. */
    public ForumConfig withMetric(Metric other) {
        return new ForumConfig(lowerIterations, lowerStepSize, upperStepSize, lowerVariableStepSize, rho, momentumPower,
                restartLower, other);
    }

    /**
     * The weight of the y block in the metric of the QP (12): μ_y/μ_x with {@link Metric#STEP_SCALED} (1 for the
     * paper's single step), 1 with {@link Metric#EUCLIDEAN}.
     */
    public double lowerVariableWeight() {
        return metric == Metric.EUCLIDEAN ? 1 : lowerVariableStepSize / upperStepSize;
    }
}
