package io.mobl.core.problem;

import io.mobl.protocol.OracleCalls;
import java.util.Optional;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Counts every oracle call made through it, the papers' way (Gc(f), Gc(g), JV(g), HV(g)). One wrapper per
 * run/preference, around a shared problem.
 */
public final class CountingProblem implements BilevelProblem {
    private final BilevelProblem delegate;
    private final OracleCounter counter = new OracleCounter();

    public CountingProblem(BilevelProblem delegate) {
        this.delegate = delegate;
    }

    public OracleCalls calls() {
        return counter.snapshot();
    }

    public BilevelProblem delegate() {
        return delegate;
    }

    @Override public int upperDimension() { return delegate.upperDimension(); }
    @Override public int lowerDimension() { return delegate.lowerDimension(); }
    @Override public int objectiveCount() { return delegate.objectiveCount(); }
    @Override public Set<Oracle> oracles() { return delegate.oracles(); }
    @Override public INDArray initialUpper() { return delegate.initialUpper(); }
    @Override public INDArray initialLower() { return delegate.initialLower(); }
    @Override public Optional<Smoothness> smoothness() { return delegate.smoothness(); }

    /** One call of {@code oracle}, counted as the delegate says it costs ({@link BilevelProblem#costOf}). */
    private void count(Oracle oracle) {
        counter.add(delegate.costOf(oracle));
    }

    @Override public OracleCalls costOf(Oracle oracle) { return delegate.costOf(oracle); }

    @Override
    public UpperEvaluation upper(int objective, INDArray x, INDArray y) {
        count(Oracle.UPPER_GRADIENT);
        return delegate.upper(objective, x, y);
    }

    @Override
    public double lowerValue(INDArray x, INDArray y) {
        return delegate.lowerValue(x, y);
    }

    @Override
    public INDArray lowerGradient(INDArray x, INDArray y) {
        count(Oracle.LOWER_GRADIENT);
        return delegate.lowerGradient(x, y);
    }

    @Override
    public INDArray lowerGradientX(INDArray x, INDArray y) {
        count(Oracle.LOWER_GRADIENT);
        return delegate.lowerGradientX(x, y);
    }

    @Override
    public INDArray lowerGradientInto(INDArray x, INDArray y, INDArray out) {
        count(Oracle.LOWER_GRADIENT);
        return delegate.lowerGradientInto(x, y, out);
    }

    @Override
    public INDArray lowerDescent(INDArray x, INDArray start, int iterations, double stepSize) {
        for (int t = 0; t < iterations; t++) count(Oracle.LOWER_GRADIENT);
        return delegate.lowerDescent(x, start, iterations, stepSize);
    }

    @Override
    public INDArray hessianVectorInto(INDArray x, INDArray y, INDArray v, INDArray out) {
        count(Oracle.HESSIAN_VECTOR);
        return delegate.hessianVectorInto(x, y, v, out);
    }

    @Override
    public INDArray hessianVector(INDArray x, INDArray y, INDArray v) {
        count(Oracle.HESSIAN_VECTOR);
        return delegate.hessianVector(x, y, v);
    }

    @Override
    public INDArray jacobianVector(INDArray x, INDArray y, INDArray v) {
        count(Oracle.JACOBIAN_VECTOR);
        return delegate.jacobianVector(x, y, v);
    }
}
