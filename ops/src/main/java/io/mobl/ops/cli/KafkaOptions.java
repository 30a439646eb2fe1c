package io.mobl.ops.cli;

import io.mobl.protocol.InvalidInputException;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Where Kafka is, and how long a run waits for data, for the commands that read or write the run's topics. */
public final class KafkaOptions {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers; without it mobl starts its embedded single-node broker.")
    String bootstrapServers;

    @Option(names = "--batch-timeout", defaultValue = "30s",
            description = "How long a run waits for one minibatch before it ends (e.g. 500ms, 30s, 2m). Default: ${DEFAULT-VALUE}.")
    String batchTimeout;

    Duration batchTimeout() {
        return duration("--batch-timeout", batchTimeout);
    }

    static Duration duration(String field, String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        try {
            Duration d = null;
            if (t.endsWith("ms")) d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            else if (t.endsWith("s")) d = Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
            else if (t.endsWith("m")) d = Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 60_000));
            if (d != null && !d.isNegative() && !d.isZero()) return d;
        } catch (NumberFormatException e) {
            // the error below says what is expected
        }
        throw new InvalidInputException(field, text, "a positive duration such as 500ms, 30s or 2m");
    }
}
