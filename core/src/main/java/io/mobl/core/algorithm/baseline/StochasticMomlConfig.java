package io.mobl.core.algorithm.baseline;

import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.time.Duration;

/**
 * Stochastic MOML's inputs (the FORUM paper's §5.1 baseline: the same lower level as FORUM's, on minibatches).
 *
 * @param lowerIterations D ≥ 1, SGD steps per outer iteration, warm-started (the paper's T = 64)
 * @param lowerStepSize   α &gt; 0 (the paper's η = 0.3)
 * @param upperStepSize   β &gt; 0, the step of x along the min-norm combination of the hypergradients
 * @param lowerBatch      |𝒯_t|, lower-level samples per step (each step's batch is also the one its backward step
 *                        differentiates)
 * @param upperBatch      |𝒟_F^s|, samples of objective s for its gradient at y^D
 * @param batchTimeout    how long one minibatch may take to arrive
 */
public record StochasticMomlConfig(int lowerIterations, double lowerStepSize, double upperStepSize, int lowerBatch,
                                   int upperBatch, Duration batchTimeout) {
    public StochasticMomlConfig {
        Checks.atLeast("lower-iterations", lowerIterations, 1);
        Checks.positive("lower-step-size", lowerStepSize);
        Checks.positive("upper-step-size", upperStepSize);
        Checks.atLeast("lower-batch", lowerBatch, 1);
        Checks.atLeast("upper-batch", upperBatch, 1);
        if (batchTimeout == null || batchTimeout.isNegative() || batchTimeout.isZero()) {
            throw new InvalidInputException("batch-timeout", batchTimeout, "a positive duration");
        }
    }
}
