package io.mobl.core.experiment;

import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.WcMhgdAlgorithm;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.algorithm.baseline.HypergradientDescent;
import io.mobl.core.algorithm.baseline.HypergradientDescentConfig;
import io.mobl.core.algorithm.forum.Forum;
import io.mobl.core.algorithm.forum.ForumConfig;
import io.mobl.core.data.HyperCleaningSplit;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.hypergradient.HypergradientMethod;
import io.mobl.core.hypergradient.NeumannSeries;
import io.mobl.core.model.MultiHeadNetwork;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.util.List;

/**
 * Everything one hyper-cleaning run needs besides the seed.
 *
 * @param datasets        the tasks, by name (S = their number); "mnist", "fashion-mnist"
 * @param sizes           the split (FORUM: 5,000 / 1,000 / 1,000 / 5,000, half the training labels corrupted; the
 *                        test set is cut to what a data set leaves, 3,000 for MNIST's 10,000 images)
 * @param hidden          the shared trunk's widths; {} is multinomial logistic regression per task, {512, 256} the
 *                        FORUM paper's MLP
 * @param regularisation  μ, the ℓ2 term of the lower level
 * @param lowerIterations D
 * @param lowerStepSize   α
 * @param upperStepSize   β (large: a sample weight's hypergradient carries the factor 1/N_i)
 * @param chebyshevWeight u
 * @param cgSteps         N for the CG option
 * @param iterations      K
 * @param selectEvery     the second validation set scores the model every this many iterations (and at the end);
 *                        the test scores reported are those of the best-scoring model, as in the paper
 */
