package io.mobl.core.algorithm;

import io.mobl.protocol.Checks;

/**
 * When an outer loop stops: after K iterations, or as soon as its Pareto-stationarity gap at x_k is at most ε.
 *
 * @param maxIterations K ≥ 0 (K iterations make K updates and K + 1 evaluations)
 * @param tolerance     ε ≥ 0 (0 never stops early)
 */
public record Budget(int maxIterations, double tolerance) {
    public Budget {
        Checks.atLeast("iterations", maxIterations, 0);
        Checks.nonNegative("tolerance", tolerance);
    }

    /** Whether the run ends at iteration k with this stationarity gap measured at x_k. */
    public boolean finished(int iteration, double stationarity) {
        return iteration >= maxIterations || stationarity <= tolerance;
    }
}
