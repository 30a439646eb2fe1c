package io.mobl.core.algorithm.forum;

import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.NonFiniteValueException;
import io.mobl.core.algorithm.StepReport;
import io.mobl.core.checkpoint.StateCodec;
import io.mobl.core.checkpoint.StateImage;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.lower.LowerLevelDescent;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.Oracle;
import io.mobl.core.problem.RequiredOracles;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.protocol.Checks;
import java.util.Arrays;
import java.util.EnumSet;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * FORUM, Alg. 1 of its paper, as a pure step on z = (x, y). The bilevel problem is rewritten with the value
 * function as min F(z) s.t. q(z) = g(z) − g*(x) ≤ 0; q is approximated by q̃(z) = g(x, y) − g(x, ỹ^T) with ỹ^T
 * from T gradient steps, whose gradient needs no second derivatives (Eq. (4)):
 * ∇q̃(z) = (∇_x g(x, y) − ∇_x g(x, ỹ^T), ∇_y g(x, y)). Per iteration:
 * <ol>
 *   <li>T lower steps from y_k (or y_0) → ỹ^T; q̃(z_k), ∇q̃(z_k) (lines 4–9);</li>
 *   <li>∇F_i(z_k) = (∇_x f_i, ∇_y f_i) (line 10);</li>
 *   <li>λ^k from QP (12), exactly ({@link ForumQp}), with φ_k = ρ/2‖∇q̃‖² (line 11);</li>
 *   <li>λ̃^k = (1 − β_k)λ̃^{k−1} + β_kλ^k, ν(λ̃^k) by Eq. (10), d_k by Eq. (9), z_{k+1} = z_k + μd_k
 *       (lines 12–15), in {@link ForumUpdate}, which {@link StochasticForum} shares.</li>
 * </ol>
 * With separate steps μ_x, μ_y ({@link ForumConfig#lowerVariableStepSize}) this is the same algorithm on the
 * rescaled variables (x/√μ_x, y/√μ_y): inner products in the Gram matrix of (12) and in φ_k weigh the y block by
 * ω = μ_y/μ_x, and x moves by μ_x·d_k's x block, y by μ_y·d_k's y block, so the direction still decreases q̃ at the
 * rate the barrier asks. ω = 1 is the paper's step, bit for bit.
 * Reported: the objectives f_i(z_k); as measure, the paper's KKT measure 𝒦(z_k) = ‖Σλ̃_i∇F_i + ν∇q̃‖² (with ∇q̃
 * for ∇q); as feasibility, q̃(z_k) ≥ 0. Oracles: Gc(f) and Gc(g) only, never HV(g)/JV(g): memory O(p + q) for
 * any T.
 */
public final class Forum implements IterativeAlgorithm<Forum.State> {
    private final BilevelProblem problem;
    private final ForumConfig config;

    /**
     * @param iteration k
     * @param x         x_k
     * @param y         y_k (FORUM moves y as a variable of its own, unlike the hypergradient methods)
     * @param weights   λ̃^{k−1}, the momentum weights (uniform at k = 0)
     * @param preference kept to report the run under; FORUM has no preference
     */
    public record State(int iteration, INDArray x, INDArray y, double[] weights, double[] preference) {
        public State {
            weights = weights.clone();
            preference = preference.clone();
        }

        /**
         * The checkpoint codec of this state for dimensions p, q and S objectives: entries {@code x} (p), {@code y}
         * (q) and {@code weights} (S, the momentum λ̃^{k−1}). Shared by {@link Forum} and {@link StochasticForum}.
         */
        public static StateCodec<State> codec(int p, int q, int objectives) {
            return new StateCodec<>() {
                @Override
                public StateImage encode(State s) {
                    return StateImage.builder(s.iteration(), s.preference()).vector("x", s.x()).vector("y", s.y())
                            .array("weights", s.weights()).build();
                }

                @Override
                public State decode(StateImage image) {
                    return new State(Math.toIntExact(image.iteration()), image.vector("x", p), image.vector("y", q),
                            image.array("weights", objectives), image.preference());
                }
            };
        }
    }

    public Forum(BilevelProblem problem, ForumConfig config) {
        RequiredOracles.check(problem, "forum", EnumSet.of(Oracle.UPPER_GRADIENT, Oracle.LOWER_GRADIENT));
        this.problem = problem;
        this.config = config;
    }

    @Override public String name() { return "forum"; }
    @Override public BilevelProblem problem() { return problem; }

    @Override
    public StateCodec<State> stateCodec() {
        return State.codec(problem.upperDimension(), problem.lowerDimension(), problem.objectiveCount());
    }

    /** The settings, the budget aside (FORUM has none of its own). */
    @Override
    public String configuration() {
        return name() + " " + config;
    }

    @Override
    public State initialState(double[] preference, INDArray upperStart) {
        int m = problem.objectiveCount();
        Checks.preference("preference", preference, m);
        double[] uniform = new double[m];
        Arrays.fill(uniform, 1.0 / m);
        return new State(0, upperStart.dup(), problem.initialLower(), uniform, preference);
    }

    @Override
    public Step<State> step(State state) {
        int k = state.iteration();
        INDArray x = state.x();
        INDArray y = state.y();
        int p = problem.upperDimension();
        int m = problem.objectiveCount();
        INDArray start = config.restartLower() ? problem.initialLower() : y;
        INDArray yT = LowerLevelDescent.descend(problem, x, start, config.lowerIterations(), config.lowerStepSize(),
                false).solution();
        double feasibility = problem.lowerValue(x, y) - problem.lowerValue(x, yT);
        // vectors in z = (x, y) are kept as their two blocks: a dot product is the sum of the blocks' products
        INDArray[] constraintGradient = {problem.lowerGradientX(x, y).subi(problem.lowerGradientX(x, yT)),
                problem.lowerGradient(x, y)};
        if (!Double.isFinite(feasibility) || !Vectors.allFinite(constraintGradient[0])
                || !Vectors.allFinite(constraintGradient[1])) {
            throw new NonFiniteValueException("value-function constraint q̃", -1, k);
        }
        INDArray[][] gradients = new INDArray[m + 1][];
        double[] objectives = new double[m];
        for (int i = 0; i < m; i++) {
            UpperEvaluation f = problem.upper(i, x, y);
            objectives[i] = f.value();
            gradients[i] = new INDArray[] {f.gradientX(), f.gradientY()};
            if (!Double.isFinite(f.value()) || !Vectors.allFinite(f.gradientX()) || !Vectors.allFinite(f.gradientY())) {
                throw new NonFiniteValueException("upper gradient", i, k);
            }
        }
        gradients[m] = constraintGradient;
        ForumUpdate update = ForumUpdate.of(k, x, y, gradients, state.weights(), config);
        int q = problem.lowerDimension();
        long bytes = StepReport.bytes(m + 2L, p + q) + StepReport.bytes(3, q);
        return new Step<>(new State(k + 1, update.nextX(), update.nextY(), update.weights(), state.preference()),
                new StepReport(k, x, y, objectives, update.weights(), update.kkt(), "kkt", feasibility,
                        update.stepNorm(), bytes));
    }
}
