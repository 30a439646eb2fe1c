package io.mobl.ops.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mobl.protocol.InvalidInputException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetricsServerTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void close() {
        registry.close();
    }

    @Test
    void anyFreePortBindsAnEphemeralPortOnLoopback() {
        try (MetricsServer server = MetricsServer.start(registry, MetricsServer.DEFAULT_HOST, MetricsServer.ANY_FREE_PORT)) {
            assertThat(server.port()).isBetween(1, 65535).isNotEqualTo(MetricsServer.DEFAULT_PORT);
            assertThat(server.host()).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void healthIsUpAndReadinessFollowsMarkReady() throws Exception {
        try (MetricsServer server = MetricsServer.start(registry, "127.0.0.1", MetricsServer.ANY_FREE_PORT)) {
            assertThat(get(server, "/health").statusCode()).isEqualTo(200);
            assertThat(get(server, "/health").body()).isEqualTo("UP\n");
            assertThat(get(server, "/ready").statusCode()).isEqualTo(503);
            server.markReady();
            assertThat(get(server, "/ready").statusCode()).isEqualTo(200);
            server.markNotReady();
            assertThat(get(server, "/ready").statusCode()).isEqualTo(503);
        }
    }

    @Test
    void metricsAreServedInThePrometheusTextFormat() throws Exception {
        registry.counter("mobl.demo").increment();
        try (MetricsServer server = MetricsServer.start(registry, "127.0.0.1", MetricsServer.ANY_FREE_PORT)) {
            HttpResponse<String> response = get(server, "/metrics");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue(MetricsServer.PROMETHEUS_TEXT);
            assertThat(response.body()).contains("mobl_demo_total 1.0");
        }
    }

    @Test
    void unknownPathsAre404AndOtherMethods405() throws Exception {
        try (MetricsServer server = MetricsServer.start(registry, "127.0.0.1", MetricsServer.ANY_FREE_PORT)) {
            assertThat(get(server, "/metricsx").statusCode()).isEqualTo(404);
            assertThat(get(server, "/").statusCode()).isEqualTo(404);
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri(server, "/metrics"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        }
    }

    @Test
    void portZeroMeansDisabled() {
        assertThat(MetricsServer.startIfEnabled(registry, "127.0.0.1", MetricsServer.DISABLED)).isEmpty();
        assertThatThrownBy(() -> MetricsServer.start(registry, "127.0.0.1", 0))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("mobl.metrics.port = 0");
    }

    @Test
    void aPortInUseFailsSayingWhatToDo() {
        try (MetricsServer first = MetricsServer.start(registry, "127.0.0.1", MetricsServer.ANY_FREE_PORT)) {
            assertThatThrownBy(() -> MetricsServer.start(registry, "127.0.0.1", first.port()))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("mobl.metrics.port = 127.0.0.1:" + first.port())
                    .hasMessageContaining("choose another port");
        }
    }

    @Test
    void outOfRangePortsAndBlankHostsAreRejected() {
        assertThatThrownBy(() -> MetricsServer.start(registry, "127.0.0.1", 70000))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("1..65535");
        assertThatThrownBy(() -> MetricsServer.start(registry, "127.0.0.1", -2))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> MetricsServer.start(registry, " ", 9464))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("mobl.metrics.host");
    }

    @Test
    void closingStopsTheServer() {
        MetricsServer server = MetricsServer.start(registry, "127.0.0.1", MetricsServer.ANY_FREE_PORT);
        server.close();
        assertThatThrownBy(() -> get(server, "/health")).isInstanceOf(java.io.IOException.class);
    }

    private HttpResponse<String> get(MetricsServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(server, path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(MetricsServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}
