package io.mobl.ops.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mobl.ops.Records;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.streams.kafka.EmbeddedKafkaBroker;
import org.apache.pekko.actor.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard and the Prometheus config that ship in ops/ against a real scrape: real {@code mobl run} and
 * {@code mobl demo} commands serving their endpoints (every metric the dashboard queries, fed by production code),
 * and MoblMetrics and MetricsServer on an ephemeral port for the meters' exact values.
 */
class DashboardScrapeTest {
    private static final Path DASHBOARD = Path.of("grafana", "mobl.json");
    private static final Path PROMETHEUS = Path.of("prometheus", "prometheus.yml");
    private static final Pattern STRING_LITERAL = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");
    private static final Pattern METRIC = Pattern.compile("(mobl|jvm|process|system|executor)_[A-Za-z0-9_:]*");
    private static final double[] R1 = {0.2, 0.3, 0.5};
    private static final double[] R2 = {0.5, 0.25, 0.25};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpClient http = HttpClient.newHttpClient();
    private MoblMetrics metrics;
    private MetricsServer server;

    @BeforeEach
    void start() {
        metrics = MoblMetrics.bindTo(registry);
        server = MetricsServer.start(registry, MetricsServer.DEFAULT_HOST, MetricsServer.ANY_FREE_PORT);
    }

    @AfterEach
    void stop() {
        server.close();
        metrics.close();
        registry.close();
    }

    @Test
    void theIterationCounterRisesBetweenScrapesAndEveryObjectiveHasAGauge() throws Exception {
        for (int k = 0; k < 3; k++) metrics.onIteration(telemetry(R1, k));
        Map<String, Double> first = samples(scrape());
        for (int k = 3; k < 5; k++) metrics.onIteration(telemetry(R1, k));
        metrics.onIteration(telemetry(R2, 0));
        Map<String, Double> second = samples(scrape());

        String r1 = "preference=\"0.2000,0.3000,0.5000\",run=\"demo\"";
        assertThat(first).containsEntry("mobl_iterations_total{" + r1 + "}", 3.0);
        assertThat(second).containsEntry("mobl_iterations_total{" + r1 + "}", 5.0);
        for (int s = 1; s <= 3; s++) {
            assertThat(second).containsEntry("mobl_objective{objective=\"" + s + "\"," + r1 + "}", 10.0 * s + 4);
            assertThat(second).containsKey("mobl_objective{objective=\"" + s + "\",preference=\"0.5000,0.2500,0.2500\",run=\"demo\"}");
        }
        assertThat(second).containsEntry("mobl_stationarity_gap{" + r1 + "}", 0.2);
        assertThat(second).containsEntry("mobl_oracle_calls_total{oracle=\"HV(g)\"," + r1 + "}", 100.0);
        assertThat(second).containsEntry("mobl_iteration_duration_seconds_count{phase=\"hypergradient\",run=\"demo\"}", 6.0);
    }

