package io.mobl.core.algorithm;

import io.mobl.protocol.Checks;

/**
 * The lower-level gradient steps of an outer iteration (Alg. 1 lines 3–6, Alg. 2's SGD steps, the baselines' and
 * WC-Penalty's warm start): the part of every algorithm's configuration that says how y is trained.
 *
 * @param iterations D ≥ 0 gradient steps per outer iteration (≥ 1 where y is trained every iteration: {@link #requireSteps})
 * @param stepSize   α &gt; 0 (≤ 1/L for the theory)
 */
public record LowerDescent(int iterations, double stepSize) {
    public LowerDescent {
        Checks.atLeast("lower-iterations", iterations, 0);
        Checks.positive("lower-step-size", stepSize);
    }

    /** The same with at least one step, as the algorithms that train y every iteration need. */
    public LowerDescent requireSteps() {
        Checks.atLeast("lower-iterations", iterations, 1);
        return this;
    }
}
