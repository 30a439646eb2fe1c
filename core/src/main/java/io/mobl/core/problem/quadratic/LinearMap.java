package io.mobl.core.problem.quadratic;

import io.mobl.core.linalg.Vectors;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A linear map R^columns → R^rows given by its action, so that huge structured matrices stay O(n) in memory. */
public interface LinearMap {
    int rows();

    int columns();

    /** M·v, v of length columns. */
    INDArray apply(INDArray v);

    /** Mᵀ·v, v of length rows. */
    INDArray applyTransposed(INDArray v);

    /**
     * out ← out + alpha·M·v in place (out of length rows), without a temporary where the map can fuse it;
     * each entry of M·v is formed completely before it is scaled and added. Returns out.
     */
    default INDArray applyAdd(double alpha, INDArray v, INDArray out) {
        return Vectors.axpyInPlace(alpha, apply(v), out);
    }

    /** out ← M·v in place (out of length rows, not v), with exactly the entries of {@link #apply}. Returns out. */
    default INDArray applyInto(INDArray v, INDArray out) {
        return out.assign(apply(v));
    }

    /** An upper bound on the largest singular value σ_max(M). */
    double spectralNormBound();
}
