package io.mobl.core.problem;

import io.mobl.core.linalg.Vectors;
import io.mobl.protocol.OracleCalls;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A multi-objective bilevel problem: minimise Φ(x) = [f_1(x, y*(x)), …, f_S(x, y*(x))] where
 * y*(x) = argmin_y g(x, y). x has dimension p (upper level), y dimension q (lower level).
 *
 * <p>Implementations are stateless and thread-safe: hypergradients of several objectives are evaluated
 * concurrently. Vectors are rank-1 float64 arrays; implementations never modify their arguments.
 */
public interface BilevelProblem {

    /** p, the dimension of the upper-level variable x. */
    int upperDimension();

    /** q, the dimension of the lower-level variable y. */
    int lowerDimension();

    /** S, the number of upper objectives. */
    int objectiveCount();

    /** The oracles this problem implements; the others throw {@link UnsupportedOperationException}. */
    default Set<Oracle> oracles() {
        return EnumSet.allOf(Oracle.class);
    }

    /** f_s(x, y) with ∇_x f_s and ∇_y f_s, for s in 0..S−1. */
    UpperEvaluation upper(int objective, INDArray x, INDArray y);

    /** g(x, y). */
    double lowerValue(INDArray x, INDArray y);

    /** ∇_y g(x, y), length q. */
    INDArray lowerGradient(INDArray x, INDArray y);

    /**
     * ∇_x g(x, y), length p: the other half of the Gc(g) oracle. First-order methods that work on z = (x, y)
     * jointly (FORUM's value-function constraint, Eq. (4) of its paper) need it; hypergradient methods do not.
     * The default says the problem does not offer it, so that problems written before it existed still compile.
     */
    default INDArray lowerGradientX(INDArray x, INDArray y) {
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + " does not implement ∇_x g (BilevelProblem.lowerGradientX); FORUM needs it");
    }

    /**
     * D gradient steps y_{t+1} = y_t − α∇_y g(x, y_t) from {@code start} (not modified): y_D, a new vector. Gc(g)
     * counts D. The default is {@link #lowerGradientInto} per step with two buffers in turn; a problem may fuse the
     * steps (the network problems keep y in their working precision throughout) as long as each step is that update.
     */
    default INDArray lowerDescent(INDArray x, INDArray start, int iterations, double stepSize) {
        INDArray y = start;
        INDArray spare = null;
        for (int t = 0; t < iterations; t++) {
            // two buffers in turn (never start): allocating is the dearest part of a step at small q
            INDArray gradient = lowerGradientInto(x, y, spare == null ? Vectors.uninitialized(y.length()) : spare);
            spare = y == start ? null : y;
            y = Vectors.descentStepInPlace(y, stepSize, gradient); // y − α∇_y g, written over the gradient
        }
        return y == start ? Vectors.copy(start) : y;
    }

    /** ∇²_yy g(x, y)·v, length q. */
    INDArray hessianVector(INDArray x, INDArray y, INDArray v);

    /**
     * {@link #lowerGradient} written into {@code out} (length q, distinct from x and y), for loops that reuse one
     * buffer instead of making an array per call; must give exactly the entries {@link #lowerGradient} gives.
     * The default copies {@link #lowerGradient}'s result. Returns out.
     */
    default INDArray lowerGradientInto(INDArray x, INDArray y, INDArray out) {
        return out.assign(lowerGradient(x, y));
    }

    /** {@link #hessianVector} written into {@code out} (length q, distinct from x, y and v); as {@link #lowerGradientInto}. */
    default INDArray hessianVectorInto(INDArray x, INDArray y, INDArray v, INDArray out) {
        return out.assign(hessianVector(x, y, v));
    }

    /** ∇²_xy g(x, y)·v = ∇_x ⟨∇_y g(x, y), v⟩, length p. */
    INDArray jacobianVector(INDArray x, INDArray y, INDArray v);

    /** Where a run starts, x_0 (length p). */
    INDArray initialUpper();

    /** Where the lower level starts, y_0 (length q). */
    INDArray initialLower();

    /**
     * How one call of {@code oracle} is counted in {@link OracleCalls}: as one call of itself, unless the problem
     * computes that oracle from others ({@link FiniteDifferenceOracles} makes a Hessian-vector product from two
     * gradients, and says so here), so that the counts are of the oracles actually evaluated.
     */
    default OracleCalls costOf(Oracle oracle) {
        return switch (oracle) {
            case UPPER_GRADIENT -> new OracleCalls(1, 0, 0, 0);
            case LOWER_GRADIENT -> new OracleCalls(0, 1, 0, 0);
            case JACOBIAN_VECTOR -> new OracleCalls(0, 0, 1, 0);
            case HESSIAN_VECTOR -> new OracleCalls(0, 0, 0, 1);
        };
    }

    /**
     * Upper-level points, besides x_0, where the lower level may be most curved: where ∇_y g's Lipschitz constant
     * is also estimated when the problem does not state it ({@link ProblemConstants}), so that a step 1/L stays
     * stable as x moves (a weighted training loss is most curved where the weights are largest). None by default.
     */
    default java.util.List<INDArray> curvatureProbes() {
        return java.util.List.of();
    }

    /** Smoothness constants when the problem knows them; they give default step sizes. */
    default Optional<Smoothness> smoothness() {
        return Optional.empty();
    }
}
