package io.mobl.ops.cli;

import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.stochastic.StochasticQuadraticProblem;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.mobl.ops.config.MoblConfig;
import io.mobl.streams.kafka.GeneratedStream;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Stochastic WC-MHGD (Alg. 2/3) on the built-in stochastic quadratic problem (p = 4, q = 6, S = 2; seeded, so a
 * producer and a consumer given the same {@code --seed} agree on the data and on the exact mean problem), for
 * {@code produce} and {@code demo}; the names are {@code run --problem stochastic-quadratic}'s, the defaults
 * ({@code mobl.demo.*}) smaller so that the demo is quick. {@code produce} uses them for the proportion of
 * lower-level to upper-level minibatches: give it the same values as the run it feeds. Read from the typed
 * configuration ({@link MoblConfig#demo()}).
 */
public final class StreamOptions {
    @Spec(Spec.Target.MIXEE) CommandSpec command;

    @Option(names = "--minibatch-rows", description = "Samples per Kafka minibatch. Default: ${DEFAULT-VALUE}.")
    int rows;

    @Option(names = "--batch-size",
            description = "Samples per stochastic batch (|T_t|, |D_G|, |D_F^s|; Alg. 3's largest). Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--lower-iterations", description = "D, lower-level SGD steps per iteration of Alg. 2. Default: ${DEFAULT-VALUE}.")
    int lowerIterations;

    @Option(names = "--neumann-steps", description = "Q, the terms of Alg. 3. Default: ${DEFAULT-VALUE}.")
    int neumannSteps;

    private MoblConfig.Demo config() {
        return Main.config(command.commandLine()).demo();
    }

    StochasticQuadraticSpec spec(long seed) {
        return StochasticQuadraticSpec.defaults(seed);
    }

    /** Samples per Kafka minibatch. */
    int rows() {
        return config().minibatchRows();
    }

    StochasticWcMhgdConfig config(StochasticQuadraticProblem problem, int maxIterations, Duration batchTimeout) {
        MoblConfig.Demo d = config();
        return StochasticWcMhgdConfig.defaults(problem, d.lowerIterations(), d.neumannSteps(), d.batchSize(), 1.0,
                maxIterations, 0).withBatchTimeout(batchTimeout);
    }

    /** The minibatches per iteration of that config, for a producer that keeps pace. */
    GeneratedStream.PerIteration perIteration(StochasticQuadraticProblem problem) {
        return GeneratedStream.perIteration(config(problem, 0, Duration.ofSeconds(1)), rows());
    }
}
