package io.mobl.ops.cli;

import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.stochastic.StochasticQuadraticProblem;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import io.mobl.streams.kafka.GeneratedStream;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Kafka and stochastic WC-MHGD (Alg. 2/3) on the built-in stochastic quadratic problem (seeded: a producer and a
 * consumer given the same seed agree on the data and on the exact mean problem), for {@code produce},
 * {@code run --continuous} and {@code demo}. The seed itself is the command's {@code --seed}.
 */
public final class StreamOptions {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers; without it mobl starts its embedded single-node broker.")
    String bootstrapServers;

    @Option(names = "--rows", defaultValue = "8", description = "Samples per Kafka minibatch. Default: ${DEFAULT-VALUE}.")
    int rows;

    @Option(names = "--batch-size", defaultValue = "8",
            description = "Samples per stochastic batch (|T_t|, |D_G|, |D_F^s|; Alg. 3's largest). Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--sgd-steps", defaultValue = "5", description = "D, lower-level SGD steps per iteration of Alg. 2. Default: ${DEFAULT-VALUE}.")
    int sgdSteps;

    @Option(names = "--neumann-steps", defaultValue = "5", description = "Q, the terms of Alg. 3. Default: ${DEFAULT-VALUE}.")
    int neumannSteps;

    @Option(names = "--batch-timeout", defaultValue = "30s",
            description = "How long to wait for one minibatch before the run ends (e.g. 30s, 2m). Default: ${DEFAULT-VALUE}.")
    String batchTimeout;

    StochasticQuadraticSpec spec(long seed) {
        return StochasticQuadraticSpec.defaults(seed);
    }

    StochasticWcMhgdConfig config(StochasticQuadraticProblem problem, double chebyshevWeight, int maxIterations) {
        Checks.atLeast("--rows", rows, 1);
        return StochasticWcMhgdConfig.defaults(problem, sgdSteps, neumannSteps, batchSize, chebyshevWeight, maxIterations, 0)
                .withBatchTimeout(duration("--batch-timeout", batchTimeout));
    }

    /** The minibatches per iteration of that config, for a producer that keeps pace. */
    GeneratedStream.PerIteration perIteration(StochasticQuadraticProblem problem) {
        return GeneratedStream.perIteration(config(problem, 1.0, 0), rows);
    }

    static Duration duration(String field, String text) {
        String t = text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.endsWith("ms")) return positive(field, text, Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2))));
            if (t.endsWith("s")) return positive(field, text, Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000)));
            if (t.endsWith("m")) return positive(field, text, Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 60_000)));
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new InvalidInputException(field, text, "a positive duration such as 500ms, 30s or 2m");
    }

    private static Duration positive(String field, String text, Duration d) {
        if (d.isNegative() || d.isZero()) throw new InvalidInputException(field, text, "a positive duration such as 500ms, 30s or 2m");
        return d;
    }
}
