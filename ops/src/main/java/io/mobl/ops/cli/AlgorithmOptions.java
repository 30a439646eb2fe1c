package io.mobl.ops.cli;

import io.mobl.core.algorithm.AlgorithmPlan;
import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.StepSizes;
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
import io.mobl.core.problem.SampledLowerLevel;
import io.mobl.protocol.InvalidInputException;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalDouble;
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

    /**
     * The algorithms whose hypergradient method is {@code --hypergradient}'s (with {@code --cg-steps} for cg); MOML
     * is the Neumann-series method by definition, the others take no hypergradient.
     */
    public static final List<String> TAKES_HYPERGRADIENT = List.of("wc-mhgd", "linear-scalarisation", "mgda");

    /**
     * The algorithms that solve for a preference r; FORUM, MOML, MoCo and MGDA find one Pareto-stationary point
     * whatever r is (they only carry it, to report under).
     */
    public static final List<String> TAKES_PREFERENCE = List.of("wc-mhgd", "wc-penalty", "wc-penalty-stochastic",
            "linear-scalarisation");

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

    @Option(names = "--penalty-step",
            description = "WC-Penalty: η₀ of the step η = η₀·K^(−1/4) (default: η = 1/L_P, the Lipschitz constant of ∇P estimated at θ_0).")
    Double penaltyStep;

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
        return wcMhgd(problem, StepSizes.of(problem)).config();
    }

    /** WC-MHGD's configuration with its steps (given, or derived from {@code steps}' constants). */
    public StepSizes.Derived<WcMhgdConfig> wcMhgd(BilevelProblem problem, StepSizes steps) {
        if (!name().equals("wc-mhgd")) {
            throw new InvalidInputException("--algorithm", name(), "wc-mhgd on this path");
        }
        RequiredOracles.check(problem, "wc-mhgd", EnumSet.allOf(Oracle.class));
        MoblConfig.Algorithm a = config().algorithm();
        return steps.wcMhgd(method(), a.lowerIterations(), a.chebyshevWeight(), a.iterations(), a.tolerance(),
                a.lowerStepSize(), a.upperStepSize());
    }

    /** The oracles the named algorithm calls: FORUM is first-order, the others need JV(g) and HV(g) too. */
    public static Set<Oracle> oraclesOf(String name) {
        return name.equals("forum") ? EnumSet.of(Oracle.UPPER_GRADIENT, Oracle.LOWER_GRADIENT)
                : EnumSet.allOf(Oracle.class);
    }

    /** The chosen algorithm's name, one of {@link #KNOWN}. */
    public String name() {
        return config().algorithm().name().configName();
    }

    /** K, as given or by default. */
    public int iterations() {
        return config().algorithm().iterations();
    }

    /** Any of {@link #KNOWN} as a pure step on {@code problem}, with these options; checks the oracles first. */
    public IterativeAlgorithm<?> iterative(BilevelProblem problem) {
        return iterative(name(), problem, iterations());
    }

    /**
     * The named algorithm (one of {@link #KNOWN}) with these options, for a horizon of {@code iterations} outer
     * iterations (WC-Penalty's schedule is set for it).
     */
    public IterativeAlgorithm<?> iterative(String name, BilevelProblem problem, int iterations) {
        return plan(name, problem, StepSizes.of(problem), iterations).on(problem);
    }

    /** {@link #plan(String, BilevelProblem, StepSizes, int)} for the horizon K of these options. */
    public AlgorithmPlan plan(String name, BilevelProblem problem, StepSizes steps) {
        return plan(name, problem, steps, iterations());
    }

    /**
     * The named algorithm (one of {@link #KNOWN}) planned for {@code problem}: the oracles checked, every step size
     * given or derived (from {@code steps}, which several plans on one problem may share), WC-Penalty's schedule set
     * for a horizon of {@code iterations}; build it on the problem or a counting wrapper of it with
     * {@link AlgorithmPlan#on}.
     */
    public AlgorithmPlan plan(String name, BilevelProblem problem, StepSizes steps, int iterations) {
        if (!KNOWN.contains(name)) {
            throw new InvalidInputException("--algorithm", name, "one of " + String.join(", ", KNOWN));
        }
        MoblConfig.Algorithm a = config().algorithm();
        MoblConfig.Baselines b = config().baselines();
        RequiredOracles.check(problem, name, oraclesOf(name)); // before any default that might fail for another reason
        OptionalDouble alpha = a.lowerStepSize();
        OptionalDouble beta = a.upperStepSize();
        int horizon = Math.max(iterations, 1);
        int d = a.lowerIterations();
        return switch (name) {
            case "wc-mhgd" -> {
                StepSizes.Derived<WcMhgdConfig> w = steps.wcMhgd(method(), d, a.chebyshevWeight(), a.iterations(),
                        a.tolerance(), alpha, beta);
                yield new AlgorithmPlan(name, w.steps(), p -> new WcMhgdAlgorithm(p, w.config()));
            }
            case "wc-penalty" -> {
                StepSizes.Derived<WcPenaltyConfig> w = steps.wcPenalty(horizon, b.penaltyStep(), b.penaltyScale(),
                        problem.initialUpper());
                yield new AlgorithmPlan(name, w.steps(), p -> new WcPenalty(p, w.config()));
            }
            case "wc-penalty-stochastic" -> {
                if (!(problem instanceof SampledLowerLevel sampled)) {
                    throw new InvalidInputException("problem", problem.getClass().getSimpleName(),
                            "a problem whose lower level is a finite sum that can be sampled (SampledLowerLevel)");
                }
                StepSizes.Derived<WcPenaltyConfig> w = steps.stochasticWcPenalty(horizon, b.penaltyStep(),
                        b.penaltyScale(), problem.initialUpper(), sampled, b.penaltyBatch(), b.penaltySeed());
                yield new AlgorithmPlan(name, w.steps(),
                        p -> new StochasticWcPenalty(p, w.config(), b.penaltyBatch(), b.penaltySeed()));
            }
            case "forum" -> {
                StepSizes.Derived<ForumConfig> w = steps.forum(d, b.rho(), alpha, beta);
                yield new AlgorithmPlan(name, w.steps(), p -> new Forum(p, w.config()));
            }
            case "moml" -> hypergradientDescent(name, steps, HypergradientDescentConfig.Weighting.MIN_NORM,
                    new NeumannSeries(), d, alpha, beta);
            case "linear-scalarisation" -> hypergradientDescent(name, steps,
                    HypergradientDescentConfig.Weighting.LINEAR_SCALARISATION, method(), d, alpha, beta);
            case "mgda" -> hypergradientDescent(name, steps, HypergradientDescentConfig.Weighting.MIN_NORM,
                    method(), d, alpha, beta);
            case "moco" -> {
                StepSizes.Derived<MocoConfig> w = steps.moco(d, alpha, beta);
                yield new AlgorithmPlan(name, w.steps(), p -> new Moco(p, w.config()));
            }
            default -> throw new IllegalStateException(name);
        };
    }

    private static AlgorithmPlan hypergradientDescent(String name, StepSizes steps,
                                                      HypergradientDescentConfig.Weighting weighting,
                                                      HypergradientMethod method, int lowerIterations,
                                                      OptionalDouble alpha, OptionalDouble beta) {
        StepSizes.Derived<HypergradientDescentConfig> w = steps.hypergradientDescent(weighting, method, lowerIterations,
                alpha, beta);
        return new AlgorithmPlan(name, w.steps(), p -> new HypergradientDescent(p, w.config()));
    }

    /** A command that holds nothing but these options, to read them as the CLI does. */
    @picocli.CommandLine.Command(name = "algorithm")
    private static final class Holder {
        @picocli.CommandLine.Mixin AlgorithmOptions options = new AlgorithmOptions();
    }

    /**
     * These options read from {@code args} ("--algorithm", "forum", "--rho", "0.5", …) exactly as {@code mobl run}
     * reads them: what is not given takes its default from mobl's configuration (reference.conf), and every value
     * passes its key's check. For callers without a command line (the Java API, {@code io.mobl.api}).
     *
     * @throws InvalidInputException naming the option and the value when one is wrong
     */
    public static AlgorithmOptions parse(List<String> args) {
        Holder holder = new Holder();
        ConfigDefaults defaults = ConfigDefaults.load(java.util.Optional.empty(), java.util.Map.of());
        picocli.CommandLine cli = new picocli.CommandLine(holder);
        cli.setDefaultValueProvider(defaults);
        try {
            defaults.resolve(cli.parseArgs(args.toArray(new String[0])));
        } catch (picocli.CommandLine.ParameterException e) {
            throw new InvalidInputException("algorithm options", String.join(" ", args), e.getMessage());
        }
        return holder.options;
    }
}
