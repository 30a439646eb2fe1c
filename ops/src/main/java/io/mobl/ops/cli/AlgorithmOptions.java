package io.mobl.ops.cli;

import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.WcMhgdAlgorithm;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.algorithm.baseline.HypergradientDescent;
import io.mobl.core.algorithm.baseline.HypergradientDescentConfig;
import io.mobl.core.algorithm.baseline.Moco;
import io.mobl.core.algorithm.baseline.MocoConfig;
import io.mobl.core.algorithm.forum.Forum;
import io.mobl.core.algorithm.forum.ForumConfig;
import io.mobl.core.algorithm.penalty.WcPenalty;
import io.mobl.core.algorithm.penalty.WcPenaltyConfig;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.hypergradient.HypergradientMethod;
import io.mobl.core.hypergradient.NeumannSeries;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.Oracle;
import io.mobl.core.problem.RequiredOracles;
import io.mobl.core.problem.Smoothness;
import io.mobl.protocol.InvalidInputException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** Alg. 1's inputs, by the papers' names. */
public final class AlgorithmOptions {
    /** Every name {@code --algorithm} accepts. */
    public static final List<String> KNOWN = List.of("wc-mhgd", "wc-penalty", "forum", "moml", "moco", "linear", "mgda");

    @Option(names = "--algorithm", defaultValue = "wc-mhgd",
            description = "Algorithm: wc-mhgd, wc-penalty, forum, moml, moco, linear (scalarisation) or mgda (without preference). Default: ${DEFAULT-VALUE}.")
    String algorithm;

    @Option(names = "--hypergradient", defaultValue = "cg",
            description = "cg (Option 1, conjugate gradient) or ns (Option 2, Neumann series, Eq. (4)). Default: ${DEFAULT-VALUE}.")
    String hypergradient;

    @Option(names = "--iterations", defaultValue = "500", description = "K, the most outer iterations. Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Option(names = "--tolerance", defaultValue = "1e-10",
            description = "ε: stop once the Pareto-stationarity gap is ≤ ε. Default: ${DEFAULT-VALUE}.")
    double tolerance;

    @Option(names = "--lower-iterations", defaultValue = "50", description = "D, lower-level steps per iteration. Default: ${DEFAULT-VALUE}.")
    int lowerIterations;

    @Option(names = "--cg-steps", defaultValue = "10", description = "N, CG steps per hypergradient. Default: ${DEFAULT-VALUE}.")
    int cgSteps;

    @Option(names = "--chebyshev-weight", defaultValue = "1.0", description = "u in Eq. (5). Default: ${DEFAULT-VALUE}.")
    double chebyshevWeight;

    @Option(names = "--lower-step-size", description = "α (default 1/L from the problem).")
    Double lowerStepSize;

    @Option(names = "--upper-step-size", description = "β (default from Theorem 5.5).")
    Double upperStepSize;

    @Option(names = "--rho", defaultValue = "0.1",
            description = "FORUM: ρ of the dynamic barrier φ_k = ρ/2‖∇q̃‖². Default: ${DEFAULT-VALUE}.")
    double rho;

    @Option(names = "--penalty-step", defaultValue = "0.1",
            description = "WC-Penalty: η₀ of the step η = η₀·K^(−1/4). Default: ${DEFAULT-VALUE}.")
    double penaltyStep;

    @Option(names = "--penalty-scale", defaultValue = "1.0",
            description = "WC-Penalty: c₀ of the penalties u = v = c₀·K^(1/4). Default: ${DEFAULT-VALUE}.")
    double penaltyScale;

    public HypergradientMethod method() {
        return switch (hypergradient) {
            case "cg" -> new ConjugateGradient(cgSteps);
            case "ns" -> new NeumannSeries();
            default -> throw new InvalidInputException("--hypergradient", hypergradient, "one of cg, ns");
        };
    }

