package io.mobl.core.stochastic;

import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.Oracle;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A stochastic problem frozen on fixed batches: g is G on one lower-level batch and f_s is F^{(s)} on one batch of
 * objective s. It is a deterministic {@link BilevelProblem} whose constants ({@link io.mobl.core.problem.ProblemConstants})
 * are those a step of the stochastic algorithm sees: how its step sizes are derived when the problem does not state
 * them. It offers the oracles of {@link StochasticBilevelProblem} (no g value, no ∇_x g).
 */
public final class SampledView implements BilevelProblem {
    private final StochasticBilevelProblem problem;
    private final SampleBatch lower;
    private final List<SampleBatch> upper;

    private SampledView(StochasticBilevelProblem problem, SampleBatch lower, List<SampleBatch> upper) {
        this.problem = problem;
        this.lower = lower;
        this.upper = List.copyOf(upper);
    }

    /**
     * The view on the next batches of {@code source}: at least {@code rows} lower-level samples and as many of each
     * objective, checked against the problem as a run checks them.
     */
    public static SampledView of(StochasticBilevelProblem problem, BatchSource source, int rows, Duration timeout) {
        SampleBatch lower = draw(problem, source, Minibatch.LOWER, rows, timeout);
        List<SampleBatch> upper = new ArrayList<>();
        for (int s = 0; s < problem.objectiveCount(); s++) upper.add(draw(problem, source, s, rows, timeout));
        return new SampledView(problem, lower, upper);
    }

    private static SampleBatch draw(StochasticBilevelProblem problem, BatchSource source, int role, int rows,
                                    Duration timeout) {
        List<Minibatch> parts = new ArrayList<>();
        int have = 0;
        while (have < rows) {
            Minibatch m;
            try {
                m = source.next(role, timeout);
            } catch (TimeoutException e) {
                throw new InvalidInputException("batch source", "no minibatch of role " + role + " within " + timeout,
                        "data to estimate the step sizes from (or give the step sizes explicitly)");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while estimating the step sizes", e);
            }
            problem.check(role, m);
            parts.add(m);
            have += m.rows();
        }
        return new SampleBatch(role, parts);
    }

    @Override public int upperDimension() { return problem.upperDimension(); }
    @Override public int lowerDimension() { return problem.lowerDimension(); }
    @Override public int objectiveCount() { return problem.objectiveCount(); }
    @Override public Set<Oracle> oracles() { return EnumSet.allOf(Oracle.class); }
    @Override public INDArray initialUpper() { return problem.initialUpper(); }
    @Override public INDArray initialLower() { return problem.initialLower(); }

    @Override
    public UpperEvaluation upper(int objective, INDArray x, INDArray y) {
        return problem.upper(objective, x, y, upper.get(objective));
    }

    @Override
    public double lowerValue(INDArray x, INDArray y) {
        throw new UnsupportedOperationException("a stochastic problem gives no value of g");
    }

    @Override
    public INDArray lowerGradient(INDArray x, INDArray y) {
        return problem.lowerGradient(x, y, lower);
    }

    @Override
    public INDArray hessianVector(INDArray x, INDArray y, INDArray v) {
        return problem.hessianVector(x, y, v, lower);
    }

    @Override
    public INDArray jacobianVector(INDArray x, INDArray y, INDArray v) {
        return problem.jacobianVector(x, y, v, lower);
    }
}
