package io.mobl.ops.cli;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mobl.core.algorithm.RunListener;
import io.mobl.ops.metrics.MetricsServer;
import io.mobl.ops.metrics.MoblMetrics;
import io.mobl.ops.progress.RunProgress;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.codec.JsonCodec;
import io.mobl.protocol.codec.JsonLines;
import io.mobl.streams.kafka.ParetoSink;
import io.mobl.streams.kafka.TelemetrySink;
import io.mobl.streams.kafka.TopicNames;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.ActorSystem;
import org.slf4j.LoggerFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Everything a run reports while it goes: Prometheus meters behind the scrape endpoint (the KKT residual too, when
 * the algorithm reports one), progress on the terminal, (optionally) telemetry kept for a JSON-lines file, and
 * (optionally, given a broker) telemetry and Pareto points published to the run's Kafka topics
 * ({@link TelemetrySink}, {@link ParetoSink}). One listener, called once per iteration; synchronized because the
 * actor runtime calls it from several preferences' coordinators at once.
 */
final class RunReporting implements RunListener, AutoCloseable {
    private final PrometheusMeterRegistry registry;
    private final MoblMetrics metrics;
    private final Optional<MetricsServer> server;
    private final RunProgress progress;
    private final List<IterateTelemetry> telemetry;
    /** Where telemetry and points go on Kafka, or null. */
    private final Publishing kafka;

    /** The sinks of a run that publishes to Kafka, and the actor system their streams run on. */
    private record Publishing(ActorSystem system, TelemetrySink telemetry, ParetoSink pareto) {}

    RunReporting(String host, int port, int preferences, int iterations, boolean keepTelemetry) {
        this(host, port, preferences, iterations, keepTelemetry, null, null);
    }

    /**
     * @param bootstrapServers where to publish telemetry and Pareto points ({@code topics.telemetry()},
     *                         {@code topics.pareto()}); null: nowhere
     */
    RunReporting(String host, int port, int preferences, int iterations, boolean keepTelemetry, String bootstrapServers,
                 TopicNames topics) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.metrics = MoblMetrics.bindTo(registry);
        Metrics.addRegistry(registry); // what Pekko creates by name (MeteredExecutor) meters the global registry
        this.server = MetricsServer.startIfEnabled(registry, host, port);
        server.ifPresent(MetricsServer::markReady);
        this.progress = RunProgress.forConsole(preferences, Math.max(1, iterations));
        this.telemetry = keepTelemetry ? Collections.synchronizedList(new ArrayList<>()) : null;
        if (bootstrapServers == null) {
            this.kafka = null;
        } else {
            ActorSystem system = ActorSystem.create("mobl-reporting", ConfigFactory.parseString("pekko.loglevel = WARNING")
                    .withFallback(ConfigFactory.load()));
            this.kafka = new Publishing(system, new TelemetrySink(system, bootstrapServers, topics),
                    new ParetoSink(system, bootstrapServers, topics));
        }
    }

    /**
     * The reporting of a {@code mobl run}: with a broker configured ({@code --bootstrap-servers},
     * {@code mobl.kafka.bootstrap-servers}) it also publishes telemetry and Pareto points to
     * {@code mobl.kafka.topics.telemetry/pareto}.
     */
    static RunReporting forRun(io.mobl.ops.config.MoblConfig config, String run, String host, int port, int preferences,
                               int iterations, boolean keepTelemetry) {
        io.mobl.ops.config.MoblConfig.Kafka kafka = config.kafka();
        return new RunReporting(host, port, preferences, iterations, keepTelemetry,
                kafka.embedded() ? null : kafka.bootstrapServersProperty(),
                config.topicsFor(run));
    }

    /** Prints where the endpoint is and where telemetry goes, in a run's header. */
    void printHeader(java.io.PrintWriter out) {
        server.ifPresent(s -> out.printf("metrics: http://%s:%d/metrics%n", s.host(), s.port()));
        publishing().ifPresent(topics -> out.printf("publishing telemetry and Pareto points to %s%n", topics));
    }

    Optional<MetricsServer> server() {
        return server;
    }

    MoblMetrics metrics() {
        return metrics;
    }

    /** The topics telemetry and points go to, for the run's header; empty when the run publishes none. */
    Optional<String> publishing() {
        return kafka == null ? Optional.empty() : Optional.of(kafka.telemetry().topic() + " and " + kafka.pareto().topic());
    }

    @Override
    public synchronized void onIteration(IterateTelemetry t) {
        metrics.onIteration(t);
        progress.onIteration(t);
        if (telemetry != null) telemetry.add(t);
        if (kafka != null) kafka.telemetry().offer(t);
    }

    @Override
    public synchronized void onParetoPoint(ParetoPoint point) {
        metrics.onParetoPoint(point);
        progress.onPreferenceDone(point);
        if (kafka != null) kafka.pareto().offer(point);
    }

    void writeTelemetry(Path file) {
        JsonLines.write(file, telemetry, (IterateTelemetry t) -> JsonCodec.encodeToString(t));
    }

    @Override
    public void close() {
        if (kafka != null) {
            try {
                kafka.telemetry().flush(Duration.ofSeconds(30));
                kafka.pareto().flush(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (TimeoutException e) {
                LoggerFactory.getLogger(RunReporting.class).warn("telemetry or Pareto points not all sent to Kafka within 30 s: {}", e.toString());
            } finally {
                kafka.telemetry().close();
                kafka.pareto().close();
                kafka.system().terminate();
            }
        }
        progress.close();
        server.ifPresent(MetricsServer::close);
        metrics.close();
        Metrics.removeRegistry(registry);
    }
}
