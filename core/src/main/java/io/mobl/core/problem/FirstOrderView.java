package io.mobl.core.problem;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A problem seen through its first-order oracles only (f, ∇f, g, ∇g): what a model without second derivatives
 * offers. It is how FORUM's selling point is checked (it needs no HVP/JVP) and how an algorithm that does need
 * them is seen to fail before it starts, naming the missing oracle.
 */
public final class FirstOrderView implements BilevelProblem {
    private final BilevelProblem delegate;

    public FirstOrderView(BilevelProblem delegate) {
        this.delegate = delegate;
    }

    public BilevelProblem delegate() {
        return delegate;
    }

    @Override public int upperDimension() { return delegate.upperDimension(); }
    @Override public int lowerDimension() { return delegate.lowerDimension(); }
    @Override public int objectiveCount() { return delegate.objectiveCount(); }
    @Override public INDArray initialUpper() { return delegate.initialUpper(); }
    @Override public INDArray initialLower() { return delegate.initialLower(); }
    @Override public Optional<Smoothness> smoothness() { return delegate.smoothness(); }

    @Override
    public Set<Oracle> oracles() {
        Set<Oracle> offered = EnumSet.noneOf(Oracle.class);
        offered.addAll(delegate.oracles());
        offered.retainAll(EnumSet.of(Oracle.UPPER_GRADIENT, Oracle.LOWER_GRADIENT));
        return offered;
    }

    @Override public UpperEvaluation upper(int objective, INDArray x, INDArray y) { return delegate.upper(objective, x, y); }
    @Override public double lowerValue(INDArray x, INDArray y) { return delegate.lowerValue(x, y); }
    @Override public INDArray lowerGradient(INDArray x, INDArray y) { return delegate.lowerGradient(x, y); }
    @Override public INDArray lowerGradientX(INDArray x, INDArray y) { return delegate.lowerGradientX(x, y); }

    @Override
    public INDArray lowerDescent(INDArray x, INDArray start, int iterations, double stepSize) {
        return delegate.lowerDescent(x, start, iterations, stepSize);
    }

    @Override
    public INDArray hessianVector(INDArray x, INDArray y, INDArray v) {
        throw new UnsupportedOperationException("this problem is first-order only: no " + Oracle.HESSIAN_VECTOR.paperName());
    }

    @Override
    public INDArray jacobianVector(INDArray x, INDArray y, INDArray v) {
        throw new UnsupportedOperationException("this problem is first-order only: no " + Oracle.JACOBIAN_VECTOR.paperName());
    }
}
