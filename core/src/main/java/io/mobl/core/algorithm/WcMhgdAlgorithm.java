package io.mobl.core.algorithm;

import io.mobl.core.checkpoint.StateCodec;
import io.mobl.core.problem.BilevelProblem;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * WC-MHGD ({@link WcMhgd}, unchanged) seen as an {@link IterativeAlgorithm}, so that it takes part in
 * comparisons and benchmarks with the others. Its measure is the Pareto-stationarity gap on the estimated
 * hypergradients.
 */
public final class WcMhgdAlgorithm implements IterativeAlgorithm<WcMhgdState> {
    private final WcMhgd algorithm;

    public WcMhgdAlgorithm(BilevelProblem problem, WcMhgdConfig config) {
        this.algorithm = new WcMhgd(problem, config);
    }

    @Override public String name() { return "wc-mhgd"; }
    @Override public BilevelProblem problem() { return algorithm.problem(); }

    @Override
    public WcMhgdState initialState(double[] preference, INDArray upperStart) {
        WcMhgdState initial = algorithm.initialState(preference);
        return new WcMhgdState(0, upperStart.dup(), initial.lower(), new INDArray[initial.preference().length],
                initial.preference());
    }

    @Override
    public StateCodec<WcMhgdState> stateCodec() {
        BilevelProblem p = problem();
        return WcMhgdState.codec(p.upperDimension(), p.lowerDimension(), p.objectiveCount());
    }

    @Override
    public String configuration() {
        WcMhgdConfig c = algorithm.config();
        // the budget (K, ε) is left out: a resumed run may go further than the one that wrote the checkpoint
        return name() + " " + c.lower() + " " + c.upper() + " " + c.hypergradient();
    }

    @Override
    public Step<WcMhgdState> step(WcMhgdState state) {
        WcMhgd.Iteration iteration = algorithm.iterate(state);
        WeightUpdate update = iteration.update();
        BilevelProblem p = problem();
        int objectives = p.objectiveCount();
        long bytes = StepReport.bytes(iteration.lower().trajectory().size() + 1L, p.lowerDimension())
                + StepReport.bytes(objectives, p.upperDimension() + p.lowerDimension())
                + StepReport.bytes(2, p.upperDimension());
        return new Step<>(iteration.next(), new StepReport(state.iteration(), state.x(), iteration.lower().solution(),
                update.objectives(), update.weights(), update.stationarity(), "stationarity", Double.NaN,
                update.stepNorm(), bytes, Math.max(0, update.qpResidual())), java.util.List.of(), iteration.times().asMap());
    }
}
