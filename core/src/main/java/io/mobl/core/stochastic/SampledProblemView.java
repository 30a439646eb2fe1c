package io.mobl.core.stochastic;

import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.Oracle;
import io.mobl.core.problem.Smoothness;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.protocol.OracleCalls;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link StochasticBilevelProblem} seen as a {@link BilevelProblem}: what a stochastic
 * {@link io.mobl.core.algorithm.IterativeAlgorithm} answers for {@code problem()}, so that runtimes read its
 * dimensions, objectives, starting points and oracle counts the same way for every algorithm. It offers no
 * deterministic oracle ({@link #oracles()} is empty and each throws, naming the sampled oracle to use): the problem
 * is known only through samples.
 */
public final class SampledProblemView implements BilevelProblem {
    private final StochasticBilevelProblem sampled;

    public SampledProblemView(StochasticBilevelProblem sampled) {
        this.sampled = sampled;
    }

    /** The problem behind the view. */
    public StochasticBilevelProblem sampled() {
        return sampled;
    }

    /** The oracle calls so far when the problem is a {@link CountingStochasticProblem}, else none. */
    public OracleCalls calls() {
        return sampled instanceof CountingStochasticProblem counted ? counted.calls() : OracleCalls.NONE;
    }

    @Override public int upperDimension() { return sampled.upperDimension(); }
    @Override public int lowerDimension() { return sampled.lowerDimension(); }
    @Override public int objectiveCount() { return sampled.objectiveCount(); }
    @Override public INDArray initialUpper() { return sampled.initialUpper(); }
    @Override public INDArray initialLower() { return sampled.initialLower(); }
    @Override public Optional<Smoothness> smoothness() { return sampled.smoothness(); }
    @Override public Set<Oracle> oracles() { return EnumSet.noneOf(Oracle.class); }

    @Override
    public UpperEvaluation upper(int objective, INDArray x, INDArray y) {
        throw unsampled("f_s", "upper(objective, x, y, batch)");
    }

    @Override
    public double lowerValue(INDArray x, INDArray y) {
        throw unsampled("g", "lowerValue(x, y, batch)");
    }

    @Override
    public INDArray lowerGradient(INDArray x, INDArray y) {
        throw unsampled("∇_y g", "lowerGradient(x, y, batch)");
    }

    @Override
    public INDArray hessianVector(INDArray x, INDArray y, INDArray v) {
        throw unsampled("∇²_yy g·v", "hessianVector(x, y, v, batch)");
    }

    @Override
    public INDArray jacobianVector(INDArray x, INDArray y, INDArray v) {
        throw unsampled("∇²_xy g·v", "jacobianVector(x, y, v, batch)");
    }

    private UnsupportedOperationException unsampled(String oracle, String instead) {
        return new UnsupportedOperationException(oracle + " of " + sampled.getClass().getSimpleName()
                + " is known only through samples: use StochasticBilevelProblem." + instead);
    }
}
