package io.mobl.ops.cli;

import io.mobl.ops.config.MoblConfig;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Where Kafka is, and how long a run waits for data, for the commands that read or write the run's topics; read from
 * the typed configuration ({@link MoblConfig#kafka()}).
 */
public final class KafkaOptions {
    @Spec(Spec.Target.MIXEE) CommandSpec command;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers; without it mobl starts its embedded single-node broker.")
    String bootstrapServers;

    @Option(names = "--batch-timeout",
            description = "How long a run waits for one minibatch before it ends (e.g. 500ms, 30s, 2m). Default: ${DEFAULT-VALUE}.")
    String batchTimeout;

    Duration batchTimeout() {
        return Main.config(command.commandLine()).kafka().batchTimeout();
    }
}
