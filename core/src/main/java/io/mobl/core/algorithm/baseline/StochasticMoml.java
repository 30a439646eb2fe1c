package io.mobl.core.algorithm.baseline;

import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.NonFiniteValueException;
import io.mobl.core.algorithm.StepReport;
import io.mobl.core.algorithm.WcMhgd;
import io.mobl.core.algorithm.WcMhgdState;
import io.mobl.core.checkpoint.StateCodec;
import io.mobl.core.hypergradient.HypergradientEstimate;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.SampleBatch;
import io.mobl.core.stochastic.SampledProblemView;
import io.mobl.core.stochastic.StochasticBilevelProblem;
import io.mobl.core.weights.MinNormWeights;
import io.mobl.core.weights.SimplexQpSolution;
import io.mobl.protocol.Checks;
import io.mobl.protocol.Minibatch;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MOML (Ye et al. 2021) on minibatches, the FORUM paper's §5.1 baseline, as a pure step: D warm-started SGD steps
 * y^{t+1} = y^t − α∇_y G(x_k, y^t; 𝒯_t), then per objective s the exact derivative of F^{(s)}(x_k, y^D; 𝒟_F^s)
 * through those very steps (reverse mode over the kept trajectory, each step with its own batch):
 * <pre>
 *   ∇̂φ_s = ∇_x F^{(s)} − α Σ_{t=0}^{D−1} ∇²_xy G(x_k, y^t; 𝒯_t) Π_{j=t+1}^{D−1} (I − α∇²_yy G(x_k, y^j; 𝒯_j)) ∇_y F^{(s)},
 * </pre>
 * the deterministic {@link io.mobl.core.hypergradient.NeumannSeries} with the step batches in place of the whole
 * data. The weights are MGDA's min-norm λ_k of the S hypergradients and x_{k+1} = x_k − β Σ_s λ_s ∇̂φ_s. Draw order
 * per step: 𝒯_0 … 𝒯_{D−1}, then 𝒟_F^0 … 𝒟_F^{S−1}; all are returned in {@link Step#used()}. Memory O(qD).
 */
public final class StochasticMoml implements IterativeAlgorithm<WcMhgdState> {
    private final StochasticBilevelProblem problem;
    private final SampledProblemView view;
    private final BatchSource source;
    private final StochasticMomlConfig config;

    public StochasticMoml(StochasticBilevelProblem problem, BatchSource source, StochasticMomlConfig config) {
        this.problem = problem;
        this.view = new SampledProblemView(problem);
        this.source = source;
        this.config = config;
    }

    @Override public String name() { return "moml-stochastic"; }
    @Override public BilevelProblem problem() { return view; }
    public StochasticMomlConfig config() { return config; }

    @Override
    public StateCodec<WcMhgdState> stateCodec() {
        return WcMhgdState.codec(problem.upperDimension(), problem.lowerDimension(), problem.objectiveCount());
    }

    /** The steps and batch sizes; the batch timeout is left out (it does not shape the iterates). */
    @Override
    public String configuration() {
        return name() + " D=" + config.lowerIterations() + " alpha=" + config.lowerStepSize() + " beta="
                + config.upperStepSize() + " batches " + config.lowerBatch() + "/" + config.upperBatch();
    }

    @Override
    public WcMhgdState initialState(double[] preference, INDArray upperStart) {
        Checks.preference("preference", preference, problem.objectiveCount());
        return new WcMhgdState(0, upperStart.dup(), problem.initialLower(), new INDArray[problem.objectiveCount()],
                preference);
    }

    @Override
    public Step<WcMhgdState> step(WcMhgdState state) {
        int k = state.iteration();
        INDArray x = state.x();
        double alpha = config.lowerStepSize();
        List<Minibatch> used = new ArrayList<>();
        List<INDArray> trajectory = new ArrayList<>(config.lowerIterations());
        List<SampleBatch> batches = new ArrayList<>(config.lowerIterations());
        INDArray y = state.lower();
        for (int t = 0; t < config.lowerIterations(); t++) {
            SampleBatch batch = draw(Minibatch.LOWER, config.lowerBatch(), k, used);
            trajectory.add(y);
            batches.add(batch);
            y = Vectors.axpy(-alpha, problem.lowerGradient(x, y, batch), y);
        }
        if (!Vectors.allFinite(y)) throw new NonFiniteValueException("lower-level iterate", -1, k);
        int objectives = problem.objectiveCount();
        List<HypergradientEstimate> estimates = new ArrayList<>(objectives);
        for (int s = 0; s < objectives; s++) {
            UpperEvaluation f = problem.upper(s, x, y, draw(s, config.upperBatch(), k, used));
            INDArray w = f.gradientY().dup();
            INDArray sum = Vectors.zeros(problem.upperDimension());
            for (int t = trajectory.size() - 1; t >= 0; t--) {
                Vectors.axpyInPlace(1.0, problem.jacobianVector(x, trajectory.get(t), w, batches.get(t)), sum);
                if (t > 0) Vectors.axpyInPlace(-alpha, problem.hessianVector(x, trajectory.get(t), w, batches.get(t)), w);
            }
            INDArray hypergradient = Vectors.axpy(-alpha, sum, f.gradientX());
            if (!Vectors.allFinite(hypergradient) || !Double.isFinite(f.value())) {
                throw new NonFiniteValueException("hypergradient", s, k);
            }
            estimates.add(new HypergradientEstimate(s, hypergradient, f.value(), null));
        }
        SimplexQpSolution minNorm = MinNormWeights.solve(WcMhgd.gram(k, estimates));
        double[] weights = minNorm.weights();
        INDArray direction = Vectors.zeros(problem.upperDimension());
        for (int s = 0; s < objectives; s++) {
            if (weights[s] != 0) Vectors.axpyInPlace(weights[s], estimates.get(s).hypergradient(), direction);
        }
        INDArray next = Vectors.axpy(-config.upperStepSize(), direction, x);
        if (!Vectors.allFinite(next)) throw new NonFiniteValueException("upper-level iterate", -1, k);
        int p = problem.upperDimension();
        int q = problem.lowerDimension();
        long bytes = StepReport.bytes(trajectory.size() + 1L, q) + StepReport.bytes(objectives, p + q)
                + StepReport.bytes(2, p);
        return new Step<>(new WcMhgdState(k + 1, next, y, new INDArray[objectives], state.preference()),
                new StepReport(k, x, y, WcMhgd.values(estimates), weights, minNorm.objective(), "stationarity",
                        Double.NaN, config.upperStepSize() * Vectors.norm(direction), bytes), used);
    }

    private SampleBatch draw(int objective, int rows, int iteration, List<Minibatch> used) {
        return SampleBatch.draw(source, problem, objective, rows, iteration, config.batchTimeout(), used);
    }
}
