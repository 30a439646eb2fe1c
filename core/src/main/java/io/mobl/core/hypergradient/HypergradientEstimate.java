package io.mobl.core.hypergradient;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One objective's share of an outer iteration.
 *
 * @param objective     s, from 0
 * @param hypergradient ∇̂φ_s(x_k), length p
 * @param value         f_s(x_k, y_k^D), the objective as the algorithm sees it
 * @param warmStart     what the next iteration starts this objective's linear solve from (CG's v_k^{(s),N});
 *                      null for methods without a warm start
 */
public record HypergradientEstimate(int objective, INDArray hypergradient, double value, INDArray warmStart) {}
