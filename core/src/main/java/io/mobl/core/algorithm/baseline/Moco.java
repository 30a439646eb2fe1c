package io.mobl.core.algorithm.baseline;

import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.NonFiniteValueException;
import io.mobl.core.algorithm.StepReport;
import io.mobl.core.algorithm.WcMhgd;
import io.mobl.core.algorithm.WcMhgdState;
import io.mobl.core.checkpoint.StateCodec;
import io.mobl.core.checkpoint.StateImage;
import io.mobl.core.hypergradient.HypergradientEstimate;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.Oracle;
import io.mobl.core.problem.RequiredOracles;
import io.mobl.core.weights.MinNormWeights;
import io.mobl.core.weights.SimplexQp;
import io.mobl.protocol.Checks;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MoCo (Fernando et al., "Mitigating gradient bias in multi-objective learning", ICLR 2023), the tracked-gradient
 * variant of MOML the FORUM paper compares against. Per outer iteration:
 * <pre>
 *   Ĝ_k   = unrolled hypergradients at x_k (reverse mode through D lower-level steps, as MOML)
 *   Y_k   = Y_{k−1} − τ (Y_{k−1} − Ĝ_k)                 (Y_0 = Ĝ_0: tracking starts at the first estimate)
 *   λ_k   = Π_Δ(λ_{k−1} − γ (Y_kᵀY_k + ρI) λ_{k−1})      (λ_{−1} uniform)
 *   x_k+1 = x_k − β Y_k λ_k
 * </pre>
 * Π_Δ, the Euclidean projection onto the simplex, is the simplex QP min ½‖λ − v‖² solved exactly by
 * {@link SimplexQp}. Space: the trajectory (qD) plus the tracked Y (Sp) on top of MOML's, Table 1 of the FORUM
 * paper.
 */
public final class Moco implements IterativeAlgorithm<Moco.State> {
    private final HypergradientDescent moml;
    private final MocoConfig config;

    /**
     * @param base     MOML's state (x_k, warm starts, preference)
     * @param tracked  Y_{k−1}, one length-p vector per objective (null entries before the first iteration)
     * @param weights  λ_{k−1}
     */
    public record State(WcMhgdState base, INDArray[] tracked, double[] weights) {
        public State {
            tracked = tracked.clone();
            weights = weights.clone();
        }

        /**
         * The checkpoint codec for dimensions p, q and S objectives: MOML's entries ({@link WcMhgdState#codec}),
         * {@code tracked.<s>} (p, Y_{k−1}'s column s, absent before the first iteration) and {@code weights}
         * (S, λ_{k−1}).
         */
        public static StateCodec<State> codec(int p, int q, int objectives) {
            StateCodec<WcMhgdState> base = WcMhgdState.codec(p, q, objectives);
            return new StateCodec<>() {
                @Override
                public StateImage encode(State s) {
                    StateImage image = base.encode(s.base());
                    StateImage.Builder b = StateImage.builder(image.iteration(), image.preference());
                    image.vectors().forEach(b::array);
                    image.counters().forEach(b::counter);
                    for (int i = 0; i < s.tracked().length; i++) b.vector("tracked." + i, s.tracked()[i]);
                    return b.array("weights", s.weights()).build();
                }

                @Override
                public State decode(StateImage image) {
                    INDArray[] tracked = new INDArray[objectives];
                    for (int i = 0; i < objectives; i++) tracked[i] = image.vectorOrNull("tracked." + i, p);
                    return new State(base.decode(image), tracked, image.array("weights", objectives));
                }
            };
        }
    }

    public Moco(BilevelProblem problem, MocoConfig config) {
        RequiredOracles.check(problem, "moco", EnumSet.allOf(Oracle.class));
        this.config = config;
        this.moml = new HypergradientDescent(problem, HypergradientDescentConfig.moml(config.lowerIterations(),
                config.lowerStepSize(), config.upperStepSize()));
    }

    @Override public String name() { return "moco"; }
    @Override public BilevelProblem problem() { return moml.problem(); }

    @Override
    public StateCodec<State> stateCodec() {
        BilevelProblem p = problem();
        return State.codec(p.upperDimension(), p.lowerDimension(), p.objectiveCount());
    }

    @Override
    public String configuration() {
        return name() + " " + config;
    }

    @Override
    public State initialState(double[] preference, INDArray upperStart) {
        int objectives = problem().objectiveCount();
        double[] uniform = new double[objectives];
        Arrays.fill(uniform, 1.0 / objectives);
        return new State(moml.initialState(preference, upperStart), new INDArray[objectives], uniform);
    }

    @Override
    public Step<State> step(State state) {
        WcMhgdState base = state.base();
        HypergradientDescent.Estimates estimates = moml.estimate(base);
        List<HypergradientEstimate> g = estimates.hypergradients();
        int objectives = g.size();
        INDArray[] tracked = new INDArray[objectives];
        for (int s = 0; s < objectives; s++) {
            INDArray previous = state.tracked()[s];
            INDArray estimate = g.get(s).hypergradient();
            tracked[s] = previous == null ? estimate.dup()
                    : previous.sub(previous.sub(estimate).muli(config.trackingRate()));
        }
        double[][] gram = new double[objectives][objectives];
        for (int i = 0; i < objectives; i++) {
            for (int j = 0; j <= i; j++) {
                double v = Vectors.dot(tracked[i], tracked[j]);
                gram[i][j] = v;
                gram[j][i] = v;
            }
        }
        double[] weights = projectOntoSimplex(gradientStep(gram, state.weights()));
        INDArray direction = Vectors.zeros(problem().upperDimension());
        for (int s = 0; s < objectives; s++) {
            if (weights[s] != 0) Vectors.axpyInPlace(weights[s], tracked[s], direction);
        }
        INDArray next = base.x().sub(direction.mul(config.upperStepSize()));
        if (!Vectors.allFinite(next)) throw new NonFiniteValueException("upper-level iterate", -1, base.iteration());
        WcMhgdState nextBase = new WcMhgdState(base.iteration() + 1, next, estimates.lower().solution(),
                new INDArray[objectives], base.preference());
        double stationarity = MinNormWeights.solve(WcMhgd.gram(base.iteration(), g)).objective();
        int p = problem().upperDimension();
        int q = problem().lowerDimension();
        long bytes = StepReport.bytes(estimates.lower().trajectory().size() + 1L, q)
                + StepReport.bytes(2L * objectives, p) + StepReport.bytes(objectives, q) + StepReport.bytes(2, p);
        return new Step<>(new State(nextBase, tracked, weights), new StepReport(base.iteration(), base.x(),
                estimates.lower().solution(), WcMhgd.values(g), weights, stationarity, "stationarity", Double.NaN,
                config.upperStepSize() * Vectors.norm(direction), bytes));
    }

    /** λ − γ(YᵀY + ρI)λ. */
    private double[] gradientStep(double[][] gram, double[] weights) {
        int n = weights.length;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double row = config.weightRegulariser() * weights[i];
            for (int j = 0; j < n; j++) row += gram[i][j] * weights[j];
            v[i] = weights[i] - config.weightStepSize() * row;
        }
        return v;
    }

    /** argmin_{λ∈Δ} ½‖λ − v‖², exactly (the simplex QP with H = I, c = −v). */
    public static double[] projectOntoSimplex(double[] v) {
        Checks.finite("v", v);
        int n = v.length;
        double[][] identity = new double[n][n];
        double[] c = new double[n];
        for (int i = 0; i < n; i++) {
            identity[i][i] = 1;
            c[i] = -v[i];
        }
        return SimplexQp.solve(identity, c).weights();
    }
}
