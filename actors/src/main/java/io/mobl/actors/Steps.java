package io.mobl.actors;

import io.mobl.core.algorithm.StochasticWcMhgd;
import io.mobl.core.algorithm.WcMhgd;
import io.mobl.core.algorithm.WcMhgdState;
import io.mobl.core.algorithm.WeightUpdate;
import io.mobl.core.hypergradient.HypergradientEstimate;
import io.mobl.core.lower.LowerSolution;
import io.mobl.core.problem.CountingProblem;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.CountingStochasticProblem;
import io.mobl.core.stochastic.SampledEstimate;
import io.mobl.core.stochastic.SampledLower;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.OracleCalls;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The core phases one coordinator and its math actors run: deterministic WC-MHGD (Alg. 1, {@link WcMhgd}) or
 * stochastic WC-MHGD (Alg. 2/3, {@link StochasticWcMhgd}) fed by one {@link BatchSource}. The actors only pass
 * the phases' inputs and outputs around, so either algorithm runs on the same actors, and each produces what its
 * synchronous loop produces. One instance per preference, shared by its coordinator's children.
 */
sealed interface Steps permits Steps.Deterministic, Steps.Stochastic {

    int objectiveCount();

    WcMhgdState initialState(double[] preference);

    /** The lower-level phase at x_k from the warm start; in the stochastic setting it reads lower-level data. */
    LowerLevelSolver.LowerSolved lower(int iteration, INDArray x, INDArray warmStart);

    /** Objective s's hypergradient; in the stochastic setting it reads objective s's data. */
    HypergradientWorker.HypergradientReady hypergradient(int iteration, int objective, INDArray x,
                                                         LowerLevelSolver.LowerSolved lower, INDArray warmStart);

    WeightUpdate weights(int iteration, INDArray x, double[] preference, List<HypergradientEstimate> estimates);

    /** The oracle calls so far (read once all of an iteration's answers are in). */
    OracleCalls calls();

    boolean finished(int iteration, double stationarity);

    /** Iteration k is reported: acknowledge the data it used (stochastic setting); must not block. */
    void iterationDone(int iteration, LowerLevelSolver.LowerSolved lower,
                       List<HypergradientWorker.HypergradientReady> objectives);

    /** The steps of a run as planned. */
    static Steps of(RunPlan plan) {
        if (plan instanceof PreferenceRun run) {
            CountingProblem counted = new CountingProblem(run.problem());
            return new Deterministic(new WcMhgd(counted, run.config()), counted);
        }
        StochasticPreferenceRun run = (StochasticPreferenceRun) plan;
        CountingStochasticProblem counted = new CountingStochasticProblem(run.problem());
        return new Stochastic(new StochasticWcMhgd(counted, run.config()), counted, run.source());
    }

    /** Alg. 1; {@code counted} is the problem the algorithm calls, or null where nobody reads the counts. */
    record Deterministic(WcMhgd algorithm, CountingProblem counted) implements Steps {
        @Override public int objectiveCount() { return algorithm.problem().objectiveCount(); }

        @Override
        public WcMhgdState initialState(double[] preference) {
            return algorithm.initialState(preference);
        }

        @Override
        public LowerLevelSolver.LowerSolved lower(int iteration, INDArray x, INDArray warmStart) {
            return new LowerLevelSolver.LowerSolved(iteration, algorithm.lowerPhase(iteration, x, warmStart), null);
        }

        @Override
        public HypergradientWorker.HypergradientReady hypergradient(int iteration, int objective, INDArray x,
                                                                    LowerLevelSolver.LowerSolved lower,
                                                                    INDArray warmStart) {
            HypergradientEstimate estimate = algorithm.hypergradientPhase(iteration, objective, x, lower.lower(),
                    warmStart);
            return new HypergradientWorker.HypergradientReady(iteration, objective, estimate, List.of());
        }

        @Override
        public WeightUpdate weights(int iteration, INDArray x, double[] preference,
                                    List<HypergradientEstimate> estimates) {
            return algorithm.weightPhase(iteration, x, preference, estimates);
        }

        @Override
        public OracleCalls calls() {
            return counted == null ? OracleCalls.NONE : counted.calls();
        }

        @Override
        public boolean finished(int iteration, double stationarity) {
            return algorithm.config().finished(iteration, stationarity);
        }

        @Override
        public void iterationDone(int iteration, LowerLevelSolver.LowerSolved lower,
                                  List<HypergradientWorker.HypergradientReady> objectives) {}
    }

    /** Alg. 2 with Alg. 3 on the batches of {@code source}. */
    record Stochastic(StochasticWcMhgd algorithm, CountingStochasticProblem counted, BatchSource source)
            implements Steps {
        @Override public int objectiveCount() { return algorithm.problem().objectiveCount(); }

        @Override
        public WcMhgdState initialState(double[] preference) {
            return algorithm.initialState(preference);
        }

        @Override
        public LowerLevelSolver.LowerSolved lower(int iteration, INDArray x, INDArray warmStart) {
            SampledLower sampled = algorithm.lowerPhase(iteration, x, warmStart, source);
            return new LowerLevelSolver.LowerSolved(iteration, sampled.lower(), sampled);
        }

        @Override
        public HypergradientWorker.HypergradientReady hypergradient(int iteration, int objective, INDArray x,
                                                                    LowerLevelSolver.LowerSolved lower,
                                                                    INDArray warmStart) {
            SampledEstimate sampled = algorithm.hypergradientPhase(iteration, objective, x, lower.sampled(), source);
            return new HypergradientWorker.HypergradientReady(iteration, objective, sampled.estimate(), sampled.used());
        }

        @Override
        public WeightUpdate weights(int iteration, INDArray x, double[] preference,
                                    List<HypergradientEstimate> estimates) {
            return algorithm.weightPhase(iteration, x, preference, estimates);
        }

        @Override
        public OracleCalls calls() {
            return counted.calls();
        }

        @Override
        public boolean finished(int iteration, double stationarity) {
            return algorithm.config().finished(iteration, stationarity);
        }

        @Override
        public void iterationDone(int iteration, LowerLevelSolver.LowerSolved lower,
                                  List<HypergradientWorker.HypergradientReady> objectives) {
            List<SampledEstimate> estimates = new ArrayList<>(objectives.size());
            for (HypergradientWorker.HypergradientReady ready : objectives) {
                estimates.add(new SampledEstimate(ready.estimate(), ready.used()));
            }
            List<Minibatch> used = StochasticWcMhgd.used(lower.sampled(), estimates);
            source.iterationDone(iteration, used);
        }
    }
}