    public WcMhgdConfig build(BilevelProblem problem) {
        if (!algorithm.equals("wc-mhgd")) {
            throw new InvalidInputException("--algorithm", algorithm, "one of " + String.join(", ", KNOWN));
        }
        return wcMhgdConfig(problem);
    }

    /** WC-MHGD's configuration from these options, whatever --algorithm says. */
    private WcMhgdConfig wcMhgdConfig(BilevelProblem problem) {
        HypergradientMethod method = method();
        boolean auto = lowerStepSize == null || upperStepSize == null;
        WcMhgdConfig defaults = auto
                ? WcMhgdConfig.defaults(problem, method, lowerIterations, chebyshevWeight, iterations, tolerance)
                : null;
        return new WcMhgdConfig(lowerIterations,
                lowerStepSize != null ? lowerStepSize : defaults.lowerStepSize(),
                upperStepSize != null ? upperStepSize : defaults.upperStepSize(),
                chebyshevWeight, method, iterations, tolerance);
    }

    /** The chosen algorithm's name, checked against {@link #KNOWN}. */
    public String name() {
        if (!KNOWN.contains(algorithm)) {
            throw new InvalidInputException("--algorithm", algorithm, "one of " + String.join(", ", KNOWN));
        }
        return algorithm;
    }

    /** Any of {@link #KNOWN} as a pure step on {@code problem}, with these options; checks the oracles first. */
    public IterativeAlgorithm<?> iterative(BilevelProblem problem) {
        return iterative(name(), problem);
    }

    /** The named algorithm (one of {@link #KNOWN}) with these options. */
    public IterativeAlgorithm<?> iterative(String name, BilevelProblem problem) {
        if (!KNOWN.contains(name)) {
            throw new InvalidInputException("--algorithm", name, "one of " + String.join(", ", KNOWN));
        }
        Set<Oracle> needed = name.equals("forum") ? EnumSet.of(Oracle.UPPER_GRADIENT, Oracle.LOWER_GRADIENT)
                : EnumSet.allOf(Oracle.class);
        RequiredOracles.check(problem, name, needed); // before any default that might fail for another reason
        return switch (name) {
            case "wc-mhgd" -> new WcMhgdAlgorithm(problem, wcMhgdConfig(problem));
            case "wc-penalty" -> new WcPenalty(problem, WcPenaltyConfig.forHorizon(Math.max(iterations, 1), penaltyStep, penaltyScale));
            case "forum" -> new Forum(problem, ForumConfig.of(lowerIterations, lowerStep(problem), upperStep(problem), rho));
            case "moml" -> new HypergradientDescent(problem,
                    HypergradientDescentConfig.moml(lowerIterations, lowerStep(problem), upperStep(problem)));
            case "moco" -> new Moco(problem, MocoConfig.defaults(lowerIterations, lowerStep(problem), upperStep(problem)));
            case "linear" -> new HypergradientDescent(problem,
                    HypergradientDescentConfig.linear(cgSteps, lowerIterations, lowerStep(problem), upperStep(problem)));
            case "mgda" -> new HypergradientDescent(problem,
                    HypergradientDescentConfig.mgda(cgSteps, lowerIterations, lowerStep(problem), upperStep(problem)));
            default -> throw new IllegalStateException(name);
        };
    }

    private Smoothness smoothness(String field, BilevelProblem problem) {
        return problem.smoothness().orElseThrow(() -> new InvalidInputException(field, "auto",
                "an explicit value: this problem does not state its smoothness constants"));
    }

    /** α (or FORUM's η): --lower-step-size, else 1/L. */
    private double lowerStep(BilevelProblem problem) {
        return lowerStepSize != null ? lowerStepSize : 1.0 / smoothness("--lower-step-size", problem).lowerLipschitz();
    }

    /** β (or FORUM's μ): --upper-step-size, else Theorem 5.5's step of WC-MHGD, the same for every algorithm. */
    private double upperStep(BilevelProblem problem) {
        return upperStepSize != null ? upperStepSize : WcMhgdConfig.theoremUpperStep(smoothness("--upper-step-size", problem));
    }
}
