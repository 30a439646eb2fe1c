package io.mobl.ops.cli;

import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.hypergradient.HypergradientMethod;
import io.mobl.core.hypergradient.NeumannSeries;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.protocol.InvalidInputException;
import picocli.CommandLine.Option;

/** Alg. 1's inputs, by the papers' names. */
public final class AlgorithmOptions {
    @Option(names = "--algorithm", defaultValue = "wc-mhgd", description = "Algorithm: wc-mhgd. Default: ${DEFAULT-VALUE}.")
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

    public HypergradientMethod method() {
        return switch (hypergradient) {
            case "cg" -> new ConjugateGradient(cgSteps);
            case "ns" -> new NeumannSeries();
            default -> throw new InvalidInputException("--hypergradient", hypergradient, "one of cg, ns");
        };
    }

    public WcMhgdConfig build(BilevelProblem problem) {
        if (!algorithm.equals("wc-mhgd")) {
            throw new InvalidInputException("--algorithm", algorithm, "one of wc-mhgd");
        }
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
}