public record HyperCleaningSettings(List<String> datasets, HyperCleaningSplit.Sizes sizes, int[] hidden,
                                    double regularisation, int lowerIterations, double lowerStepSize,
                                    double upperStepSize, double chebyshevWeight, int cgSteps, int iterations,
                                    int selectEvery) {
    public HyperCleaningSettings {
        if (datasets.isEmpty()) throw new InvalidInputException("datasets", datasets, "at least one data set");
        datasets = List.copyOf(datasets);
        hidden = hidden.clone();
        Checks.nonNegative("regularisation", regularisation);
        Checks.atLeast("lower-iterations", lowerIterations, 1);
        Checks.positive("lower-step-size", lowerStepSize);
        Checks.positive("upper-step-size", upperStepSize);
        Checks.nonNegative("chebyshev-weight", chebyshevWeight);
        Checks.atLeast("cg-steps", cgSteps, 0);
        Checks.atLeast("iterations", iterations, 0);
        Checks.atLeast("select-every", selectEvery, 1);
    }

    /**
     * Multinomial logistic regression on MNIST and Fashion-MNIST with the FORUM split: what fits this machine's
     * two shared cores (an outer iteration takes seconds). β = 2·10⁴ because a weight's hypergradient carries the
     * factor 1/N_i = 1/5,000: β/N_i = 4 per unit of σ'(x_ij)·⟨∇ℓ_ij, v⟩, the scale at which the 500-sample test
     * separates clean from corrupted samples within a dozen iterations (β = 1,000 at N_i = 250).
     */
    public static HyperCleaningSettings logisticDefaults() {
        return new HyperCleaningSettings(List.of("mnist", "fashion-mnist"), HyperCleaningSplit.Sizes.forum(), new int[0],
                1e-3, 10, 0.2, 2e4, 0.1, 5, 100, 5);
    }

    public HyperCleaningSettings withIterations(int k) {
        return new HyperCleaningSettings(datasets, sizes, hidden, regularisation, lowerIterations, lowerStepSize,
                upperStepSize, chebyshevWeight, cgSteps, k, selectEvery);
    }

    public HyperCleaningSettings withHidden(int[] widths) {
        return new HyperCleaningSettings(datasets, sizes, widths, regularisation, lowerIterations, lowerStepSize,
                upperStepSize, chebyshevWeight, cgSteps, iterations, selectEvery);
    }

    public HyperCleaningSettings withSizes(HyperCleaningSplit.Sizes newSizes) {
        return new HyperCleaningSettings(datasets, newSizes, hidden, regularisation, lowerIterations, lowerStepSize,
                upperStepSize, chebyshevWeight, cgSteps, iterations, selectEvery);
    }

    public HyperCleaningSettings withSteps(int d, double alpha, double beta) {
        return new HyperCleaningSettings(datasets, sizes, hidden, regularisation, d, alpha, beta, chebyshevWeight,
                cgSteps, iterations, selectEvery);
    }

    public MultiHeadNetwork network(int inputs, int classes) {
        return new MultiHeadNetwork(inputs, hidden, classes, datasets.size());
    }

    /** "logistic" or "mlp-512-256". */
    public String modelName() {
        if (hidden.length == 0) return "logistic";
        StringBuilder s = new StringBuilder("mlp");
        for (int h : hidden) s.append('-').append(h);
        return s.toString();
    }

    /** The methods {@link #algorithm} knows: WC-MHGD's two options, the MOML baseline and FORUM. */
    public static final List<String> METHODS = List.of("cg", "ns", "moml", "forum");

    /**
     * FORUM's step μ_y for the model parameters y; x keeps β, whose scale the 1/N_i in ∇_x g sets (see
     * {@link io.mobl.core.algorithm.forum.ForumConfig#lowerVariableStepSize}). The paper's SGD learning rate on ω is
     * 0.3 (§5.1) over 1,200 iterations; within 100 full-batch ones, on the logistic model at seed 0, 1 fits y faster
     * (selection accuracy 0.819 at k = 60 against 0.786 with 0.3) while 3 and 10 let the validation losses jump
     * (to 4–18 early on) as ν·μ_y·∇_y g overshoots.
     */
    public static final double FORUM_LOWER_VARIABLE_STEP = 1.0;

    /** FORUM's ρ of the dynamic barrier φ_k = ρ/2‖∇q̃‖², the paper's §5.1 choice. */
    public static final double FORUM_RHO = 0.5;

    /**
     * The algorithm of a method on {@code problem}, with these settings' D, α, β (and u, N for WC-MHGD): "cg" and
     * "ns" are WC-MHGD's options 1 and 2, "moml" is MGDA weights on hypergradients unrolled through the D steps,
     * "forum" is FORUM ({@link #forumConfig}), first-order: it needs ∇_x g and no second derivatives.
     */
    public IterativeAlgorithm<?> algorithm(String method, BilevelProblem problem) {
        return switch (method) {
            case "cg", "ns" -> new WcMhgdAlgorithm(problem, config(method));
            case "moml" -> new HypergradientDescent(problem,
                    HypergradientDescentConfig.moml(lowerIterations, lowerStepSize, upperStepSize));
            case "forum" -> new Forum(problem, forumConfig());
            default -> throw new InvalidInputException("method", method, "one of " + METHODS);
        };
    }

    /** The method's name in tables: "wc-mhgd-cg", "wc-mhgd-ns", "moml", "forum". */
    public static String label(String method) {
        if (method.equals("swc")) return "stochastic-wc-mhgd"; // SampleWeightHyperCleaningRun, driven by the CLI
        if (MinibatchHyperCleaningRun.METHODS.contains(method)) return method;
        return method.equals("moml") || method.equals("forum") ? method : "wc-mhgd-" + method;
    }

    /**
     * FORUM with these settings: T = D lower steps of size η = α from the current y_k, x moved with μ_x = β, y with
     * {@link #FORUM_LOWER_VARIABLE_STEP}, ρ = {@link #FORUM_RHO}, β_k = (k+1)^(−3/4).
     */
    public ForumConfig forumConfig() {
        return ForumConfig.of(lowerIterations, lowerStepSize, upperStepSize, FORUM_LOWER_VARIABLE_STEP, FORUM_RHO);
    }

    /** WC-MHGD's configuration for option "cg" or "ns"; the run is driven for K iterations (no tolerance stop). */
    public WcMhgdConfig config(String option) {
        HypergradientMethod method = switch (option) {
            case "cg" -> new ConjugateGradient(cgSteps);
            case "ns" -> new NeumannSeries();
            default -> throw new InvalidInputException("method", option, "cg or ns (WC-MHGD's two options)");
        };
        return new WcMhgdConfig(lowerIterations, lowerStepSize, upperStepSize, chebyshevWeight, method, iterations, 0);
    }
}
