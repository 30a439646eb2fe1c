package io.mobl.core.problem;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One evaluation of an upper objective f_s at (x, y): its value and both partial gradients (one Gc(f) call).
 *
 * @param value     f_s(x, y)
 * @param gradientX ∇_x f_s(x, y), length p
 * @param gradientY ∇_y f_s(x, y), length q
 */
public record UpperEvaluation(double value, INDArray gradientX, INDArray gradientY) {}
