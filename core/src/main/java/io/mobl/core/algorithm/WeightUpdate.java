package io.mobl.core.algorithm;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Lines 15–16 of Alg. 1: the weights of QP (5) and the step they give.
 *
 * @param weights      λ_k, length S, in the simplex
 * @param objectives   φ̂_s(x_k), length S
 * @param stationarity min_{λ∈Δ} ‖Ĝλ‖², the Pareto-stationarity gap at x_k (Definition 3.3)
 * @param direction    d_k = Ĝ(r∘λ_k), length p
 * @param nextX        x_{k+1} = x_k − β·d_k
 * @param stepNorm     ‖x_{k+1} − x_k‖ = β‖d_k‖
 * @param qpResidual   KKT residual of QP (5) as solved
 */
public record WeightUpdate(double[] weights, double[] objectives, double stationarity, INDArray direction,
                           INDArray nextX, double stepNorm, double qpResidual) {}
