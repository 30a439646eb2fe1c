package io.mobl.core.problem;

import java.util.SplittableRandom;

/**
 * A problem whose lower level is a finite sum and can hand out minibatch views: the same problem with the lower
 * level g replaced by an unbiased sample g_B (E[∇g_B] = ∇g, and the same for its second derivatives). What the
 * stochastic WC-Penalty steps with.
 */
public interface SampledLowerLevel {

    /**
     * @param random    the draw comes from here (seeded by the caller, so runs are reproducible)
     * @param batchSize b ≥ 1
     */
    BilevelProblem lowerSample(SplittableRandom random, int batchSize);
}
