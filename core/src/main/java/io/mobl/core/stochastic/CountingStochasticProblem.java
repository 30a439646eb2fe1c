package io.mobl.core.stochastic;

import io.mobl.core.problem.Oracle;
import io.mobl.core.problem.OracleCounter;
import io.mobl.core.problem.Smoothness;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.OracleCalls;
import java.util.List;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Counts the oracle calls of a stochastic run the papers' way: <b>one call per sample</b>. An oracle on a batch
 * of n samples is the mean of n per-sample oracles, so it adds n. This is the convention behind Corollary 5.8
 * (e.g. Gc(g) = K·D·|𝒯| = Õ(κ¹²ε⁻²) multiplies the iterations, the lower steps and the batch size), and the
 * one of stocBiO (Ji, Yang and Liang 2021), which Alg. 3 follows. One wrapper per run/preference.
 */
public final class CountingStochasticProblem implements StochasticBilevelProblem {
    private final StochasticBilevelProblem delegate;
    private final OracleCounter counter = new OracleCounter();

    public CountingStochasticProblem(StochasticBilevelProblem delegate) {
        this.delegate = delegate;
    }

    public OracleCalls calls() {
        return counter.snapshot();
    }

    public StochasticBilevelProblem delegate() {
        return delegate;
    }

    @Override public int upperDimension() { return delegate.upperDimension(); }
    @Override public int lowerDimension() { return delegate.lowerDimension(); }
    @Override public int objectiveCount() { return delegate.objectiveCount(); }
    @Override public int featureDimension(int objective) { return delegate.featureDimension(objective); }
    @Override public int labelDimension(int objective) { return delegate.labelDimension(objective); }
    @Override public INDArray initialUpper() { return delegate.initialUpper(); }
    @Override public INDArray initialLower() { return delegate.initialLower(); }
    @Override public Optional<Smoothness> smoothness() { return delegate.smoothness(); }
    @Override public void check(int objective, Minibatch batch) { delegate.check(objective, batch); }

    @Override
    public UpperEvaluation upper(int objective, INDArray x, INDArray y, SampleBatch batch) {
        counter.add(Oracle.UPPER_GRADIENT, batch.rows());
        return delegate.upper(objective, x, y, batch);
    }

    @Override
    public INDArray lowerGradient(INDArray x, INDArray y, SampleBatch batch) {
        counter.add(Oracle.LOWER_GRADIENT, batch.rows());
        return delegate.lowerGradient(x, y, batch);
    }

    @Override
    public INDArray lowerDescent(INDArray x, INDArray y, List<SampleBatch> batches, double stepSize) {
        for (SampleBatch batch : batches) counter.add(Oracle.LOWER_GRADIENT, batch.rows());
        return delegate.lowerDescent(x, y, batches, stepSize);
    }

    /** Not an oracle of the papers' count (a value comes with the gradient pass): not counted. */
    @Override
    public double lowerValue(INDArray x, INDArray y, SampleBatch batch) {
        return delegate.lowerValue(x, y, batch);
    }

    /** The x half of Gc(g): counts |batch| like {@link #lowerGradient}. */
    @Override
    public INDArray lowerGradientX(INDArray x, INDArray y, SampleBatch batch) {
        counter.add(Oracle.LOWER_GRADIENT, batch.rows());
        return delegate.lowerGradientX(x, y, batch);
    }

    @Override
    public INDArray hessianVector(INDArray x, INDArray y, INDArray v, SampleBatch batch) {
        counter.add(Oracle.HESSIAN_VECTOR, batch.rows());
        return delegate.hessianVector(x, y, v, batch);
    }

    @Override
    public INDArray jacobianVector(INDArray x, INDArray y, INDArray v, SampleBatch batch) {
        counter.add(Oracle.JACOBIAN_VECTOR, batch.rows());
        return delegate.jacobianVector(x, y, v, batch);
    }
}
