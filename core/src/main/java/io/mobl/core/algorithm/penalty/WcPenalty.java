package io.mobl.core.algorithm.penalty;

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
 * WC-Penalty (the poster's Alg. 1) for bilevel problems whose lower level is merely convex: the bilevel problem
 * is the equality-constrained problem min F(z) s.t. h(z) = ∇_y g(x, y) = 0 (z = (x, y)), its weighted-Chebyshev
 * scalarisation for the preference r is min ρ s.t. h(z) = 0, r_s f_s(z) ≤ ρ, and with slacks δ ≥ 0 and
 * penalties
 * <pre>
 *   P(θ) = ρ + u/2 ‖h(z)‖² + v/2 Σ_s (r_s f_s(z) + δ_s − ρ)²,       θ = (ρ, z, δ) ∈ C = ℝ × ℝ^{p+q} × ℝ^S_+,
 * </pre>
 * one step is θ_{t+1} = Π_C(θ_t − η∇P(θ_t)). With ω_s = v(r_s f_s + δ_s − ρ) and ν = u·h the gradient is
 * ∂_ρP = 1 − Σω_s, ∇_zP = Σ_s ω_s r_s ∇f_s + J_hᵀν, ∂_δP = ω, where J_hᵀν = (∇²_xy g·ν, ∇²_yy g·ν): one JV(g)
 * and one HV(g) per step, S Gc(f), 1 Gc(g). With {@link WcPenaltyConfig#lowerIterations} J &gt; 0 the run starts
 * from J gradient steps on g(x_0, ·) (J Gc(g) once).
 *
 * <p>The measure reported is the poster's KKT residual at (ρ_t, z_t, ω_t, ν_t, r):
 * <pre>
 *   ‖𝒦‖² = (Σω_s − 1)² + ‖Σω_s r_s∇f_s + J_hᵀν‖² + ‖h‖² + Σ_s min(ω_s, ρ − r_s f_s)²,
 * </pre>
 * and the feasibility ‖h(z_t)‖. With u, v fixed a stationary point of P has h ≈ ν/u ≠ 0, which is why the
 * penalties grow with the horizon ({@link WcPenaltyConfig#forHorizon}).
 */
public final class WcPenalty implements IterativeAlgorithm<WcPenalty.State> {
    private final BilevelProblem problem;
    private final WcPenaltyConfig config;

    /**
     * @param iteration  t
     * @param level      ρ_t, the Chebyshev level
     * @param x          x_t
     * @param y          y_t
     * @param slacks     δ_t ≥ 0, length S
     * @param preference r, the poster's λ ∈ Δ_S^{++}
     */
    public record State(int iteration, double level, INDArray x, INDArray y, double[] slacks, double[] preference) {
        public State {
            slacks = slacks.clone();
            preference = preference.clone();
        }

        /**
         * The checkpoint codec of this state for dimensions p, q and S objectives: entries {@code level} (ρ_t),
         * {@code x} (p), {@code y} (q) and {@code slacks} (S). Shared by {@link WcPenalty} and
         * {@link StochasticWcPenalty} (whose draws depend on t alone, so it has no generator state to keep).
         */
        public static StateCodec<State> codec(int p, int q, int objectives) {
            return new StateCodec<>() {
                @Override
                public StateImage encode(State s) {
                    return StateImage.builder(s.iteration(), s.preference()).real("level", s.level())
                            .vector("x", s.x()).vector("y", s.y()).array("slacks", s.slacks()).build();
                }

                @Override
                public State decode(StateImage image) {
                    return new State(Math.toIntExact(image.iteration()), image.real("level"), image.vector("x", p),
                            image.vector("y", q), image.array("slacks", objectives), image.preference());
                }
            };
        }
    }

    public WcPenalty(BilevelProblem problem, WcPenaltyConfig config) {
        RequiredOracles.check(problem, "wc-penalty", EnumSet.allOf(Oracle.class));
        this.problem = problem;
        this.config = config;
    }

    @Override public String name() { return "wc-penalty"; }
    @Override public BilevelProblem problem() { return problem; }
    public WcPenaltyConfig config() { return config; }

    @Override
    public StateCodec<State> stateCodec() {
        return State.codec(problem.upperDimension(), problem.lowerDimension(), problem.objectiveCount());
    }

    /** η, u, v and the warm start: the schedule for the horizon K is in them, K itself is not. */
    @Override
    public String configuration() {
        return name() + " " + config;
    }

    /**
     * y_0 from the problem, after J lower steps when configured; ρ_0 = max(0, max_s r_s f_s(z_0)) and
     * δ_0 = ρ_0 − r∘F(z_0) ≥ 0: the Chebyshev constraints hold at the start.
     */
    @Override
    public State initialState(double[] preference, INDArray upperStart) {
        Checks.preference("preference", preference, problem.objectiveCount());
        return stateOf(initialPoint(preference, upperStart), preference);
    }

    @Override
    public Step<State> step(State state) {
        return step(state, problem, problem);
    }

    /**
     * One step with the lower-level oracles taken from other (sampled) problems: h from {@code forConstraint},
     * the products J_hᵀν from {@code forJacobian}. With two independent minibatches E[J_Bᵀ h_B'] = J_hᵀh, so the
     * stochastic gradient of P is unbiased ({@link StochasticWcPenalty}); the upper objectives come from the
     * problem itself.
     */
    Step<State> step(State state, BilevelProblem forConstraint, BilevelProblem forJacobian) {
        int t = state.iteration();
        INDArray x = state.x();
        INDArray y = state.y();
        double[] r = state.preference();
        double[] delta = state.slacks();
        int objectives = r.length;
        Gradient g = gradient(state, forConstraint, forJacobian);
        if (!Double.isFinite(g.kkt())) throw new NonFiniteValueException("gradient of the penalty P", -1, t);

        double eta = config.stepSize();
        double level = state.level() - eta * g.level();
        INDArray nextX = x.sub(g.x().mul(eta));
        INDArray nextY = y.sub(g.y().mul(eta));
        double[] nextDelta = new double[objectives];
        double step2 = eta * eta * (g.level() * g.level() + Vectors.squaredNorm(g.x()) + Vectors.squaredNorm(g.y()));
        for (int s = 0; s < objectives; s++) {
            nextDelta[s] = Math.max(0, delta[s] - eta * g.omega()[s]);
            step2 += (nextDelta[s] - delta[s]) * (nextDelta[s] - delta[s]);
        }
        double[] weights = new double[objectives];
        for (int s = 0; s < objectives; s++) weights[s] = g.omega()[s] * r[s];
        int p = problem.upperDimension();
        int q = problem.lowerDimension();
        long bytes = StepReport.bytes(objectives + 3L, p + q) + StepReport.bytes(2, q);
        return new Step<>(new State(t + 1, level, nextX, nextY, nextDelta, r),
                new StepReport(t, x, y, g.values(), weights, g.kkt(), "kkt", Math.sqrt(g.constraintSquared()),
                        Math.sqrt(step2), bytes));
    }

    /**
     * ∇P(θ) at a state, with ω_s = v(r_s f_s + δ_s − ρ) and ν = u·h: ∂_ρP = 1 − Σω_s, ∇_zP = Σ_s ω_s r_s ∇f_s + J_hᵀν,
     * ∂_δP = ω; and the KKT residual ‖𝒦‖² there.
     *
     * @param level             ∂_ρP
     * @param x                 ∇_xP, length p
     * @param y                 ∇_yP, length q
     * @param omega             ω = ∂_δP, length S
     * @param values            f_s(z), length S
     * @param constraintSquared ‖h(z)‖²
     * @param kkt               ‖𝒦‖²
     */
    record Gradient(double level, INDArray x, INDArray y, double[] omega, double[] values, double constraintSquared,
                    double kkt) {}

    Gradient gradient(State state, BilevelProblem forConstraint, BilevelProblem forJacobian) {
        int t = state.iteration();
        INDArray x = state.x();
        INDArray y = state.y();
        double[] r = state.preference();
        double[] delta = state.slacks();
        int objectives = r.length;
        double u = config.constraintPenalty();
        double v = config.chebyshevPenalty();

        INDArray h = forConstraint.lowerGradient(x, y);
        INDArray nu = h.mul(u);
        INDArray gradX = forJacobian.jacobianVector(x, y, nu);
        INDArray gradY = forJacobian.hessianVector(x, y, nu);
        double[] values = new double[objectives];
        double[] omega = new double[objectives];
        double omegaSum = 0;
        double complementarity = 0;
        for (int s = 0; s < objectives; s++) {
            UpperEvaluation f = problem.upper(s, x, y);
            if (!Double.isFinite(f.value())) throw new NonFiniteValueException("objective value", s, t);
            values[s] = f.value();
            omega[s] = v * (r[s] * f.value() + delta[s] - state.level());
            omegaSum += omega[s];
            double coefficient = omega[s] * r[s];
            Vectors.axpyInPlace(coefficient, f.gradientX(), gradX);
            Vectors.axpyInPlace(coefficient, f.gradientY(), gradY);
            double slackness = Math.min(omega[s], state.level() - r[s] * f.value());
            complementarity += slackness * slackness;
        }
        double gradLevel = 1 - omegaSum;
        double hNorm2 = Vectors.squaredNorm(h);
        double kkt = gradLevel * gradLevel + Vectors.squaredNorm(gradX) + Vectors.squaredNorm(gradY) + hNorm2
                + complementarity;
        return new Gradient(gradLevel, gradX, gradY, omega, values, hNorm2, kkt);
    }

    /**
     * ∇P(θ) as one vector (∂_ρP, ∇_xP, ∇_yP, ∂_δP) of length 1 + p + q + S at θ = {@code theta} laid out the same way,
     * for the preference r (any positive r; the Lipschitz estimate of {@link io.mobl.core.algorithm.StepSizes} takes
     * r = 1, which bounds every preference's), with the lower-level oracles from {@code sampled} (the problem
     * itself, or one minibatch of it).
     */
    public INDArray penaltyGradient(INDArray theta, double[] preference, BilevelProblem sampled) {
        int p = problem.upperDimension();
        int q = problem.lowerDimension();
        int objectives = problem.objectiveCount();
        int length = 1 + p + q + objectives;
        Gradient g = gradient(stateOf(theta, preference), sampled, sampled);
        double[] out = new double[length];
        out[0] = g.level();
        System.arraycopy(g.x().toDoubleVector(), 0, out, 1, p);
        System.arraycopy(g.y().toDoubleVector(), 0, out, 1 + p, q);
        System.arraycopy(g.omega(), 0, out, 1 + p + q, objectives);
        return Vectors.of(out);
    }

    /**
     * θ_0 = (ρ_0, x_0, y_0, δ_0) as one vector for the preference r (not checked against the simplex), as
     * {@link #initialState} makes it: the point the step size is derived at.
     */
    public INDArray initialPoint(double[] preference, INDArray upperStart) {
        int objectives = problem.objectiveCount();
        INDArray y = config.lowerIterations() == 0 ? problem.initialLower()
                : LowerLevelDescent.descend(problem, upperStart, problem.initialLower(), config.lowerIterations(),
                        config.lowerStepSize(), false).solution();
        double[] weighted = new double[objectives];
        double level = 0;
        for (int s = 0; s < objectives; s++) {
            weighted[s] = preference[s] * problem.upper(s, upperStart, y).value();
            level = Math.max(level, weighted[s]);
        }
        int p = problem.upperDimension();
        int q = problem.lowerDimension();
        double[] theta = new double[1 + p + q + objectives];
        theta[0] = level;
        System.arraycopy(upperStart.toDoubleVector(), 0, theta, 1, p);
        System.arraycopy(y.toDoubleVector(), 0, theta, 1 + p, q);
        for (int s = 0; s < objectives; s++) theta[1 + p + q + s] = level - weighted[s];
        return Vectors.of(theta);
    }

    /** The state at iteration 0 of θ = (ρ, x, y, δ) laid out as {@link #penaltyGradient} takes it. */
    private State stateOf(INDArray theta, double[] preference) {
        int p = problem.upperDimension();
        int q = problem.lowerDimension();
        int objectives = problem.objectiveCount();
        double[] all = theta.toDoubleVector();
        if (all.length != 1 + p + q + objectives || preference.length != objectives) {
            throw new IllegalArgumentException("θ of length " + all.length + " and r of length " + preference.length
                    + " for p = " + p + ", q = " + q + ", S = " + objectives);
        }
        return new State(0, all[0], Vectors.of(Arrays.copyOfRange(all, 1, 1 + p)),
                Vectors.of(Arrays.copyOfRange(all, 1 + p, 1 + p + q)), Arrays.copyOfRange(all, 1 + p + q, all.length),
                preference);
    }
}
