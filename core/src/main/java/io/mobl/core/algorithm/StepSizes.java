package io.mobl.core.algorithm;

import io.mobl.core.algorithm.baseline.HypergradientDescentConfig;
import io.mobl.core.algorithm.baseline.MocoConfig;
import io.mobl.core.algorithm.forum.ForumConfig;
import io.mobl.core.algorithm.penalty.WcPenalty;
import io.mobl.core.algorithm.penalty.WcPenaltyConfig;
import io.mobl.core.hypergradient.HypergradientMethod;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.PowerIteration;
import io.mobl.core.problem.ProblemConstants;
import io.mobl.core.problem.ProblemConstants.Constant;
import io.mobl.core.problem.SampledLowerLevel;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The step sizes of every algorithm, each the one given or else derived from the problem's constants
 * ({@link ProblemConstants}: stated where the problem states them, estimated where not) by the rule its paper's
 * theorem prescribes. Every derived step is returned with its rule ({@link StepSize}) so that a run's header can
 * say what it is and why.
 * <ul>
 *   <li>WC-MHGD (Theorem 5.5): α = 1/L, β = min{1/(2(1+L_φ)·r_max), 1/(3L_φ)} with r_max taken as 1, so that β
 *       holds for every preference (preferences may change mid-run). MOML, MoCo, linear scalarisation and MGDA
 *       step along combinations of the same hypergradients and take the same α and β.</li>
 *   <li>Stochastic WC-MHGD (Theorem 5.7): α = 2/(L + μ_g), η = 1/L (Alg. 3), β as in Theorem 5.5.</li>
 *   <li>WC-Penalty (the poster's theorem: η = Θ(T^(−1/4)), u = v = Θ(T^(1/4))): u = v = c₀T^(1/4) and
 *       η = 1/L_P, where L_P is the Lipschitz constant of ∇P at θ_0 (power iteration on central differences of
 *       ∇P, with r = 1, which bounds every preference's curvature). Since L_P grows like u, η falls like T^(−1/4)
 *       as the theorem asks, with the constant the problem needs for a stable projected-gradient step. The
 *       stochastic variant takes the largest L_P over a few minibatches of its size.</li>
 *   <li>FORUM (its Theorem 1: η ≤ 1/L_f, μ = O(K^(−1/2))): η = 1/L_z, L_z the Lipschitz constant of ∇g in
 *       z = (x, y) (the paper's L_f), and μ = 1/max(L_F, L_z), the descent-lemma step for the objectives and the
 *       value-function constraint q̃ together (L_F bounds every ∇F_i in z). The theorem fixes only μ's rate in K,
 *       not its constant; this is the largest constant that keeps a step along either kind of gradient stable.</li>
 * </ul>
 */
public final class StepSizes {
    /** Minibatches over which the stochastic WC-Penalty's L_P is taken. */
    static final int PENALTY_DRAWS = 4;

    private final ProblemConstants constants;

    private StepSizes(ProblemConstants constants) {
        this.constants = constants;
    }

    /** Step sizes for {@code problem}, from its constants (estimated at most once, when first needed). */
    public static StepSizes of(BilevelProblem problem) {
        return new StepSizes(ProblemConstants.of(problem));
    }

    /** Step sizes from constants already at hand (several algorithms on one problem share them). */
    public static StepSizes of(ProblemConstants constants) {
        return new StepSizes(constants);
    }

    public ProblemConstants constants() { return constants; }

    /**
     * A configuration with the steps it uses.
     *
     * @param config the algorithm's configuration
     * @param steps  each of its step sizes, given or derived
     */
    public record Derived<C>(C config, List<StepSize> steps) {
        public Derived {
            steps = List.copyOf(steps);
        }

        /** "α = 0.1 (1/L, L = 10 (stated)), β = …". */
        public String describe() {
            return String.join(", ", steps.stream().map(StepSize::describe).toList());
        }
    }

    /** α: given, or 1/L. */
    public StepSize lowerStep(OptionalDouble given) {
        if (given.isPresent()) return StepSize.given("lower-step-size", "α", given.getAsDouble(), true);
        Constant l = constants.lowerLipschitz();
        return StepSize.derived("lower-step-size", "α", 1 / l.value(), "1/L, " + l.describe(), true);
    }

    /** β: given, or Theorem 5.5's min{1/(2(1+L_φ)), 1/(3L_φ)}. */
    public StepSize upperStep(OptionalDouble given) {
        if (given.isPresent()) return StepSize.given("upper-step-size", "β", given.getAsDouble(), false);
        Constant l = constants.upperLipschitz();
        return StepSize.derived("upper-step-size", "β", theoremUpperStep(l.value()),
                "Theorem 5.5: min{1/(2(1+L_φ)), 1/(3L_φ)}, " + l.describe(), false);
    }

    /**
     * Refuses an algorithm that solves ∇²_yy g·v = ∇_y f by conjugate gradients (WC-MHGD's Option 1, linear
     * scalarisation, MGDA) on a lower level whose Hessian is singular ({@link ProblemConstants#lowerLevelSingular}):
     * the system has no solution there, and CG's iterates grow without bound.
     */
    public void requireSolvableLowerLevel(String algorithm) {
        if (constants.lowerLevelSingular()) {
            throw new InvalidInputException("algorithm", algorithm + " with --hypergradient cg",
                    "a lower level that is strongly convex in y (Assumption 5.1): here ∇²_yy g is singular (its "
                            + "smallest eigenvalue is estimated 0, " + constants.lowerLipschitz().describe() + "), so "
                            + "∇²_yy g·v = ∇_y f has no solution; use --hypergradient ns (the unrolled hypergradient), "
                            + "or wc-penalty, forum or moml, which need no inverse");
        }
    }

    /** Theorem 5.5's β = min{1/(2(1+L_φ)·r_max), 1/(3L_φ)} with r_max = 1. */
    public static double theoremUpperStep(double upperLipschitz) {
        return Math.min(1.0 / (2 * (1 + upperLipschitz)), 1.0 / (3 * upperLipschitz));
    }

    /** Deterministic WC-MHGD (Alg. 1). */
    public Derived<WcMhgdConfig> wcMhgd(HypergradientMethod method, int lowerIterations, double chebyshevWeight,
                                        int iterations, double tolerance, OptionalDouble lowerStep,
                                        OptionalDouble upperStep) {
        if (method instanceof io.mobl.core.hypergradient.ConjugateGradient) requireSolvableLowerLevel("wc-mhgd");
        StepSize alpha = lowerStep(lowerStep);
        StepSize beta = upperStep(upperStep);
        return new Derived<>(new WcMhgdConfig(lowerIterations, alpha.value(), beta.value(), chebyshevWeight, method,
                iterations, tolerance), List.of(alpha, beta));
    }

    /**
     * Stochastic WC-MHGD (Alg. 2/3) with Theorem 5.7's steps; batch sizes as {@link StochasticWcMhgdConfig#defaults}.
     * The constants must be those of every sample (a stochastic problem states them; otherwise they are estimated
     * on a view of its batches, {@code io.mobl.core.stochastic.SampledView}).
     */
    public Derived<StochasticWcMhgdConfig> stochasticWcMhgd(int lowerIterations, int neumannSteps, int batchSize,
                                                            double chebyshevWeight, int iterations, double tolerance,
                                                            OptionalDouble lowerStep, OptionalDouble upperStep) {
        Checks.atLeast("batch-size", batchSize, 1);
        Checks.atLeast("neumann-steps", neumannSteps, 1);
        Constant l = constants.lowerLipschitz();
        Constant mu = constants.lowerStrongConvexity();
        if (!(mu.value() > 0)) {
            throw new InvalidInputException("problem", "μ_g = 0 (" + mu.describe() + ")",
                    "a lower level that is strongly convex in y for every sample (Assumption 5.1), which stochastic "
                            + "WC-MHGD's Neumann series needs; add an ℓ2 term to the lower level, or use wc-penalty");
        }
        StepSize alpha = lowerStep.isPresent() ? StepSize.given("lower-step-size", "α", lowerStep.getAsDouble(), true)
                : StepSize.derived("lower-step-size", "α", 2 / (l.value() + mu.value()),
                        "Theorem 5.7: 2/(L + μ_g), " + l.describe() + ", " + mu.describe(), true);
        StepSize beta = upperStep(upperStep);
        StepSize eta = StepSize.derived("neumann-step-size", "η", 1 / l.value(), "Theorem 5.7: 1/L", true);
        int scale = Math.max(1, (batchSize + neumannSteps - 1) / neumannSteps);
        return new Derived<>(new StochasticWcMhgdConfig(lowerIterations, alpha.value(), beta.value(), chebyshevWeight,
                batchSize, batchSize, batchSize, neumannSteps, eta.value(), scale, mu.value(), iterations, tolerance,
                StochasticWcMhgdConfig.DEFAULT_BATCH_TIMEOUT), List.of(alpha, beta, eta));
    }

    /** MOML, linear scalarisation or MGDA ({@link HypergradientDescentConfig}) with WC-MHGD's α and β. */
    public Derived<HypergradientDescentConfig> hypergradientDescent(HypergradientDescentConfig.Weighting weighting,
                                                                    HypergradientMethod method, int lowerIterations,
                                                                    OptionalDouble lowerStep, OptionalDouble upperStep) {
        if (method instanceof io.mobl.core.hypergradient.ConjugateGradient) {
            requireSolvableLowerLevel(new HypergradientDescentConfig(weighting, method, lowerIterations, 1, 1).name());
        }
        StepSize alpha = lowerStep(lowerStep);
        StepSize beta = upperStep(upperStep);
        return new Derived<>(new HypergradientDescentConfig(weighting, method, lowerIterations, alpha.value(),
                beta.value()), List.of(alpha, beta));
    }

    /** MoCo with WC-MHGD's α and β and {@link MocoConfig#defaults}' tracking and weight steps. */
    public Derived<MocoConfig> moco(int lowerIterations, OptionalDouble lowerStep, OptionalDouble upperStep) {
        StepSize alpha = lowerStep(lowerStep);
        StepSize beta = upperStep(upperStep);
        return new Derived<>(MocoConfig.defaults(lowerIterations, alpha.value(), beta.value()), List.of(alpha, beta));
    }

    /**
     * FORUM: η = --lower-step-size or 1/L_z, μ = --upper-step-size or 1/max(L_F, L_z).
     *
     * @param lowerIterations T
     * @param rho             ρ of the dynamic barrier
     */
    public Derived<ForumConfig> forum(int lowerIterations, double rho, OptionalDouble lowerStep, OptionalDouble upperStep) {
        StepSize eta;
        StepSize mu;
        if (lowerStep.isPresent()) {
            eta = StepSize.given("lower-step-size", "η", lowerStep.getAsDouble(), true);
        } else {
            Constant lz = constants.jointLowerLipschitz();
            eta = StepSize.derived("lower-step-size", "η", 1 / lz.value(), "FORUM Theorem 1: 1/L_f, " + lz.describe(), true);
        }
        if (upperStep.isPresent()) {
            mu = StepSize.given("upper-step-size", "μ", upperStep.getAsDouble(), false);
        } else {
            Constant lf = constants.jointUpperLipschitz();
            Constant lz = constants.jointLowerLipschitz();
            mu = StepSize.derived("upper-step-size", "μ", 1 / Math.max(lf.value(), lz.value()),
                    "1/max(L_F, L_z), " + lf.describe() + ", " + lz.describe(), false);
        }
        return new Derived<>(ForumConfig.of(lowerIterations, eta.value(), mu.value(), rho), List.of(eta, mu));
    }

    /**
     * WC-Penalty for a horizon of T iterations: u = v = c₀T^(1/4), η = η₀T^(−1/4) when η₀ is given, else 1/L_P at
     * θ_0.
     *
     * @param iterations   T ≥ 1
     * @param stepScale    η₀, or empty to derive η
     * @param penaltyScale c₀ &gt; 0
     * @param upperStart   x_0, where θ_0 starts
     */
    public Derived<WcPenaltyConfig> wcPenalty(int iterations, OptionalDouble stepScale, double penaltyScale,
                                              INDArray upperStart) {
        return penalty(iterations, stepScale, penaltyScale, upperStart, null, 0, 0);
    }

    /**
     * The stochastic WC-Penalty's: as {@link #wcPenalty}, with L_P the largest over {@value #PENALTY_DRAWS}
     * minibatches of {@code batchSize} rows drawn from {@code seed} (its steps see one minibatch's curvature).
     */
    public Derived<WcPenaltyConfig> stochasticWcPenalty(int iterations, OptionalDouble stepScale, double penaltyScale,
                                                        INDArray upperStart, SampledLowerLevel sampled, int batchSize,
                                                        long seed) {
        return penalty(iterations, stepScale, penaltyScale, upperStart, sampled, batchSize, seed);
    }

    private Derived<WcPenaltyConfig> penalty(int iterations, OptionalDouble stepScale, double penaltyScale,
                                             INDArray upperStart, SampledLowerLevel sampled, int batchSize, long seed) {
        Checks.atLeast("iterations", iterations, 1);
        Checks.positive("penalty-scale", penaltyScale);
        double root = Math.pow(iterations, 0.25);
        double penalty = penaltyScale * root;
        if (stepScale.isPresent()) {
            WcPenaltyConfig config = WcPenaltyConfig.forHorizon(iterations, stepScale.getAsDouble(), penaltyScale);
            return new Derived<>(config, List.of(new StepSize("penalty-step", "η", config.stepSize(),
                    stepScale.getAsDouble(), "given as η₀, η = η₀·T^(−1/4)", false)));
        }
        BilevelProblem problem = constants.problem();
        WcPenalty shape = new WcPenalty(problem, new WcPenaltyConfig(1, penalty, penalty));
        double[] ones = new double[problem.objectiveCount()];
        Arrays.fill(ones, 1.0);
        INDArray theta = shape.initialPoint(ones, upperStart);
        List<BilevelProblem> views = new ArrayList<>();
        if (sampled == null) {
            views.add(problem);
        } else {
            SplittableRandom random = new SplittableRandom(seed ^ 0x5EEDL);
            for (int i = 0; i < PENALTY_DRAWS; i++) views.add(sampled.lowerSample(random, batchSize));
        }
        double largest = 0;
        for (int i = 0; i < views.size(); i++) {
            BilevelProblem view = views.get(i);
            UnaryOperator<INDArray> gradient = at -> shape.penaltyGradient(at, ones, view);
            largest = Math.max(largest, PowerIteration.largest(
                    PowerIteration.centralDifference(gradient, theta, PowerIteration.differenceStep(theta)),
                    (int) theta.length(), 0x5EEDL + i).value());
        }
        if (!(largest > 0) || !Double.isFinite(largest)) {
            throw new InvalidInputException("penalty-step", "auto (L_P = " + largest + ")",
                    "a problem whose penalty P has finite, non-zero curvature at θ_0; give --penalty-step");
        }
        double eta = 1 / largest;
        String rule = String.format(Locale.ROOT, "1/L_P at θ_0, L_P = %.4g (estimated%s), u = v = c₀T^(1/4) = %.4g",
                largest, sampled == null ? "" : ", largest of " + PENALTY_DRAWS + " minibatches of " + batchSize, penalty);
        return new Derived<>(new WcPenaltyConfig(eta, penalty, penalty),
                List.of(new StepSize("penalty-step", "η", eta, eta * root, rule, false)));
    }
}
