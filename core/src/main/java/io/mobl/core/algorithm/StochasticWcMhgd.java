package io.mobl.core.algorithm;

import io.mobl.core.hypergradient.HypergradientEstimate;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.NeumannHessianInverse;
import io.mobl.core.stochastic.SampleBatch;
import io.mobl.core.stochastic.SampledEstimate;
import io.mobl.core.stochastic.SampledLower;
import io.mobl.core.stochastic.StochasticBilevelProblem;
import io.mobl.protocol.Checks;
import io.mobl.protocol.Minibatch;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Stochastic WC-MHGD (Alg. 2 of the WC-MHGD paper, with Alg. 3 for the Hessian-inverse-vector product) as pure
 * phases, like {@link WcMhgd}, so that the synchronous loop and the actors run the very same code:
 * <ol>
 *   <li>{@link #lowerPhase}: D warm-started SGD steps y^t = y^{t−1} − α∇_y G(x_k, y^{t−1}; 𝒯_{t−1}) (lines 3–6),
 *       then the lower-level batches 𝒟_G and 𝒟_H = {ℬ_1 … ℬ_Q} of line 7, drawn once for all objectives;</li>
 *   <li>{@link #hypergradientPhase}: per objective, 𝒟_F^s, v⁰ = ∇_y F^{(s)}, v^Q by Alg. 3 and
 *       ∇̂φ_s = ∇_x F^{(s)}(·; 𝒟_F^s) − ∇²_xy G(·; 𝒟_G)·v^Q (lines 8–12), independent across objectives;</li>
 *   <li>{@link #weightPhase}: QP (5) and x_{k+1} = x_k − β∇̂Φ(r∘λ_k) (lines 13–14), {@link WcMhgd}'s own.</li>
 * </ol>
 * The phases draw their samples from a {@link BatchSource}, each from its own role (the lower phase from
 * {@link Minibatch#LOWER}, objective s's phase from s), always in the same order: 𝒯_0 … 𝒯_{D−1}, 𝒟_G, ℬ_1 … ℬ_Q,
 * then 𝒟_F^s. So a source that delivers a fixed sequence per role gives the same iterates in every runtime.
 * None of the phases keeps state; {@link WcMhgdState} carries it (without warm starts for v: Alg. 2 has none).
 */
public final class StochasticWcMhgd {
    private final StochasticBilevelProblem problem;
    private final StochasticWcMhgdConfig config;
    private final int[] hessianBatchSizes;

    public StochasticWcMhgd(StochasticBilevelProblem problem, StochasticWcMhgdConfig config) {
        this.problem = problem;
        this.config = config;
        this.hessianBatchSizes = config.hessianBatchSizes();
    }

    public StochasticBilevelProblem problem() { return problem; }
    public StochasticWcMhgdConfig config() { return config; }

    /** x_0, y_0 from the problem. */
    public WcMhgdState initialState(double[] preference) {
        Checks.preference("preference", preference, problem.objectiveCount());
        return new WcMhgdState(0, problem.initialUpper(), problem.initialLower(),
                new INDArray[problem.objectiveCount()], preference);
    }

    /** Lines 3–7: D SGD steps from the warm start, then 𝒟_G and 𝒟_H. */
    public SampledLower lowerPhase(int iteration, INDArray x, INDArray warmStart, BatchSource source) {
        List<Minibatch> used = new ArrayList<>();
        INDArray y = warmStart;
        for (int t = 0; t < config.lowerIterations(); t++) {
            SampleBatch batch = draw(source, Minibatch.LOWER, config.lowerBatchSize(), iteration, used);
            y = y.sub(problem.lowerGradient(x, y, batch).muli(config.lowerStepSize()));
        }
        if (!Vectors.allFinite(y)) throw new NonFiniteValueException("lower-level iterate", -1, iteration);
        SampleBatch jacobian = draw(source, Minibatch.LOWER, config.jacobianBatchSize(), iteration, used);
        List<SampleBatch> hessian = new ArrayList<>(hessianBatchSizes.length);
        for (int size : hessianBatchSizes) hessian.add(draw(source, Minibatch.LOWER, size, iteration, used));
        return new SampledLower(y, jacobian, hessian, used);
    }

    /** Lines 9–11 for objective s. */
    public SampledEstimate hypergradientPhase(int iteration, int objective, INDArray x, SampledLower lower,
                                              BatchSource source) {
        List<Minibatch> used = new ArrayList<>();
        SampleBatch batch = draw(source, objective, config.upperBatchSize(), iteration, used);
        INDArray y = lower.solution();
        UpperEvaluation f = problem.upper(objective, x, y, batch);
        if (!Double.isFinite(f.value())) throw new NonFiniteValueException("objective value", objective, iteration);
        INDArray v = NeumannHessianInverse.estimate(problem, x, y, f.gradientY(), lower.hessianBatches(),
                config.neumannStepSize());
        INDArray hypergradient = f.gradientX().sub(problem.jacobianVector(x, y, v, lower.jacobianBatch()));
        if (!Vectors.allFinite(hypergradient)) throw new NonFiniteValueException("hypergradient", objective, iteration);
        return new SampledEstimate(new HypergradientEstimate(objective, hypergradient, f.value(), null), used);
    }

    /** Lines 13–14: {@link WcMhgd#weightPhase(int, INDArray, double[], List, double, double)} with u and β. */
    public WeightUpdate weightPhase(int iteration, INDArray x, double[] preference,
                                    List<HypergradientEstimate> estimates) {
        return WcMhgd.weightPhase(iteration, x, preference, estimates, config.chebyshevWeight(),
                config.upperStepSize());
    }

    /** One whole iteration, phases in sequence: what the synchronous solver does. */
    public Iteration iterate(WcMhgdState state, BatchSource source) {
        long start = System.nanoTime();
        SampledLower lower = lowerPhase(state.iteration(), state.x(), state.lower(), source);
        long lowerDone = System.nanoTime();
        List<SampledEstimate> sampled = new ArrayList<>(problem.objectiveCount());
        for (int s = 0; s < problem.objectiveCount(); s++) {
            sampled.add(hypergradientPhase(state.iteration(), s, state.x(), lower, source));
        }
        long hypergradientsDone = System.nanoTime();
        List<HypergradientEstimate> estimates = sampled.stream().map(SampledEstimate::estimate).toList();
        WeightUpdate update = weightPhase(state.iteration(), state.x(), state.preference(), estimates);
        long weightsDone = System.nanoTime();
        WcMhgd.Iteration iteration = new WcMhgd.Iteration(state, lower.lower(), estimates, update,
                new PhaseTimes(lowerDone - start, hypergradientsDone - lowerDone, weightsDone - hypergradientsDone));
        return new Iteration(iteration, used(lower, sampled));
    }

    /** Every minibatch an iteration consumed: the lower phase's, then each objective's in order. */
    public static List<Minibatch> used(SampledLower lower, List<SampledEstimate> estimates) {
        List<Minibatch> all = new ArrayList<>(lower.used());
        for (SampledEstimate e : estimates) all.addAll(e.used());
        return all;
    }

    /**
     * One outer iteration of Alg. 2: what it reports (the deterministic {@link WcMhgd.Iteration}, so telemetry and
     * points are built the same way) and the minibatches to acknowledge when it is done.
     */
    public record Iteration(WcMhgd.Iteration iteration, List<Minibatch> used) {
        public Iteration {
            used = List.copyOf(used);
        }
    }

    private SampleBatch draw(BatchSource source, int objective, int rows, int iteration, List<Minibatch> used) {
        return SampleBatch.draw(source, problem, objective, rows, iteration, config.batchTimeout(), used);
    }
}
