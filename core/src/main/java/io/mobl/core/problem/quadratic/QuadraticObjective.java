package io.mobl.core.problem.quadratic;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * f_s(x, y) = ½‖y − c‖² + ½·a·‖x − d‖².
 *
 * @param c    target of the lower-level model, length q
 * @param d    target of the upper variable, length p
 * @param a    weight of the upper-variable term, ≥ 0
 */
public record QuadraticObjective(INDArray c, INDArray d, double a) {}
