package io.mobl.core.algorithm;

import io.mobl.core.checkpoint.StateCodec;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.SampledProblemView;
import io.mobl.core.stochastic.StochasticBilevelProblem;
import io.mobl.protocol.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Stochastic WC-MHGD (Alg. 2/3, {@link StochasticWcMhgd}, unchanged) fed by one {@link BatchSource}, seen as an
 * {@link IterativeAlgorithm}: each step is {@link StochasticWcMhgd#iterate}, the very iteration
 * {@link StochasticSolver} runs, so a runtime that drives this step (the actor runtime's durable coordinator, which
 * checkpoints it with {@link WcMhgdState}'s codec) reports what the stochastic solver does, bit for bit, for the same
 * batch sequence; {@link StochasticSolver} itself runs it on the synchronous loop ({@link IterativeRun}). Its budget
 * (K, ε) is the runtime's: this step only computes.
 */
public final class StochasticWcMhgdAlgorithm implements IterativeAlgorithm<WcMhgdState> {
    private final StochasticWcMhgd algorithm;
    private final SampledProblemView view;
    private final BatchSource source;

    /** @param problem the problem the step calls (a {@code CountingStochasticProblem} to count its oracles) */
    public StochasticWcMhgdAlgorithm(StochasticBilevelProblem problem, StochasticWcMhgdConfig config, BatchSource source) {
        this.algorithm = new StochasticWcMhgd(problem, config);
        this.view = new SampledProblemView(problem);
        this.source = source;
    }

    @Override public String name() { return "wc-mhgd-stochastic"; }
    @Override public BilevelProblem problem() { return view; }
    public StochasticWcMhgdConfig config() { return algorithm.config(); }

    @Override
    public WcMhgdState initialState(double[] preference, INDArray upperStart) {
        Checks.preference("preference", preference, view.objectiveCount());
        WcMhgdState initial = algorithm.initialState(preference);
        return new WcMhgdState(0, upperStart.dup(), initial.lower(), new INDArray[initial.preference().length],
                initial.preference());
    }

    @Override
    public StateCodec<WcMhgdState> stateCodec() {
        return WcMhgdState.codec(view.upperDimension(), view.lowerDimension(), view.objectiveCount());
    }

    @Override
    public String configuration() {
        StochasticWcMhgdConfig c = algorithm.config();
        // the budget and the batch timeout are left out: a resumed run may go further, or wait longer
        return name() + " " + c.lower() + " " + c.upper() + " " + c.batches() + " " + c.neumann();
    }

    @Override
    public Step<WcMhgdState> step(WcMhgdState state) {
        StochasticWcMhgd.Iteration sampled = algorithm.iterate(state, source);
        WcMhgd.Iteration iteration = sampled.iteration();
        WeightUpdate update = iteration.update();
        int objectives = view.objectiveCount();
        long bytes = StepReport.bytes(iteration.lower().trajectory().size() + 1L, view.lowerDimension())
                + StepReport.bytes(objectives, view.upperDimension() + view.lowerDimension())
                + StepReport.bytes(2, view.upperDimension());
        return new Step<>(iteration.next(), new StepReport(state.iteration(), state.x(), iteration.lower().solution(),
                update.objectives(), update.weights(), update.stationarity(), "stationarity", Double.NaN,
                update.stepNorm(), bytes, Math.max(0, update.qpResidual())), sampled.used(), iteration.times().asMap());
    }
}
