package io.mobl.core.problem;

import java.util.Optional;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A problem with every oracle of another but without its stated constants: what a user's problem looks like. */
public class Unstated implements BilevelProblem {
    private final BilevelProblem delegate;

    public Unstated(BilevelProblem delegate) {
        this.delegate = delegate;
    }

    @Override public int upperDimension() { return delegate.upperDimension(); }
    @Override public int lowerDimension() { return delegate.lowerDimension(); }
    @Override public int objectiveCount() { return delegate.objectiveCount(); }
    @Override public Set<Oracle> oracles() { return delegate.oracles(); }
    @Override public Optional<Smoothness> smoothness() { return Optional.empty(); }
    @Override public INDArray initialUpper() { return delegate.initialUpper(); }
    @Override public INDArray initialLower() { return delegate.initialLower(); }
    @Override public UpperEvaluation upper(int objective, INDArray x, INDArray y) { return delegate.upper(objective, x, y); }
    @Override public double lowerValue(INDArray x, INDArray y) { return delegate.lowerValue(x, y); }
    @Override public INDArray lowerGradient(INDArray x, INDArray y) { return delegate.lowerGradient(x, y); }
    @Override public INDArray lowerGradientX(INDArray x, INDArray y) { return delegate.lowerGradientX(x, y); }
    @Override public INDArray hessianVector(INDArray x, INDArray y, INDArray v) { return delegate.hessianVector(x, y, v); }
    @Override public INDArray jacobianVector(INDArray x, INDArray y, INDArray v) { return delegate.jacobianVector(x, y, v); }
}
