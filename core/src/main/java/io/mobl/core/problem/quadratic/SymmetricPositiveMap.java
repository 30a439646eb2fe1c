package io.mobl.core.problem.quadratic;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A symmetric positive-definite linear map that can also be inverted exactly. */
public interface SymmetricPositiveMap extends LinearMap {
    @Override
    default INDArray applyTransposed(INDArray v) {
        return apply(v);
    }

    /** M⁻¹·b. */
    INDArray solve(INDArray b);

    /** An upper bound on the largest eigenvalue. */
    double largestEigenvalueBound();

    /** A lower bound (> 0) on the smallest eigenvalue. */
    double smallestEigenvalueBound();

    @Override
    default double spectralNormBound() {
        return largestEigenvalueBound();
    }
}
