package io.mobl.ops.cli;

import io.mobl.streams.kafka.TopicNames;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import io.mobl.ops.config.MoblConfig;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Start the embedded single-node Kafka broker (KRaft) with a run's topics, print its bootstrap "
                + "address and keep it up until Ctrl-C; its data is deleted when it stops.")
public final class BrokerCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--run", description = "Create this run's topics (mobl.<run>.lower/upper and the shared ones). Default: ${DEFAULT-VALUE}.")
    String run;

    @Option(names = "--partitions", description = "Partitions of the run's data topics. Default: ${DEFAULT-VALUE}.")
    int partitions;

    /** Counted down to stop the broker (by Ctrl-C's shutdown hook, or a test). */
    final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        MoblConfig config = Main.config(spec.commandLine());
        String run = config.run();
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(30, java.util.concurrent.TimeUnit.SECONDS); // the JVM exits when the hook returns
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "mobl-broker-shutdown");
        try (StreamingSession session = StreamingSession.open(null, config.topicsFor(run), config.kafka().partitions(), out)) {
            Runtime.getRuntime().addShutdownHook(hook);
            out.println("bootstrap servers: " + session.bootstrapServers());
            out.println("topics: " + String.join(", ", session.admin().listTopics().names().get()));
            out.println("e.g. ./mobl produce --bootstrap-servers " + session.bootstrapServers() + " --run " + run + " --loop --rate 200");
            out.println("     ./mobl run --continuous --bootstrap-servers " + session.bootstrapServers() + " --run " + run);
            out.println("control: JSON records keyed '" + run + "' on " + session.topics().control() + ", e.g. {\"type\":\"set-preference\",\"run\":\"" + run + "\",\"preference\":[0.7,0.3]}");
            out.println("Ctrl-C stops the broker.");
            out.flush();
            stop.await();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the session closes below, inside the hook's grace period
            }
            out.println("stopping the broker");
        } finally {
            stopped.countDown();
        }
        return 0;
    }
}
