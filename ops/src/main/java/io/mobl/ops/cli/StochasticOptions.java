package io.mobl.ops.cli;

import io.mobl.core.algorithm.StochasticWcMhgdConfig;
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
        MoblConfig.Stochastic s = config().stochastic();
        MoblConfig.Algorithm a = config().algorithm();
        StochasticWcMhgdConfig d = StochasticWcMhgdConfig.defaults(problem, a.lowerIterations(), s.neumannSteps(),
                s.batchSize(), a.chebyshevWeight(), a.iterations(), a.tolerance());
        return new StochasticWcMhgdConfig(d.lowerIterations(),
                a.lowerStepSize().orElse(d.lowerStepSize()), a.upperStepSize().orElse(d.upperStepSize()),
                d.chebyshevWeight(), d.lowerBatchSize(), d.jacobianBatchSize(), d.upperBatchSize(), d.neumannSteps(),
                d.neumannStepSize(), d.neumannBatchScale(), d.lowerStrongConvexity(), d.maxIterations(), d.tolerance(),
                d.batchTimeout());
    }
}
