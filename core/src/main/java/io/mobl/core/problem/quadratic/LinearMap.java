package io.mobl.core.problem.quadratic;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A linear map R^columns → R^rows given by its action, so that huge structured matrices stay O(n) in memory. */
public interface LinearMap {
    int rows();

    int columns();

    /** M·v, v of length columns. */
    INDArray apply(INDArray v);

    /** Mᵀ·v, v of length rows. */
    INDArray applyTransposed(INDArray v);

    /** An upper bound on the largest singular value σ_max(M). */
    double spectralNormBound();
}
