package io.mobl.core.stochastic;

import io.mobl.core.problem.Smoothness;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
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
