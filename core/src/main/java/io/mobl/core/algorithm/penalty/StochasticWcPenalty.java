package io.mobl.core.algorithm.penalty;

import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.checkpoint.StateCodec;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.CountingProblem;
import io.mobl.core.problem.SampledLowerLevel;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The stochastic WC-Penalty: the same projected step on P(θ), with the lower-level oracles of each step taken
 * from two independent minibatches of a finite-sum lower level (h = ∇_y g_B from one, J_hᵀν from the other, so
 * the gradient estimate of the penalty ‖h‖² is unbiased). Step t draws its minibatches from a generator seeded
 * by (seed, t): a run is reproducible and a step stays a pure function of its state.
 *
 * <p>The reported measure is the KKT residual estimated on the step's minibatch; {@link #fullResidual} gives the
 * residual on the whole problem. Oracle calls on the minibatches are not counted by a
 * {@link io.mobl.core.problem.CountingProblem} around the problem.
 */
public final class StochasticWcPenalty implements IterativeAlgorithm<WcPenalty.State> {
    private final WcPenalty penalty;
    private final SampledLowerLevel sampled;
    private final int batchSize;
    private final long seed;

    /**
     * @param problem   a problem whose lower level can be sampled (or a CountingProblem around one: then the upper
     *                  objectives are counted, the minibatch oracles are not)
     * @param batchSize b ≥ 1, rows per minibatch
     * @param seed      the seed of every draw
     */
    public StochasticWcPenalty(BilevelProblem problem, WcPenaltyConfig config, int batchSize, long seed) {
        BilevelProblem base = problem instanceof CountingProblem counted ? counted.delegate() : problem;
        if (!(base instanceof SampledLowerLevel s)) {
            throw new InvalidInputException("problem", problem.getClass().getSimpleName(),
                    "a problem whose lower level is a finite sum that can be sampled (SampledLowerLevel)");
        }
        Checks.atLeast("batch-size", batchSize, 1);
        this.penalty = new WcPenalty(problem, config);
        this.sampled = s;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    @Override public String name() { return "wc-penalty-stochastic"; }
    @Override public BilevelProblem problem() { return penalty.problem(); }

    @Override
    public StateCodec<WcPenalty.State> stateCodec() {
        return penalty.stateCodec();
    }

    /** WC-Penalty's settings, the batch size and the seed (step t's draws are a function of (seed, t)). */
    @Override
    public String configuration() {
        return name() + " " + penalty.config() + " batch " + batchSize + " seed " + seed;
    }

    @Override
    public WcPenalty.State initialState(double[] preference, INDArray upperStart) {
        return penalty.initialState(preference, upperStart);
    }

    @Override
    public Step<WcPenalty.State> step(WcPenalty.State state) {
        SplittableRandom random = new SplittableRandom(seed).split();
        random = new SplittableRandom(random.nextLong() ^ (0x9E3779B97F4A7C15L * (state.iteration() + 1L)));
        BilevelProblem forConstraint = sampled.lowerSample(random, batchSize);
        BilevelProblem forJacobian = sampled.lowerSample(random, batchSize);
        return penalty.step(state, forConstraint, forJacobian);
    }

    /** ‖𝒦‖² at the state, on the whole problem (one deterministic evaluation). */
    public double fullResidual(WcPenalty.State state) {
        return penalty.step(state).report().measure();
    }
}
