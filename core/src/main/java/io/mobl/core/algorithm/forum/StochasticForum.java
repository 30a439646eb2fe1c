package io.mobl.core.algorithm.forum;

import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.NonFiniteValueException;
import io.mobl.core.algorithm.StepReport;
import io.mobl.core.checkpoint.StateCodec;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.SampleBatch;
import io.mobl.core.stochastic.SampledProblemView;
import io.mobl.core.stochastic.StochasticBilevelProblem;
import io.mobl.protocol.Checks;
import io.mobl.protocol.Minibatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * FORUM's Alg. 1 as the paper runs it in §5.1, on minibatches, as a pure step on z = (x, y) (the same state as
 * {@link Forum}). Step k draws from its {@link BatchSource}, in this order:
 * <ol>
 *   <li>𝒯_0 … 𝒯_{T−1} (lower level): ỹ^{t+1} = ỹ^t − η∇_y G(x_k, ỹ^t; 𝒯_t) from ỹ^0 = y_k (or y_0) (lines 4–7);</li>
 *   <li>𝒞 (lower level): q̃(z_k) = G(x_k, y_k; 𝒞) − G(x_k, ỹ^T; 𝒞) and
 *       ∇q̃(z_k) = (∇_x G(x_k, y_k; 𝒞) − ∇_x G(x_k, ỹ^T; 𝒞), ∇_y G(x_k, y_k; 𝒞)) (lines 8–9, Eq. (4));</li>
 *   <li>𝒟_F^1 … 𝒟_F^m (objective i's data): ∇F_i(z_k) = (∇_x F^{(i)}, ∇_y F^{(i)}) on 𝒟_F^i (line 10);</li>
 * </ol>
 * then QP (12), the momentum on λ, Eq. (9)–(10) and z_{k+1} = z_k + (μ_x d_x, μ_y d_y) exactly as the deterministic
 * step ({@link ForumUpdate}, lines 11–15). The batches drawn are returned in {@link Step#used()} in that order, so
 * the same batch sequence gives the same iterates on every runtime. On batches that are each the whole data set once,
 * every oracle is the deterministic problem's and the step is {@link Forum}'s.
 */
public final class StochasticForum implements IterativeAlgorithm<Forum.State> {
    private final StochasticBilevelProblem problem;
    private final SampledProblemView view;
    private final BatchSource source;
    private final StochasticForumConfig config;

    /**
     * @param problem a problem that offers G and ∇_x G besides the usual sampled oracles
     * @param source  where every batch of every step comes from
     */
    public StochasticForum(StochasticBilevelProblem problem, BatchSource source, StochasticForumConfig config) {
        this.problem = problem;
        this.view = new SampledProblemView(problem);
        this.source = source;
        this.config = config;
    }

    @Override public String name() { return "forum-stochastic"; }
    @Override public BilevelProblem problem() { return view; }
    public StochasticForumConfig config() { return config; }

    @Override
    public StateCodec<Forum.State> stateCodec() {
        return Forum.State.codec(problem.upperDimension(), problem.lowerDimension(), problem.objectiveCount());
    }

    /** The settings and batch sizes; the batch timeout is left out (it does not shape the iterates). */
    @Override
    public String configuration() {
        return name() + " " + config.forum() + " batches " + config.lowerBatch() + "/" + config.constraintBatch() + "/"
                + config.upperBatch();
    }

    @Override
    public Forum.State initialState(double[] preference, INDArray upperStart) {
        int m = problem.objectiveCount();
        Checks.preference("preference", preference, m);
        double[] uniform = new double[m];
        Arrays.fill(uniform, 1.0 / m);
        return new Forum.State(0, upperStart.dup(), problem.initialLower(), uniform, preference);
    }

    @Override
    public Step<Forum.State> step(Forum.State state) {
        int k = state.iteration();
        INDArray x = state.x();
        INDArray y = state.y();
        int m = problem.objectiveCount();
        ForumConfig forum = config.forum();
        List<Minibatch> used = new ArrayList<>();
        List<SampleBatch> steps = new ArrayList<>(forum.lowerIterations());
        for (int t = 0; t < forum.lowerIterations(); t++) steps.add(draw(Minibatch.LOWER, config.lowerBatch(), k, used));
        INDArray yT = problem.lowerDescent(x, forum.restartLower() ? problem.initialLower() : y, steps,
                forum.lowerStepSize());
        if (!Vectors.allFinite(yT)) throw new NonFiniteValueException("lower-level iterate ỹ^T", -1, k);
        SampleBatch constraint = draw(Minibatch.LOWER, config.constraintBatch(), k, used);
        double feasibility = problem.lowerValue(x, y, constraint) - problem.lowerValue(x, yT, constraint);
        // vectors in z = (x, y) are kept as their two blocks: a dot product is the sum of the blocks' products
        INDArray[] constraintGradient = {
                problem.lowerGradientX(x, y, constraint).subi(problem.lowerGradientX(x, yT, constraint)),
                problem.lowerGradient(x, y, constraint)};
        if (!Double.isFinite(feasibility) || !Vectors.allFinite(constraintGradient[0])
                || !Vectors.allFinite(constraintGradient[1])) {
            throw new NonFiniteValueException("value-function constraint q̃", -1, k);
        }
        INDArray[][] gradients = new INDArray[m + 1][];
        double[] objectives = new double[m];
        for (int i = 0; i < m; i++) {
            UpperEvaluation f = problem.upper(i, x, y, draw(i, config.upperBatch(), k, used));
            objectives[i] = f.value();
            gradients[i] = new INDArray[] {f.gradientX(), f.gradientY()};
            if (!Double.isFinite(f.value()) || !Vectors.allFinite(f.gradientX()) || !Vectors.allFinite(f.gradientY())) {
                throw new NonFiniteValueException("upper gradient", i, k);
            }
        }
        gradients[m] = constraintGradient;
        ForumUpdate update = ForumUpdate.of(k, x, y, gradients, state.weights(), forum);
        long bytes = StepReport.bytes(m + 2L, problem.upperDimension() + problem.lowerDimension())
                + StepReport.bytes(3, problem.lowerDimension());
        return new Step<>(new Forum.State(k + 1, update.nextX(), update.nextY(), update.weights(), state.preference()),
                new StepReport(k, x, y, objectives, update.weights(), update.kkt(), "kkt", feasibility,
                        update.stepNorm(), bytes), used);
    }

    private SampleBatch draw(int objective, int rows, int iteration, List<Minibatch> used) {
        return SampleBatch.draw(source, problem, objective, rows, iteration, config.batchTimeout(), used);
    }
}
