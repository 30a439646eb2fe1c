package io.mobl.core.problem;

import io.mobl.core.linalg.Vectors;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.OracleCalls;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The second-order oracles of a problem that implements only gradients, by central differences of its gradients
 * along v (opt-in: wrap the problem in it):
 * <pre>
 *   ∇²_yy g(x, y)·v ≈ ‖v‖ (∇_y g(x, y + h·u) − ∇_y g(x, y − h·u)) / (2h)       u = v/‖v‖
 *   ∇²_xy g(x, y)·v ≈ ‖v‖ (∇_x g(x, y + h·u) − ∇_x g(x, y − h·u)) / (2h)       (∇_x ⟨∇_y g, v⟩ = ∂_v ∇_x g)
 * </pre>
 * with h = {@code relativeStep}·max(1, ‖y‖). Each product costs two gradient evaluations and is counted so, as
 * 2 Gc(g) in {@link OracleCalls} ({@link #costOf}), never as an HV(g) or JV(g) that was not made.
 *
 * <p><b>Error bound.</b> With M₃ a bound on the third derivatives of g in y near (x, y) (in the operator norm) and
 * ε_g the absolute error of one evaluation of the gradient (about 1e-16·‖∇g‖ for float64 code),
 * <pre>
 *   ‖HVP_h(v) − ∇²_yy g·v‖ ≤ ‖v‖ (h²M₃/6 + ε_g/h),
 * </pre>
 * the same for the Jacobian product with M₃ the bound on ∂³g/∂x∂y². The two terms balance at h = (3ε_g/M₃)^(1/3);
 * the default 1e-5 is that for ε_g/M₃ ≈ 3e-16, giving about 1e-10·‖v‖·M₃^(1/3) in all: 5–6 correct digits for
 * a smooth g, and only the rounding term (≈ 1e-11·‖v‖·‖∇g‖) when g is quadratic in y (M₃ = 0). A g with kinks
 * (ReLU networks) can be off by more when y ± hu straddles one.
 */
public final class FiniteDifferenceOracles implements BilevelProblem {
    /** h relative to max(1, ‖y‖) unless told otherwise. */
    public static final double DEFAULT_RELATIVE_STEP = 1e-5;
    private static final OracleCalls TWO_GRADIENTS = new OracleCalls(0, 2, 0, 0);

    private final BilevelProblem delegate;
    private final double relativeStep;

    private FiniteDifferenceOracles(BilevelProblem delegate, double relativeStep) {
        Set<Oracle> offered = delegate.oracles();
        if (!offered.contains(Oracle.LOWER_GRADIENT) || !offered.contains(Oracle.UPPER_GRADIENT)) {
            throw new InvalidInputException("problem", delegate.getClass().getSimpleName(),
                    "a problem with the gradients Gc(f) and Gc(g) (∇_y g and ∇_x g), from which the second-order "
                            + "oracles are differenced; it offers " + offered.stream().map(Oracle::paperName).toList());
        }
        Checks.positive("relative-step", relativeStep);
        this.delegate = delegate;
        this.relativeStep = relativeStep;
    }

    /** The problem with HV(g) and JV(g) by central differences of its ∇_y g and ∇_x g, step 1e-5. */
    public static FiniteDifferenceOracles of(BilevelProblem problem) {
        return new FiniteDifferenceOracles(problem, DEFAULT_RELATIVE_STEP);
    }

    /** As {@link #of(BilevelProblem)} with h = relativeStep·max(1, ‖y‖). */
    public static FiniteDifferenceOracles of(BilevelProblem problem, double relativeStep) {
        return new FiniteDifferenceOracles(problem, relativeStep);
    }

    public BilevelProblem delegate() { return delegate; }

    @Override public int upperDimension() { return delegate.upperDimension(); }
    @Override public int lowerDimension() { return delegate.lowerDimension(); }
    @Override public int objectiveCount() { return delegate.objectiveCount(); }
    @Override public Set<Oracle> oracles() { return EnumSet.allOf(Oracle.class); }
    @Override public INDArray initialUpper() { return delegate.initialUpper(); }
    @Override public INDArray initialLower() { return delegate.initialLower(); }
    @Override public Optional<Smoothness> smoothness() { return delegate.smoothness(); }
    @Override public UpperEvaluation upper(int objective, INDArray x, INDArray y) { return delegate.upper(objective, x, y); }
    @Override public double lowerValue(INDArray x, INDArray y) { return delegate.lowerValue(x, y); }
    @Override public INDArray lowerGradient(INDArray x, INDArray y) { return delegate.lowerGradient(x, y); }
    @Override public INDArray lowerGradientX(INDArray x, INDArray y) { return delegate.lowerGradientX(x, y); }

    /** Two Gc(g) for either product; one call of itself for the gradients. */
    @Override
    public OracleCalls costOf(Oracle oracle) {
        return oracle == Oracle.HESSIAN_VECTOR || oracle == Oracle.JACOBIAN_VECTOR ? TWO_GRADIENTS
                : BilevelProblem.super.costOf(oracle);
    }

    @Override
    public INDArray hessianVector(INDArray x, INDArray y, INDArray v) {
        return difference(y, v, true, x);
    }

    @Override
    public INDArray jacobianVector(INDArray x, INDArray y, INDArray v) {
        return difference(y, v, false, x);
    }

    private INDArray difference(INDArray y, INDArray v, boolean lowerBlock, INDArray x) {
        double length = Vectors.norm(v);
        double h = relativeStep * Math.max(1, Vectors.norm(y));
        double along = length == 0 ? 0 : h / length; // y ± h·v/‖v‖ (v = 0 still costs its two gradients, as counted)
        INDArray plus = Vectors.axpy(along, v, y);
        INDArray minus = Vectors.axpy(-along, v, y);
        INDArray difference = lowerBlock
                ? Vectors.subtract(delegate.lowerGradient(x, plus), delegate.lowerGradient(x, minus))
                : Vectors.subtract(delegate.lowerGradientX(x, plus), delegate.lowerGradientX(x, minus));
        return Vectors.scaleInPlace(length / (2 * h), difference);
    }
}
