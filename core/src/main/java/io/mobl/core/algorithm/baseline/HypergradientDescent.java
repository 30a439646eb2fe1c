package io.mobl.core.algorithm.baseline;

import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.NonFiniteValueException;
import io.mobl.core.algorithm.StepReport;
import io.mobl.core.algorithm.WcMhgd;
import io.mobl.core.algorithm.WcMhgdState;
import io.mobl.core.checkpoint.StateCodec;
import io.mobl.core.hypergradient.HypergradientEstimate;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.lower.LowerLevelDescent;
import io.mobl.core.lower.LowerSolution;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.Oracle;
import io.mobl.core.problem.RequiredOracles;
import io.mobl.core.weights.MinNormWeights;
import io.mobl.core.weights.SimplexQpSolution;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Linear scalarisation, MGDA without preference and MOML as one pure step (see
 * {@link HypergradientDescentConfig}): D warm-started lower-level steps, S hypergradients, the weights, and
 * x_{k+1} = x_k − β Ĝλ_k. The state is {@link WcMhgdState} (x_k, the lower-level warm start, CG warm starts,
 * the preference), which carries exactly what these methods carry too.
 */
public final class HypergradientDescent implements IterativeAlgorithm<WcMhgdState> {
    private final BilevelProblem problem;
    private final HypergradientDescentConfig config;

    public HypergradientDescent(BilevelProblem problem, HypergradientDescentConfig config) {
        RequiredOracles.check(problem, config.name(), EnumSet.allOf(Oracle.class));
        this.problem = problem;
        this.config = config;
    }

    @Override public String name() { return config.name(); }
    @Override public BilevelProblem problem() { return problem; }
    public HypergradientDescentConfig config() { return config; }

    /** WC-MHGD's state: x, the lower-level warm start and, for CG, the linear solves' warm starts. */
    @Override
    public StateCodec<WcMhgdState> stateCodec() {
        return WcMhgdState.codec(problem.upperDimension(), problem.lowerDimension(), problem.objectiveCount());
    }

    @Override
    public String configuration() {
        return name() + " " + config;
    }

    @Override
    public WcMhgdState initialState(double[] preference, INDArray upperStart) {
        return new WcMhgdState(0, upperStart.dup(), problem.initialLower(), new INDArray[problem.objectiveCount()],
                preference);
    }

    /** The lower level and the S hypergradients at x_k: what MOML differentiates through. */
    public Estimates estimate(WcMhgdState state) {
        boolean trajectory = config.hypergradient().needsTrajectory();
        LowerSolution lower = LowerLevelDescent.descend(problem, state.x(), state.lower(), config.lowerIterations(),
                config.lowerStepSize(), trajectory);
        if (!Vectors.allFinite(lower.solution())) throw new NonFiniteValueException("lower-level iterate", -1, state.iteration());
        List<HypergradientEstimate> estimates = new ArrayList<>(problem.objectiveCount());
        for (int s = 0; s < problem.objectiveCount(); s++) {
            HypergradientEstimate e = config.hypergradient().estimate(problem, s, state.x(), lower, state.warmStart(s),
                    config.lowerStepSize());
            if (!Vectors.allFinite(e.hypergradient()) || !Double.isFinite(e.value())) {
                throw new NonFiniteValueException("hypergradient", s, state.iteration());
            }
            estimates.add(e);
        }
        return new Estimates(lower, estimates);
    }

    /** y_k^D with its trajectory (when kept) and the hypergradient estimates, ordered by objective. */
    public record Estimates(LowerSolution lower, List<HypergradientEstimate> hypergradients) {}

    @Override
    public Step<WcMhgdState> step(WcMhgdState state) {
        Estimates estimates = estimate(state);
        double[][] gram = WcMhgd.gram(state.iteration(), estimates.hypergradients());
        SimplexQpSolution minNorm = MinNormWeights.solve(gram);
        double[] weights = switch (config.weighting()) {
            case LINEAR_SCALARISATION -> state.preference();
            case MIN_NORM -> minNorm.weights();
        };
        INDArray direction = Vectors.zeros(problem.upperDimension());
        for (int s = 0; s < weights.length; s++) {
            if (weights[s] != 0) Vectors.axpyInPlace(weights[s], estimates.hypergradients().get(s).hypergradient(), direction);
        }
        INDArray next = state.x().sub(direction.mul(config.upperStepSize()));
        if (!Vectors.allFinite(next)) throw new NonFiniteValueException("upper-level iterate", -1, state.iteration());
        INDArray[] warm = new INDArray[weights.length];
        for (HypergradientEstimate e : estimates.hypergradients()) warm[e.objective()] = e.warmStart();
        WcMhgdState after = new WcMhgdState(state.iteration() + 1, next, estimates.lower().solution(), warm,
                state.preference());
        int p = problem.upperDimension();
        int q = problem.lowerDimension();
        long bytes = StepReport.bytes(estimates.lower().trajectory().size() + 1L, q)
                + StepReport.bytes(weights.length, p + q) + StepReport.bytes(2, p);
        return new Step<>(after, new StepReport(state.iteration(), state.x(), estimates.lower().solution(),
                WcMhgd.values(estimates.hypergradients()), weights, minNorm.objective(), "stationarity", Double.NaN,
                config.upperStepSize() * Vectors.norm(direction), bytes));
    }
}
