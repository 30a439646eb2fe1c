package io.mobl.ops.cli;

import io.mobl.core.algorithm.StepSizes;
import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.problem.ProblemConstants;
import io.mobl.protocol.InvalidInputException;
import io.mobl.core.stochastic.StochasticBilevelProblem;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.mobl.ops.config.MoblConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The inputs of stochastic WC-MHGD (Alg. 2/3) beyond Alg. 1's, for {@code --problem stochastic-quadratic}; read from
 * the typed configuration ({@link MoblConfig#stochastic()}).
 */
public final class StochasticOptions {
    @Spec(Spec.Target.MIXEE) CommandSpec command;

    @Option(names = "--batch-size",
            description = "Stochastic problems: samples per batch (|𝒯_t|, |𝒟_G|, |𝒟_F^s|; Alg. 3's largest batch about the same). Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--neumann-steps",
            description = "Stochastic problems: Q, the terms of Alg. 3's Neumann series. Default: ${DEFAULT-VALUE}.")
    int neumannSteps;

    @Option(names = "--minibatch-rows",
            description = "Stochastic problems: samples per minibatch of the in-memory data source. Default: ${DEFAULT-VALUE}.")
    int minibatchRows;

    @Option(names = "--noise",
            description = "stochastic-quadratic: standard deviation of the gradient noise, lower and upper level. Default: ${DEFAULT-VALUE}.")
    double noise;

    private MoblConfig config() {
        return Main.config(command.commandLine());
    }

    /** The built-in stochastic quadratic problem: the dense quadratic mean problem (κ = 2) with noisy samples. */
    StochasticQuadraticSpec spec(long seed, int upperDimension, int lowerDimension, int objectives) {
        double noise = config().stochastic().noise();
        return new StochasticQuadraticSpec(seed, upperDimension, lowerDimension, objectives, 2, 0.5, noise, 0.5, 0.2,
                noise);
    }

    /** Theorem 5.7's step sizes where {@code --lower-step-size} and {@code --upper-step-size} do not set them. */
    StochasticWcMhgdConfig build(StochasticBilevelProblem problem, AlgorithmOptions algorithm) {
        return derive(problem, () -> {
            throw new InvalidInputException("--lower-step-size", "auto",
                    "explicit step sizes: this stochastic problem does not state its smoothness constants");
        }).config();
    }

    /**
     * Theorem 5.7's step sizes where {@code --lower-step-size} and {@code --upper-step-size} do not set them, from the
     * problem's stated constants or, where it states none, from an estimate on a view of the batches {@code view}
     * makes.
     */
    StepSizes.Derived<StochasticWcMhgdConfig> derive(StochasticBilevelProblem problem,
                                                     java.util.function.Supplier<io.mobl.core.problem.BilevelProblem> view) {
        MoblConfig.Stochastic s = config().stochastic();
        MoblConfig.Algorithm a = config().algorithm();
        return StepSizes.of(ProblemConstants.of(problem.smoothness(), view)).stochasticWcMhgd(a.lowerIterations(),
                s.neumannSteps(), s.batchSize(), a.chebyshevWeight(), a.iterations(), a.tolerance(), a.lowerStepSize(),
                a.upperStepSize());
    }
}
