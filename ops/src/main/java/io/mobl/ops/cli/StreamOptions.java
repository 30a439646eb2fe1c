package io.mobl.ops.cli;

import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.stochastic.StochasticQuadraticProblem;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.mobl.protocol.Checks;
import io.mobl.streams.kafka.GeneratedStream;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Stochastic WC-MHGD (Alg. 2/3) on the built-in stochastic quadratic problem (p = 4, q = 6, S = 2; seeded, so a
 * producer and a consumer given the same {@code --seed} agree on the data and on the exact mean problem), for
 * {@code produce} and {@code demo}; the names are {@code run --problem stochastic-quadratic}'s, the defaults
 * smaller so that the demo is quick. {@code produce} uses them for the proportion of lower-level to upper-level
 * minibatches: give it the same values as the run it feeds.
 */
public final class StreamOptions {
    @Option(names = "--minibatch-rows", defaultValue = "8", description = "Samples per Kafka minibatch. Default: ${DEFAULT-VALUE}.")
    int rows;

    @Option(names = "--batch-size", defaultValue = "8",
            description = "Samples per stochastic batch (|T_t|, |D_G|, |D_F^s|; Alg. 3's largest). Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--lower-iterations", defaultValue = "5", description = "D, lower-level SGD steps per iteration of Alg. 2. Default: ${DEFAULT-VALUE}.")
    int lowerIterations;

    @Option(names = "--neumann-steps", defaultValue = "5", description = "Q, the terms of Alg. 3. Default: ${DEFAULT-VALUE}.")
    int neumannSteps;

    StochasticQuadraticSpec spec(long seed) {
        return StochasticQuadraticSpec.defaults(seed);
    }

    StochasticWcMhgdConfig config(StochasticQuadraticProblem problem, int maxIterations, Duration batchTimeout) {
        Checks.atLeast("--minibatch-rows", rows, 1);
        return StochasticWcMhgdConfig.defaults(problem, lowerIterations, neumannSteps, batchSize, 1.0, maxIterations, 0)
                .withBatchTimeout(batchTimeout);
    }

    /** The minibatches per iteration of that config, for a producer that keeps pace. */
    GeneratedStream.PerIteration perIteration(StochasticQuadraticProblem problem) {
        return GeneratedStream.perIteration(config(problem, 0, Duration.ofSeconds(1)), rows);
    }
}
