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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Everything a run reports while it goes: Prometheus meters behind the scrape endpoint, progress on the
 * terminal, and (optionally) telemetry kept for a JSON-lines file. One listener, called once per iteration;
 * synchronized because the actor runtime calls it from several preferences' coordinators at once.
 */
final class RunReporting implements RunListener, AutoCloseable {
    private final PrometheusMeterRegistry registry;
    private final MoblMetrics metrics;
    private final Optional<MetricsServer> server;
    private final RunProgress progress;
    private final List<IterateTelemetry> telemetry;

    RunReporting(String host, int port, int preferences, int iterations, boolean keepTelemetry) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.metrics = MoblMetrics.bindTo(registry);
        Metrics.addRegistry(registry); // what Pekko creates by name (MeteredExecutor) meters the global registry
        this.server = MetricsServer.startIfEnabled(registry, host, port);
        server.ifPresent(MetricsServer::markReady);
        this.progress = RunProgress.forConsole(preferences, Math.max(1, iterations));
        this.telemetry = keepTelemetry ? Collections.synchronizedList(new ArrayList<>()) : null;
    }

    Optional<MetricsServer> server() {
        return server;
    }

    @Override
    public synchronized void onIteration(IterateTelemetry t) {
        metrics.onIteration(t);
        progress.onIteration(t);
        if (telemetry != null) telemetry.add(t);
    }

    @Override
    public synchronized void onParetoPoint(ParetoPoint point) {
        metrics.onParetoPoint(point);
        progress.onPreferenceDone(point);
    }

    void writeTelemetry(Path file) {
        JsonLines.write(file, telemetry, (IterateTelemetry t) -> JsonCodec.encodeToString(t));
    }

    @Override
    public void close() {
        progress.close();
        server.ifPresent(MetricsServer::close);
        metrics.close();
        Metrics.removeRegistry(registry);
    }
}
