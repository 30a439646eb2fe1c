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
import picocli.CommandLine.Option;

/** Alg. 1's inputs, by the papers' names. */
public final class AlgorithmOptions {
    /** Every name {@code --algorithm} accepts. */
    public static final List<String> KNOWN = List.of("wc-mhgd", "wc-penalty", "wc-penalty-stochastic", "forum", "moml", "moco",
            "linear-scalarisation", "mgda");

    @Option(names = "--algorithm", defaultValue = "wc-mhgd",
            description = "Algorithm: wc-mhgd, wc-penalty, wc-penalty-stochastic, forum, moml, moco, linear-scalarisation or mgda (without preference). Default: ${DEFAULT-VALUE}.")
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

    @Option(names = "--penalty-step",
            description = "WC-Penalty: η₀ of the step η = η₀·K^(−1/4) (default: η = 1/L_P, the Lipschitz constant of ∇P estimated at θ_0).")
    Double penaltyStep;

    @Option(names = "--penalty-scale", defaultValue = "1.0",
            description = "WC-Penalty: c₀ of the penalties u = v = c₀·K^(1/4). Default: ${DEFAULT-VALUE}.")
    double penaltyScale;

    @Option(names = "--penalty-batch", defaultValue = "2",
            description = "wc-penalty-stochastic: lower-level rows per minibatch. Default: ${DEFAULT-VALUE}.")
    int penaltyBatch;

    @Option(names = "--penalty-seed", defaultValue = "1",
            description = "wc-penalty-stochastic: seed of the minibatch draws. Default: ${DEFAULT-VALUE}.")
    long penaltySeed;

    /** A command that holds nothing but these options, to read them as the CLI does. */
    @picocli.CommandLine.Command(name = "algorithm")
    private static final class Holder {
        @picocli.CommandLine.Mixin AlgorithmOptions options = new AlgorithmOptions();
    }

    /**
     * These options read from {@code args} ("--algorithm", "forum", "--rho", "0.5", …) exactly as {@code mobl run}
     * reads them: what is not given takes its default from mobl's configuration (reference.conf), the one source of
     * defaults. For callers without a command line (the Java API, {@code io.mobl.api}).
     *
     * @throws InvalidInputException naming the option and the value when one does not parse
     */
    public static AlgorithmOptions parse(List<String> args) {
        Holder holder = new Holder();
        picocli.CommandLine cli = new picocli.CommandLine(holder);
        cli.setDefaultValueProvider(ConfigDefaults.load(java.util.Optional.empty(), java.util.Map.of()));
        try {
            cli.parseArgs(args.toArray(new String[0]));
        } catch (picocli.CommandLine.ParameterException e) {
            throw new InvalidInputException("algorithm options", String.join(" ", args), e.getMessage());
        }
        return holder.options;
    }

    /** K, as given or by default. */
    public int iterations() {
        return iterations;
    }

    public HypergradientMethod method() {
        return switch (hypergradient) {
            case "cg" -> new ConjugateGradient(cgSteps);
            case "ns" -> new NeumannSeries();
            default -> throw new InvalidInputException("--hypergradient", hypergradient, "one of cg, ns");
        };
    }

    public WcMhgdConfig build(BilevelProblem problem) {
        return wcMhgd(problem, StepSizes.of(problem)).config();
    }

    /** WC-MHGD's configuration with its steps (given, or derived from {@code steps}' constants). */
    public StepSizes.Derived<WcMhgdConfig> wcMhgd(BilevelProblem problem, StepSizes steps) {
        if (!algorithm.equals("wc-mhgd")) {
            throw new InvalidInputException("--algorithm", algorithm, "one of " + String.join(", ", KNOWN));
        }
        RequiredOracles.check(problem, "wc-mhgd", EnumSet.allOf(Oracle.class));
        return steps.wcMhgd(method(), lowerIterations, chebyshevWeight, iterations, tolerance, optional(lowerStepSize),
                optional(upperStepSize));
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
        return plan(name, problem, StepSizes.of(problem)).on(problem);
    }