    /**
     * A real {@code mobl run} (actor runtime, the dispatchers metered) and a real {@code mobl demo} (stochastic
     * WC-MHGD fed from Kafka, with malformed records waiting in its topic) serve their endpoints; scraped over HTTP
     * while they run, every metric the dashboard queries has a live value fed by their code (nothing fed here),
     * the KKT residual of QP (5) included; and the run publishes its telemetry (with that residual) to Kafka.
     */
    @Test
    void everyMetricTheDashboardQueriesHasALiveValueDuringARealRunAndDemo() throws Exception {
        Set<String> referenced = dashboardMetrics();
        assertThat(referenced).as("the dashboard's metrics").contains("mobl_iterations_total", "mobl_objective",
                "mobl_stationarity_gap", "mobl_iteration_duration_seconds_bucket", "mobl_iteration_duration_seconds_sum",
                "mobl_iteration_duration_seconds_count", "mobl_batches_consumed_total", "mobl_kafka_lag",
                "mobl_dlq_records_total", "mobl_oracle_calls_total", "jvm_memory_used_bytes", "mobl_kkt_residual",
                "executor_active_threads", "executor_queued_tasks", "executor_completed_tasks_total", "executor_running",
                "executor_queued", "executor_pool_size_threads");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            Map<String, Double> run = scrapeWhileRunning("run", "--problem", "quadratic", "--algorithm", "wc-mhgd",
                    "--runtime", "actors", "--sweep", "2", "--iterations", "4000", "--tolerance", "1e-300", "--run", "live-run",
                    "--metrics-port", "-1", "--bootstrap-servers", broker.bootstrapServers());
            assertThat(names(run)).as("the run's scrape").contains("mobl_kkt_residual", "mobl_iterations_total",
                    "executor_active_threads", "executor_running", "mobl_step_norm");
            assertThat(run.entrySet()).as("KKT residuals of the run's preferences")
                    .filteredOn(e -> e.getKey().startsWith("mobl_kkt_residual{") && e.getKey().contains("run=\"live-run\""))
                    .hasSize(2).allSatisfy(e -> assertThat(e.getValue()).isFinite().isGreaterThanOrEqualTo(0));
            List<IterateTelemetry> published = telemetryOf(broker.bootstrapServers(), "live-run");
            assertThat(published).as("telemetry the run published to mobl.telemetry").isNotEmpty()
                    .allSatisfy(t -> assertThat(t.hasKktResidual()).isTrue());
            assertThat(paretoOf(broker.bootstrapServers(), "live-run", 2)).as("the run's Pareto points on mobl.pareto").hasSize(2);

            // malformed records ahead of the demo's data: each preference's source dead-letters them
            String lower = "mobl.live-demo.lower";
            broker.createTopic(lower, 2, false);
            broker.createTopic("mobl.live-demo.upper", 2, false);
            try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(Map.of("bootstrap.servers",
                    broker.bootstrapServers()), new org.apache.kafka.common.serialization.ByteArraySerializer(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                for (int i = 0; i < 10; i++) producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(lower, i % 2, null, new byte[] {1, 2, 3}));
            }
            Map<String, Double> demo = scrapeWhileRunning("demo", "--iterations", "30", "--sweep", "2", "--run", "live-demo",
                    "--metrics-port", "-1", "--bootstrap-servers", broker.bootstrapServers());
            assertThat(names(demo)).as("the demo's scrape").contains("mobl_kkt_residual", "mobl_batches_consumed_total",
                    "mobl_kafka_lag", "mobl_dlq_records_total", "mobl_pareto_points_total");
            assertThat(demo.get("mobl_batches_consumed_total{source=\"live-demo\"}")).isPositive();
            assertThat(demo.get("mobl_dlq_records_total{topic=\"" + lower + "\"}")).as("dead letters from the lower topic").isPositive();
            assertThat(demo.get("mobl_pareto_points_total{run=\"live-demo\"}")).isEqualTo(2.0);

            Set<String> missing = new TreeSet<>(referenced);
            missing.removeAll(names(run));
            missing.removeAll(names(demo));
            assertThat(missing).as("metrics the dashboard queries that neither live scrape has").isEmpty();
        }
    }

    /**
     * Runs a mobl command on another thread and scrapes its endpoint (the port it prints) until it ends; returns the
     * newest value of every series any scrape saw.
     */
    private Map<String, Double> scrapeWhileRunning(String... args) throws Exception {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        var command = java.util.concurrent.CompletableFuture.supplyAsync(() -> io.mobl.ops.cli.Main.execute(
                new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), args));
        Pattern endpoint = Pattern.compile("metrics: http://127\\.0\\.0\\.1:(\\d+)/metrics");
        Map<String, Double> seen = new TreeMap<>();
        Integer port = null;
        int scrapes = 0;
        while (!command.isDone()) {
            if (port == null) {
                Matcher m = endpoint.matcher(out.toString());
                if (m.find()) port = Integer.parseInt(m.group(1));
            } else {
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        seen.putAll(samples(r.body()));
                        scrapes++;
                    }
                } catch (java.io.IOException closedAtTheEnd) {
                    // the command closed its endpoint as it ended
                }
                if (scrapes % 20 == 1) System.gc(); // GC pause meters appear once a collection is reported
            }
            Thread.sleep(25);
        }
        assertThat(command.get()).as("mobl %s: %s%s", args[0], out, err).isZero();
        assertThat(scrapes).as("scrapes of mobl %s while it ran", args[0]).isGreaterThan(2);
        return seen;
    }

    private static Set<String> names(Map<String, Double> samples) {
        Set<String> names = new TreeSet<>();
        for (String sample : samples.keySet()) names.add(name(sample));
        return names;
    }

    /** The run's Pareto points on mobl.pareto (up to {@code n}, waiting at most 20 s). */
    private static List<io.mobl.protocol.ParetoPoint> paretoOf(String bootstrapServers, String run, int n) {
        List<io.mobl.protocol.ParetoPoint> out = new ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(Map.of("bootstrap.servers", bootstrapServers,
                "auto.offset.reset", "earliest", "group.id", "dashboard-check-pareto"), new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of("mobl.pareto"));
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (out.size() < n && System.nanoTime() < deadline) {
                for (var r : consumer.poll(java.time.Duration.ofMillis(200))) {
                    io.mobl.protocol.ParetoPoint p = io.mobl.protocol.codec.JsonCodec.decodeParetoPoint(r.value());
                    if (p.run().equals(run)) out.add(p);
                }
            }
        }
        return out;
    }

    /** The run's telemetry records on mobl.telemetry. */
    private static List<IterateTelemetry> telemetryOf(String bootstrapServers, String run) {
        List<IterateTelemetry> out = new ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(Map.of("bootstrap.servers", bootstrapServers,
                "auto.offset.reset", "earliest", "group.id", "dashboard-check"), new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of("mobl.telemetry"));
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (out.isEmpty() && System.nanoTime() < deadline) {
                for (var r : consumer.poll(java.time.Duration.ofMillis(200))) {
                    IterateTelemetry t = io.mobl.protocol.codec.JsonCodec.decodeTelemetry(r.value());
                    if (t.run().equals(run)) out.add(t);
                }
            }
        }
        return out;
    }

    @Test
    void pekkoDispatchersRunByMeteredExecutorsShowTheirPoolsInTheScrape() throws Exception {
        Map<String, Double> samples = runOnMeteredDispatchers(5);
        String math = "{name=\"mobl-math-dispatcher\"}";
        assertThat(samples.get("executor_completed_tasks_total" + math)).isEqualTo(5.0);
        assertThat(samples.get("executor_pool_size_threads" + math)).isGreaterThanOrEqualTo(1.0);
        assertThat(samples).containsKey("executor_queued_tasks" + math).containsKey("executor_active_threads" + math);
        // the default dispatcher is a fork-join pool: Micrometer gives it gauges of its own (no unit suffix)
        String fork = "{name=\"pekko.actor.default-dispatcher\"}";
        assertThat(samples).containsKey("executor_running" + fork).containsKey("executor_queued" + fork)
                .containsKey("executor_pool_size_threads" + fork);
        assertThat(samples.get("executor_steals_total" + fork)).isGreaterThanOrEqualTo(0.0);
    }

    /**
     * Runs {@code tasks} tasks on the math dispatcher of an actor system whose dispatchers are metered; the
     * scrape while that system still runs.
     */
    private Map<String, Double> runOnMeteredDispatchers(int tasks) throws Exception {
        Config config = MeteredExecutor.meter(ConfigFactory.load(), "pekko.actor.default-dispatcher", "mobl-math-dispatcher");
        Metrics.addRegistry(registry);
        ActorSystem system = ActorSystem.create("metered", config);
        try {
            CountDownLatch done = new CountDownLatch(tasks + 1);
            system.dispatcher().execute(done::countDown);
            var math = system.dispatchers().lookup("mobl-math-dispatcher");
            for (int i = 0; i < tasks; i++) math.execute(done::countDown);
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
            // completed counts are updated after the task returns: wait until the pool has counted them all
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (registry.find("executor.completed").tag("name", "mobl-math-dispatcher").functionCounter() == null
                    || registry.find("executor.completed").tag("name", "mobl-math-dispatcher").functionCounter().count() < tasks) {
                if (System.nanoTime() > deadline) break;
                Thread.sleep(20);
            }
            return samples(scrape());
        } finally {
            Metrics.removeRegistry(registry);
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyPanelQueriesTheTemplatedPrometheusDataSource() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("uid").asText()).isEqualTo("mobl-overview");
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("type").asText().equals("row")) continue;
            assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText()).isEqualTo("${datasource}");
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            for (JsonNode target : panel.path("targets")) assertThat(target.path("expr").asText()).isNotBlank();
        }
        String text = Files.readString(DASHBOARD);
        assertThat(text).contains("\"scaleDistribution\"").contains("histogram_quantile");
    }

    @Test
    void prometheusScrapesTheDefaultEndpoint() throws Exception {
        String config = Files.readString(PROMETHEUS);
        assertThat(config).contains("metrics_path: /metrics")
                .contains("\"" + MetricsServer.DEFAULT_HOST + ":" + MetricsServer.DEFAULT_PORT + "\"");
    }

    @Test
    void healthIsUpAtOnceAndReadinessWaitsForMarkReady() throws Exception {
        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(get("/ready").statusCode()).isEqualTo(503);
        server.markReady();
        assertThat(get("/ready").statusCode()).isEqualTo(200);
        assertThat(get("/ready").body()).isEqualTo("READY\n");
    }

    /** Metric names in every PromQL expression and variable query of the dashboard. */
    static Set<String> dashboardMetrics() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> expressions = new ArrayList<>();
        for (JsonNode expr : dashboard.findValues("expr")) expressions.add(expr.asText());
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.has("definition")) expressions.add(variable.path("definition").asText());
        }
        assertThat(expressions).hasSizeGreaterThan(10);
        Set<String> names = new TreeSet<>();
        for (String expression : expressions) {
            Matcher identifier = IDENTIFIER.matcher(STRING_LITERAL.matcher(expression).replaceAll("\"\""));
            while (identifier.find()) {
                if (METRIC.matcher(identifier.group()).matches()) names.add(identifier.group());
            }
        }
        return names;
    }

    /** Sample lines of a text-format scrape: "name{labels}" to value. */
    static Map<String, Double> samples(String scrape) {
        Map<String, Double> samples = new TreeMap<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    private static String name(String sample) {
        int brace = sample.indexOf('{');
        return brace < 0 ? sample : sample.substring(0, brace);
    }

    private String scrape() throws Exception {
        HttpResponse<String> response = get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private HttpResponse<String> get(String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.port() + path);
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static IterateTelemetry telemetry(double[] preference, int k) {
        return Records.telemetry("demo", preference, k, new double[] {10 + k, 20 + k, 30 + k});
    }
}
