package io.mobl.ops.cli;

import io.mobl.core.algorithm.StepSizes;
import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.problem.ProblemConstants;
import io.mobl.protocol.InvalidInputException;
import java.util.OptionalDouble;
import io.mobl.core.stochastic.StochasticBilevelProblem;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.mobl.protocol.Checks;
import picocli.CommandLine.Option;

/** The inputs of stochastic WC-MHGD (Alg. 2/3) beyond Alg. 1's, for {@code --problem stochastic-quadratic}. */
public final class StochasticOptions {
    @Option(names = "--batch-size", defaultValue = "32",
            description = "Stochastic problems: samples per batch (|𝒯_t|, |𝒟_G|, |𝒟_F^s|; Alg. 3's largest batch about the same). Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--neumann-steps", defaultValue = "10",
            description = "Stochastic problems: Q, the terms of Alg. 3's Neumann series. Default: ${DEFAULT-VALUE}.")
    int neumannSteps;

    @Option(names = "--minibatch-rows", defaultValue = "8",
            description = "Stochastic problems: samples per minibatch of the in-memory data source. Default: ${DEFAULT-VALUE}.")
    int minibatchRows;

    @Option(names = "--noise", defaultValue = "1.0",
            description = "stochastic-quadratic: standard deviation of the gradient noise, lower and upper level. Default: ${DEFAULT-VALUE}.")
    double noise;

    /** The built-in stochastic quadratic problem: the dense quadratic mean problem (κ = 2) with noisy samples. */
    StochasticQuadraticSpec spec(long seed, int upperDimension, int lowerDimension, int objectives) {
        Checks.nonNegative("--noise", noise);
        return new StochasticQuadraticSpec(seed, upperDimension, lowerDimension, objectives, 2, 0.5, noise, 0.5, 0.2,
                noise);
    }

    /** Theorem 5.7's step sizes where {@code algorithm} does not set them. */
    StochasticWcMhgdConfig build(StochasticBilevelProblem problem, AlgorithmOptions algorithm) {
        return derive(problem, algorithm, () -> {
            throw new InvalidInputException("--lower-step-size", "auto",
                    "explicit step sizes: this stochastic problem does not state its smoothness constants");
        }).config();
    }

    /**
     * Theorem 5.7's step sizes where {@code algorithm} does not set them, from the problem's stated constants or,
     * where it states none, from an estimate on a view of the batches {@code view} makes.
     */
    StepSizes.Derived<StochasticWcMhgdConfig> derive(StochasticBilevelProblem problem, AlgorithmOptions algorithm,
                                                     java.util.function.Supplier<io.mobl.core.problem.BilevelProblem> view) {
        Checks.atLeast("--batch-size", batchSize, 1);
        Checks.atLeast("--neumann-steps", neumannSteps, 1);
        Checks.atLeast("--minibatch-rows", minibatchRows, 1);
        return StepSizes.of(ProblemConstants.of(problem.smoothness(), view)).stochasticWcMhgd(algorithm.lowerIterations,
                neumannSteps, batchSize, algorithm.chebyshevWeight, algorithm.iterations, algorithm.tolerance,
                algorithm.lowerStepSize == null ? OptionalDouble.empty() : OptionalDouble.of(algorithm.lowerStepSize),
                algorithm.upperStepSize == null ? OptionalDouble.empty() : OptionalDouble.of(algorithm.upperStepSize));
    }
}
