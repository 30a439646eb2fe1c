package io.mobl.core.algorithm;

import io.mobl.core.checkpoint.StateCodec;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.SampledProblemView;
import io.mobl.core.stochastic.StochasticBilevelProblem;
import io.mobl.protocol.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Stochastic WC-MHGD ({@link StochasticWcMhgd}, unchanged) as an {@link IterativeAlgorithm} fed by one
 * {@link BatchSource}, so that {@link StochasticSolver} runs on the one synchronous loop ({@link IterativeRun}) and
 * checkpoints like every other algorithm. Its state is WC-MHGD's (without linear-solve warm starts: Alg. 2 has none).
 */
public final class StochasticWcMhgdAlgorithm implements IterativeAlgorithm<WcMhgdState> {
    private final StochasticWcMhgd algorithm;
    private final SampledProblemView view;
    private final BatchSource source;

    /**
     * @param problem the sampled problem (a {@link io.mobl.core.stochastic.CountingStochasticProblem} to count calls)
     * @param source  where every batch of every step comes from
     */
    public StochasticWcMhgdAlgorithm(StochasticBilevelProblem problem, StochasticWcMhgdConfig config, BatchSource source) {
        this.algorithm = new StochasticWcMhgd(problem, config);
        this.view = new SampledProblemView(problem);
        this.source = source;
    }

    @Override public String name() { return "wc-mhgd-stochastic"; }
    @Override public BilevelProblem problem() { return view; }

    @Override
    public WcMhgdState initialState(double[] preference, INDArray upperStart) {
        int objectives = view.objectiveCount();
        Checks.preference("preference", preference, objectives);
        return new WcMhgdState(0, upperStart.dup(), view.initialLower(), new INDArray[objectives], preference);
    }

    @Override
    public StateCodec<WcMhgdState> stateCodec() {
        return WcMhgdState.codec(view.upperDimension(), view.lowerDimension(), view.objectiveCount());
    }

    /** Steps, batch sizes and Alg. 3's settings; the budget and the batch timeout are left out. */
    @Override
    public String configuration() {
        StochasticWcMhgdConfig c = algorithm.config();
        return name() + " " + c.lower() + " " + c.upper() + " " + c.batches() + " " + c.neumann();
    }

    @Override
    public Step<WcMhgdState> step(WcMhgdState state) {
        StochasticWcMhgd.Iteration step = algorithm.iterate(state, source);
        WcMhgd.Iteration iteration = step.iteration();
        WeightUpdate update = iteration.update();
        int objectives = view.objectiveCount();
        long bytes = StepReport.bytes(objectives, view.upperDimension() + view.lowerDimension())
                + StepReport.bytes(2, view.upperDimension());
        return new Step<>(iteration.next(), new StepReport(state.iteration(), state.x(), iteration.lower().solution(),
                update.objectives(), update.weights(), update.stationarity(), "stationarity", Double.NaN,
                update.stepNorm(), bytes), step.used(), iteration.times().asMap());
    }
}
