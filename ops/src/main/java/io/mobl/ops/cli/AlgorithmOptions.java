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
import io.mobl.core.algorithm.penalty.StochasticWcPenalty;
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
import io.mobl.ops.config.MoblConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Alg. 1's inputs, by the papers' names, and the other algorithms' parameters. The options declare names and help;
 * their values are read from the typed configuration ({@link MoblConfig#algorithm()}, {@link MoblConfig#baselines()}),
 * where the command line's values have passed their keys' checks. The fields hold the same values, for the code
 * that still reads them.
 */
public final class AlgorithmOptions {
    /** Every name {@code --algorithm} accepts. */
    public static final List<String> KNOWN = java.util.Arrays.stream(MoblConfig.AlgorithmName.values())
            .map(MoblConfig.AlgorithmName::configName).toList();

    @Spec(Spec.Target.MIXEE) CommandSpec command;

    @Option(names = "--algorithm",
            description = "Algorithm: wc-mhgd, wc-penalty, wc-penalty-stochastic, forum, moml, moco, linear-scalarisation or mgda (without preference). Default: ${DEFAULT-VALUE}.")
    String algorithm;

    @Option(names = "--hypergradient",
            description = "cg (Option 1, conjugate gradient) or ns (Option 2, Neumann series, Eq. (4)). Default: ${DEFAULT-VALUE}.")
    String hypergradient;

    @Option(names = "--iterations", description = "K, the most outer iterations. Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Option(names = "--tolerance", description = "ε: stop once the Pareto-stationarity gap is ≤ ε. Default: ${DEFAULT-VALUE}.")
    double tolerance;

    @Option(names = "--lower-iterations", description = "D, lower-level steps per iteration. Default: ${DEFAULT-VALUE}.")
    int lowerIterations;

    @Option(names = "--cg-steps", description = "N, CG steps per hypergradient. Default: ${DEFAULT-VALUE}.")
    int cgSteps;

    @Option(names = "--chebyshev-weight", description = "u in Eq. (5). Default: ${DEFAULT-VALUE}.")
    double chebyshevWeight;

    @Option(names = "--lower-step-size", description = "α (default 1/L from the problem).")
    Double lowerStepSize;

    @Option(names = "--upper-step-size", description = "β (default from Theorem 5.5).")
    Double upperStepSize;

    @Option(names = "--rho", description = "FORUM: ρ of the dynamic barrier φ_k = ρ/2‖∇q̃‖². Default: ${DEFAULT-VALUE}.")
    double rho;

    @Option(names = "--penalty-step", description = "WC-Penalty: η₀ of the step η = η₀·K^(−1/4). Default: ${DEFAULT-VALUE}.")
    double penaltyStep;

    @Option(names = "--penalty-scale", description = "WC-Penalty: c₀ of the penalties u = v = c₀·K^(1/4). Default: ${DEFAULT-VALUE}.")
    double penaltyScale;

    @Option(names = "--penalty-batch", description = "wc-penalty-stochastic: lower-level rows per minibatch. Default: ${DEFAULT-VALUE}.")
    int penaltyBatch;

    @Option(names = "--penalty-seed", description = "wc-penalty-stochastic: seed of the minibatch draws. Default: ${DEFAULT-VALUE}.")
    long penaltySeed;

    private MoblConfig config() {
        return Main.config(command.commandLine());
    }

    public HypergradientMethod method() {
        MoblConfig.Algorithm a = config().algorithm();
        return switch (a.hypergradient()) {
            case CG -> new ConjugateGradient(a.cgSteps());
            case NS -> new NeumannSeries();
        };
    }

    public WcMhgdConfig build(BilevelProblem problem) {
        if (!name().equals("wc-mhgd")) {
            throw new InvalidInputException("--algorithm", name(), "wc-mhgd on this path");
        }
        return wcMhgdConfig(problem);
    }

    /** WC-MHGD's configuration from these options, whatever --algorithm says. */
    private WcMhgdConfig wcMhgdConfig(BilevelProblem problem) {
        MoblConfig.Algorithm a = config().algorithm();
        HypergradientMethod method = method();
        boolean auto = a.lowerStepSize().isEmpty() || a.upperStepSize().isEmpty();
        WcMhgdConfig defaults = auto
                ? WcMhgdConfig.defaults(problem, method, a.lowerIterations(), a.chebyshevWeight(), a.iterations(), a.tolerance())
                : null;
        return new WcMhgdConfig(a.lowerIterations(),
                a.lowerStepSize().isPresent() ? a.lowerStepSize().getAsDouble() : defaults.lowerStepSize(),
                a.upperStepSize().isPresent() ? a.upperStepSize().getAsDouble() : defaults.upperStepSize(),
                a.chebyshevWeight(), method, a.iterations(), a.tolerance());
    }

    /** The chosen algorithm's name, one of {@link #KNOWN}. */
    public String name() {
        return config().algorithm().name().configName();
    }

    /** Any of {@link #KNOWN} as a pure step on {@code problem}, with these options; checks the oracles first. */
    public IterativeAlgorithm<?> iterative(BilevelProblem problem) {
        return iterative(name(), problem, config().algorithm().iterations());
    }

    /**
     * The named algorithm (one of {@link #KNOWN}) with these options, for a horizon of {@code iterations} outer
     * iterations (WC-Penalty's schedule is set for it).
     */
    public IterativeAlgorithm<?> iterative(String name, BilevelProblem problem, int iterations) {
        if (!KNOWN.contains(name)) {
            throw new InvalidInputException("--algorithm", name, "one of " + String.join(", ", KNOWN));
        }
        MoblConfig.Algorithm a = config().algorithm();
        MoblConfig.Baselines b = config().baselines();
        Set<Oracle> needed = name.equals("forum") ? EnumSet.of(Oracle.UPPER_GRADIENT, Oracle.LOWER_GRADIENT)
                : EnumSet.allOf(Oracle.class);
        RequiredOracles.check(problem, name, needed); // before any default that might fail for another reason
        int horizon = Math.max(iterations, 1);
        int d = a.lowerIterations();
        return switch (name) {
            case "wc-mhgd" -> new WcMhgdAlgorithm(problem, wcMhgdConfig(problem));
            case "wc-penalty" -> new WcPenalty(problem, WcPenaltyConfig.forHorizon(horizon, b.penaltyStep(), b.penaltyScale()));
            case "wc-penalty-stochastic" -> new StochasticWcPenalty(problem,
                    WcPenaltyConfig.forHorizon(horizon, b.penaltyStep(), b.penaltyScale()), b.penaltyBatch(), b.penaltySeed());
            case "forum" -> new Forum(problem, ForumConfig.of(d, lowerStep(problem), upperStep(problem), b.rho()));
            case "moml" -> new HypergradientDescent(problem,
                    HypergradientDescentConfig.moml(d, lowerStep(problem), upperStep(problem)));
            case "moco" -> new Moco(problem, MocoConfig.defaults(d, lowerStep(problem), upperStep(problem)));
            case "linear-scalarisation" -> new HypergradientDescent(problem,
                    HypergradientDescentConfig.linear(a.cgSteps(), d, lowerStep(problem), upperStep(problem)));
            case "mgda" -> new HypergradientDescent(problem,
                    HypergradientDescentConfig.mgda(a.cgSteps(), d, lowerStep(problem), upperStep(problem)));
            default -> throw new IllegalStateException(name);
        };
    }

    private Smoothness smoothness(String field, BilevelProblem problem) {
        return problem.smoothness().orElseThrow(() -> new InvalidInputException(field, "auto",
                "an explicit value: this problem does not state its smoothness constants"));
    }

    /** α (or FORUM's η): --lower-step-size, else 1/L. */
    private double lowerStep(BilevelProblem problem) {
        var alpha = config().algorithm().lowerStepSize();
        return alpha.isPresent() ? alpha.getAsDouble() : 1.0 / smoothness("--lower-step-size", problem).lowerLipschitz();
    }

    /** β (or FORUM's μ): --upper-step-size, else Theorem 5.5's step of WC-MHGD, the same for every algorithm. */
    private double upperStep(BilevelProblem problem) {
        var beta = config().algorithm().upperStepSize();
        return beta.isPresent() ? beta.getAsDouble() : WcMhgdConfig.theoremUpperStep(smoothness("--upper-step-size", problem));
    }
}
