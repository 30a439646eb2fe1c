package io.mobl.core.problem;

import io.mobl.core.linalg.Vectors;
import io.mobl.protocol.Checks;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The largest eigenvalue in absolute value of a symmetric linear operator known only through its products
 * (Hessian-vector products, or central differences of a gradient): v ← Av/‖Av‖ from a seeded random start, and
 * the estimate ‖Av‖ for the unit v of each step. For a symmetric A, ‖Av‖ ≤ |λ|_max for every unit v and it rises
 * to |λ|_max as v turns into the leading eigenvector, at the rate (|λ_2|/|λ_1|)^k; so the estimate is a lower bound
 * that is exact once converged. It is how mobl turns "L is the Lipschitz constant of ∇_y g" into a number when a
 * problem does not state its constants ({@link ProblemConstants}).
 */
public final class PowerIteration {
    /** Products at most, unless told otherwise. */
    public static final int DEFAULT_PRODUCTS = 60;
    /** Relative change of the estimate between two products under which it counts as converged. */
    public static final double DEFAULT_TOLERANCE = 1e-4;

    private PowerIteration() {}

    /**
     * @param value     the estimate of |λ|_max (0 for the zero operator)
     * @param products  how many products it took
     * @param converged whether the estimate changed by less than the tolerance at the end
     */
    public record Estimate(double value, int products, boolean converged) {}

    /** {@link #largest(UnaryOperator, int, long, int, double)} with the default budget and tolerance. */
    public static Estimate largest(UnaryOperator<INDArray> operator, int dimension, long seed) {
        return largest(operator, dimension, seed, DEFAULT_PRODUCTS, DEFAULT_TOLERANCE);
    }

    /**
     * @param operator  v ↦ Av for a symmetric A (dimension × dimension); it must not modify v
     * @param dimension n ≥ 1
     * @param seed      the start vector's seed (a Gaussian direction: almost surely not orthogonal to the leading
     *                  eigenvector)
     * @param products  at most this many products, ≥ 2
     * @param tolerance stop once the estimate changes by less than this, relatively (after at least 3 products)
     */
    public static Estimate largest(UnaryOperator<INDArray> operator, int dimension, long seed, int products,
                                   double tolerance) {
        Checks.atLeast("dimension", dimension, 1);
        Checks.atLeast("products", products, 2);
        SplittableRandom random = new SplittableRandom(seed);
        double[] start = new double[dimension];
        for (int i = 0; i < dimension; i++) start[i] = random.nextGaussian();
        INDArray v = Vectors.of(start);
        Vectors.scaleInPlace(1 / Vectors.norm(v), v);
        double estimate = 0;
        double previous = 0;
        for (int k = 1; k <= products; k++) {
            INDArray av = operator.apply(v);
            double norm = Vectors.norm(av);
            if (!Double.isFinite(norm)) return new Estimate(Double.POSITIVE_INFINITY, k, false);
            if (norm == 0) return new Estimate(0, k, true);
            // ‖Av‖ rises for a symmetric A; a difference quotient may jump (a ReLU unit crossing its kink within the
            // difference) and fall back, so the estimate is the last value, not the largest seen
            estimate = norm;
            v = Vectors.scaleInPlace(1 / norm, av == v ? Vectors.copy(av) : av);
            if (k >= 3 && Math.abs(norm - previous) <= tolerance * norm) return new Estimate(estimate, k, true);
            previous = norm;
        }
        return new Estimate(estimate, products, false);
    }

    /**
     * v ↦ (G(z + hv) − G(z − hv))/(2h) with h = step/‖v‖: the central difference of a vector field G (a gradient)
     * along v, which is its Jacobian (the Hessian) times v up to O(h²) and a rounding error of O(ε‖G‖/h).
     *
     * @param field G, evaluated at new points only (it may keep no reference to them)
     * @param at    z, not modified
     * @param step  the length h·‖v‖ of the difference, &gt; 0 (e.g. 1e-5·max(1, ‖z‖))
     */
    public static UnaryOperator<INDArray> centralDifference(UnaryOperator<INDArray> field, INDArray at, double step) {
        Checks.positive("step", step);
        return v -> {
            double length = Vectors.norm(v);
            if (length == 0) return Vectors.zeros(v.length());
            double h = step / length;
            INDArray plus = field.apply(Vectors.axpy(h, v, at));
            INDArray minus = field.apply(Vectors.axpy(-h, v, at));
            return Vectors.scaleInPlace(1 / (2 * h), Vectors.subtract(plus, minus));
        };
    }

    /** The difference step for a point z: 1e-5·max(1, ‖z‖), about ε^(1/3) of its scale. */
    public static double differenceStep(INDArray at) {
        return 1e-5 * Math.max(1, Vectors.norm(at));
    }
}