    /**
     * The named algorithm (one of {@link #KNOWN}) planned for {@code problem}: the oracles checked, every step size
     * given or derived (from {@code steps}, which several plans on one problem may share); build it on the problem
     * or a counting wrapper of it with {@link AlgorithmPlan#on}.
     */
    public AlgorithmPlan plan(String name, BilevelProblem problem, StepSizes steps) {
        if (!KNOWN.contains(name)) {
            throw new InvalidInputException("--algorithm", name, "one of " + String.join(", ", KNOWN));
        }
        Set<Oracle> needed = name.equals("forum") ? EnumSet.of(Oracle.UPPER_GRADIENT, Oracle.LOWER_GRADIENT)
                : EnumSet.allOf(Oracle.class);
        RequiredOracles.check(problem, name, needed); // before any default that might fail for another reason
        OptionalDouble alpha = optional(lowerStepSize);
        OptionalDouble beta = optional(upperStepSize);
        int horizon = Math.max(iterations, 1); // WC-Penalty's schedule is set for the horizon K
        return switch (name) {
            case "wc-mhgd" -> {
                StepSizes.Derived<WcMhgdConfig> d = steps.wcMhgd(method(), lowerIterations, chebyshevWeight, iterations,
                        tolerance, alpha, beta);
                yield new AlgorithmPlan(name, d.steps(), p -> new WcMhgdAlgorithm(p, d.config()));
            }
            case "wc-penalty" -> {
                StepSizes.Derived<WcPenaltyConfig> d = steps.wcPenalty(horizon, optional(penaltyStep), penaltyScale,
                        problem.initialUpper());
                yield new AlgorithmPlan(name, d.steps(), p -> new WcPenalty(p, d.config()));
            }
            case "wc-penalty-stochastic" -> {
                if (!(problem instanceof SampledLowerLevel sampled)) {
                    throw new InvalidInputException("problem", problem.getClass().getSimpleName(),
                            "a problem whose lower level is a finite sum that can be sampled (SampledLowerLevel)");
                }
                StepSizes.Derived<WcPenaltyConfig> d = steps.stochasticWcPenalty(horizon, optional(penaltyStep),
                        penaltyScale, problem.initialUpper(), sampled, penaltyBatch, penaltySeed);
                yield new AlgorithmPlan(name, d.steps(), p -> new StochasticWcPenalty(p, d.config(), penaltyBatch, penaltySeed));
            }
            case "forum" -> {
                StepSizes.Derived<ForumConfig> d = steps.forum(lowerIterations, rho, alpha, beta);
                yield new AlgorithmPlan(name, d.steps(), p -> new Forum(p, d.config()));
            }
            case "moml" -> hypergradientDescent(name, steps, HypergradientDescentConfig.Weighting.MIN_NORM,
                    new NeumannSeries(), alpha, beta);
            case "linear-scalarisation" -> hypergradientDescent(name, steps,
                    HypergradientDescentConfig.Weighting.LINEAR_SCALARISATION, new ConjugateGradient(cgSteps), alpha, beta);
            case "mgda" -> hypergradientDescent(name, steps, HypergradientDescentConfig.Weighting.MIN_NORM,
                    new ConjugateGradient(cgSteps), alpha, beta);
            case "moco" -> {
                StepSizes.Derived<MocoConfig> d = steps.moco(lowerIterations, alpha, beta);
                yield new AlgorithmPlan(name, d.steps(), p -> new Moco(p, d.config()));
            }
            default -> throw new IllegalStateException(name);
        };
    }

    private AlgorithmPlan hypergradientDescent(String name, StepSizes steps, HypergradientDescentConfig.Weighting weighting,
                                               HypergradientMethod method, OptionalDouble alpha, OptionalDouble beta) {
        StepSizes.Derived<HypergradientDescentConfig> d = steps.hypergradientDescent(weighting, method, lowerIterations,
                alpha, beta);
        return new AlgorithmPlan(name, d.steps(), p -> new HypergradientDescent(p, d.config()));
    }

    private static OptionalDouble optional(Double value) {
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
    }
}
