package io.mobl.core.algorithm.forum;

import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.time.Duration;

/**
 * Stochastic FORUM's inputs: Alg. 1's ({@link ForumConfig}) and the sizes of the minibatches each step draws, as the
 * FORUM paper runs it in §5.1 (SGD on batches of 100 per data set for the lower steps and for every gradient).
 *
 * @param forum           T, η, μ_x, μ_y, ρ, β_k, line 4's start and the QP's metric
 * @param lowerBatch      |𝒯_t|, lower-level samples per SGD step t of lines 5–7
 * @param constraintBatch |𝒞|, lower-level samples of q̃(z_k) and ∇q̃(z_k) (lines 8–9): one batch for both points
 *                        y_k and ỹ^T, so the difference is not swamped by sampling noise
 * @param upperBatch      |𝒟_F^i|, samples of objective i for ∇F_i(z_k) (line 10)
 * @param batchTimeout    how long one minibatch may take to arrive
 */
public record StochasticForumConfig(ForumConfig forum, int lowerBatch, int constraintBatch, int upperBatch,
                                    Duration batchTimeout) {
    /** Long enough for a Kafka-fed run to survive a rebalance; an in-memory source never waits. */
    public static final Duration DEFAULT_BATCH_TIMEOUT = Duration.ofSeconds(30);

    public StochasticForumConfig {
        if (forum == null) throw new InvalidInputException("forum", null, "FORUM's Alg. 1 settings");
        Checks.atLeast("lower-batch", lowerBatch, 1);
        Checks.atLeast("constraint-batch", constraintBatch, 1);
        Checks.atLeast("upper-batch", upperBatch, 1);
        if (batchTimeout == null || batchTimeout.isNegative() || batchTimeout.isZero()) {
            throw new InvalidInputException("batch-timeout", batchTimeout, "a positive duration");
        }
    }
}
