package io.mobl.core.stochastic;

import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.Smoothness;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import java.util.List;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A multi-objective bilevel problem in the stochastic setting of the WC-MHGD paper (§4.3):
 * g(x, y) = E_ζ G(x, y; ζ) and f_s(x, y) = E_ξ F^{(s)}(x, y; ξ), known only through samples. Every oracle is
 * evaluated on a {@link SampleBatch} and returns the batch mean of the per-sample oracle, e.g.
 * ∇_y G(x, y; 𝒯) = (1/|𝒯|) Σ_{ζ∈𝒯} ∇_y G(x, y; ζ), an unbiased estimate of ∇_y g(x, y).
 *
 * <p>Lower-level samples ({@link Minibatch#LOWER}) feed ∇_y G, ∇²_yy G·v and ∇²_xy G·v; the samples of upper
 * objective s feed F^{(s)} and its gradients. Implementations are stateless and thread-safe, never modify their
 * arguments, and reject a batch of the wrong shape through {@link #check}.
 */
public interface StochasticBilevelProblem {

    /** p, the dimension of x. */
    int upperDimension();

    /** q, the dimension of y. */
    int lowerDimension();

    /** S, the number of upper objectives. */
    int objectiveCount();

    /** The features per sample this problem reads for a role ({@link Minibatch#LOWER} or s). */
    int featureDimension(int objective);

    /** The label entries per sample for a role; 0 (unlabelled) unless the problem says otherwise. */
    default int labelDimension(int objective) {
        return 0;
    }

    /** F^{(s)}(x, y; batch) with its partial gradients ∇_x, ∇_y: Gc(f) counts |batch|. */
    UpperEvaluation upper(int objective, INDArray x, INDArray y, SampleBatch batch);

    /** ∇_y G(x, y; batch), length q: Gc(g) counts |batch|. */
    INDArray lowerGradient(INDArray x, INDArray y, SampleBatch batch);

    /**
     * T lower-level SGD steps y_{t+1} = y_t − α∇_y G(x, y_t; 𝒯_t), one per batch in order, from y (not modified):
     * y_T. The default calls {@link #lowerGradient} per step; a problem may fuse the steps (the network problems keep
     * y in their working precision throughout) as long as each step is that update. Gc(g) counts Σ_t |𝒯_t|.
     */
    default INDArray lowerDescent(INDArray x, INDArray y, List<SampleBatch> batches, double stepSize) {
        INDArray out = y.dup();
        for (SampleBatch batch : batches) Vectors.axpyInPlace(-stepSize, lowerGradient(x, out, batch), out);
        return out;
    }

    /**
     * G(x, y; batch), the batch mean of the lower-level loss: what FORUM's value-function constraint
     * q̃ = G(x, y) − G(x, ỹ^T) compares. The default says the problem does not offer it.
     */
    default double lowerValue(INDArray x, INDArray y, SampleBatch batch) {
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + " does not implement G (StochasticBilevelProblem.lowerValue); stochastic FORUM needs it");
    }

    /**
     * ∇_x G(x, y; batch), length p: the other half of the Gc(g) oracle, which first-order methods on z = (x, y)
     * need (FORUM's Eq. (4)); hypergradient methods do not. The default says the problem does not offer it.
     */
    default INDArray lowerGradientX(INDArray x, INDArray y, SampleBatch batch) {
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + " does not implement ∇_x G (StochasticBilevelProblem.lowerGradientX); stochastic FORUM needs it");
    }

    /** ∇²_yy G(x, y; batch)·v, length q: HV(g) counts |batch|. */
    INDArray hessianVector(INDArray x, INDArray y, INDArray v, SampleBatch batch);

    /** ∇²_xy G(x, y; batch)·v, length p: JV(g) counts |batch|. */
    INDArray jacobianVector(INDArray x, INDArray y, INDArray v, SampleBatch batch);

    /** x_0, length p. */
    INDArray initialUpper();

    /** y_0, length q. */
    INDArray initialLower();

    /**
     * Constants of Assumptions 5.1–5.2 that hold for every sample (L bounds each ∇²_yy G(·; ζ), μ_g is each
     * G(·; ζ)'s modulus), when the problem knows them: they give the default step sizes of Theorem 5.7.
     */
    default Optional<Smoothness> smoothness() {
        return Optional.empty();
    }

    /**
     * Rejects a minibatch this problem cannot read as data of role {@code objective}: another role, or other
     * feature or label dimensions. The message names the batch, the field, the value and what was expected.
     */
    default void check(int objective, Minibatch batch) {
        String id = "minibatch " + batch.batchId();
        if (batch.objective() != objective) {
            throw new InvalidInputException(id + ".objective", batch.objective(),
                    objective == Minibatch.LOWER ? "-1 (lower-level data)" : objective + " (data of upper objective " + objective + ")");
        }
        if (batch.featureDim() != featureDimension(objective)) {
            throw new InvalidInputException(id + ".featureDim", batch.featureDim(),
                    featureDimension(objective) + " features per sample for this problem");
        }
        if (batch.labelDim() != labelDimension(objective)) {
            throw new InvalidInputException(id + ".labelDim", batch.labelDim(),
                    labelDimension(objective) + " label entries per sample for this problem");
        }
    }
}
