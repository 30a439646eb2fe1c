package io.mobl.ops.cli;

import io.mobl.streams.kafka.TopicNames;
import io.mobl.streams.kafka.EmbeddedKafkaBroker;
import io.mobl.streams.kafka.ParetoSink;
import io.mobl.streams.kafka.TelemetrySink;
import io.mobl.streams.kafka.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.pekko.actor.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a command that talks to Kafka holds for its lifetime: the broker (the embedded one when no bootstrap servers
 * were given, DESIGN §5), an admin client, the run's topics (created when missing), a Pekko system for the streams,
 * and the telemetry and Pareto sinks once asked for. Closing flushes the sinks, then stops the rest in reverse.
 */
final class StreamingSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamingSession.class);

    private final EmbeddedKafkaBroker broker;
    private final String bootstrapServers;
    private final Admin admin;
    private final ActorSystem system;
    private final TopicNames topics;
    private TelemetrySink telemetry;
    private ParetoSink pareto;

    private StreamingSession(EmbeddedKafkaBroker broker, String bootstrapServers, Admin admin, ActorSystem system, TopicNames topics) {
        this.broker = broker;
        this.topics = topics;
        this.bootstrapServers = bootstrapServers;
        this.admin = admin;
        this.system = system;
    }

    /**
     * Connects to {@code bootstrapServers}, or starts the embedded broker when it is null or blank, and creates the
     * run's topics (DESIGN §5) that are missing, the data topics with {@code dataPartitions} partitions.
     *
     * @param topics the run's topic names as configured ({@code MoblConfig.topicsFor(run)}, {@code mobl.kafka.topics.*})
     */
    static StreamingSession open(String bootstrapServers, TopicNames topics, int dataPartitions, PrintWriter out) {
        EmbeddedKafkaBroker broker = null;
        Admin admin = null;
        ActorSystem system = null;
        try {
            String bootstrap = bootstrapServers;
            if (bootstrap == null || bootstrap.isBlank()) {
                out.println("starting the embedded Kafka broker (no --bootstrap-servers given)...");
                out.flush();
                broker = EmbeddedKafkaBroker.start();
                bootstrap = broker.bootstrapServers();
                out.println("embedded Kafka broker (KRaft, single node) at " + bootstrap + ", data in " + broker.directory());
                admin = broker.admin();
            } else {
                admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
            }
            Topics.ensure(admin, Topics.specs(topics, dataPartitions));
            system = ActorSystem.create("mobl-streams");
            return new StreamingSession(broker, bootstrap, admin, system, topics);
        } catch (RuntimeException e) {
            if (system != null) system.terminate();
            if (admin != null && broker == null) admin.close();
            if (broker != null) broker.close();
            throw e;
        }
    }

    String bootstrapServers() { return bootstrapServers; }

    boolean embedded() { return broker != null; }

    Admin admin() { return admin; }

    ActorSystem system() { return system; }

    /** The run's topics, as configured under {@code mobl.kafka.topics}. */
    TopicNames topics() { return topics; }

    synchronized TelemetrySink telemetry() {
        if (telemetry == null) telemetry = new TelemetrySink(system, bootstrapServers, topics);
        return telemetry;
    }

    synchronized ParetoSink pareto() {
        if (pareto == null) pareto = new ParetoSink(system, bootstrapServers, topics);
        return pareto;
    }

    @Override
    public void close() {
        try {
            if (telemetry != null) telemetry.close();
            if (pareto != null) pareto.close();
        } finally {
            system.terminate();
            try {
                system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("the streams' actor system did not stop cleanly: {}", e.toString());
            }
            if (broker == null) admin.close(Duration.ofSeconds(10));
            else broker.close();
        }
    }
}
