package io.mobl.core.algorithm;

import io.mobl.protocol.ParetoPoint;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a run for one preference ended with.
 *
 * @param point the reported Pareto point
 * @param x     x at the end (the same values as {@code point.x()}, as an ND4J vector)
 * @param state the final state, from which a run can continue
 */
public record Solution(ParetoPoint point, INDArray x, WcMhgdState state) {}
