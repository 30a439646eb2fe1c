package io.mobl.ops.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mobl.ops.config.MoblConfig;
import io.mobl.protocol.InvalidInputException;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One member in this JVM, seeded by itself, against the real Pekko Management endpoint (pekko-management 1.1.1 on
 * Pekko 1.7.0 and pekko-http 1.3.0): its health checks, its membership route, and clear errors for addresses in use.
 */
@Timeout(120)
class ClusterNodeTest {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** mobl's configuration as a node gets it, with the shutdown hook left to the test. */
    static Config base() {
        return ConfigFactory.parseString("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off")
                .withFallback(MoblConfig.defaults().effective());
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static void await(String what, Duration limit, Check check) throws Exception {
        Instant end = Instant.now().plus(limit);
        AssertionError last = null;
        while (Instant.now().isBefore(end)) {
            try {
                check.run();
                return;
            } catch (AssertionError | IOException e) {
                last = e instanceof AssertionError a ? a : new AssertionError(e);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not within " + limit + ": " + what, last);
    }

    interface Check {
        void run() throws Exception;
    }

    @Test
    void aMemberSeededByItselfIsUpAndSaysSoOnItsManagementEndpoint() throws Exception {
        int port = freePort();
        NodeSettings settings = NodeSettings.of(List.of("127.0.0.1:" + port), null, "127.0.0.1", port,
                List.of("coordinator", "worker"), NodeSettings.ANY_FREE_PORT);
        AtomicBoolean ready = new AtomicBoolean();
        try (ClusterNode node = ClusterNode.start(settings, base(), ready::set)) {
            URI management = node.management();
            assertThat(management.getPort()).as("the port bound for -1").isPositive();
            assertThat(node.address().toString()).isEqualTo("pekko://mobl@127.0.0.1:" + port);
            assertThat(get(management.resolve("/alive")).statusCode()).isEqualTo(200);
            await("/ready answers 200", Duration.ofSeconds(30),
                    () -> assertThat(get(management.resolve("/ready")).statusCode()).isEqualTo(200));
            assertThat(node.isUp()).isTrue();
            assertThat(ready).as("the readiness callback saw SelfUp").isTrue();
            HttpResponse<String> members = get(management.resolve("/cluster/members"));
            assertThat(members.statusCode()).isEqualTo(200);
            assertThat(members.body()).contains("\"node\":\"pekko://mobl@127.0.0.1:" + port + "\"")
                    .contains("\"status\":\"Up\"").contains("\"roles\":[\"coordinator\",\"worker\"");
            assertThat(node.membersUp()).isEqualTo(1);
            node.close();
            assertThat(node.whenTerminated()).isDone();
            assertThat(ready).as("removed on leaving").isFalse();
        }
    }

    @Test
    void aMemberWhosePortsAreTakenIsRefusedNamingTheOption() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            int busy = taken.getLocalPort();
            NodeSettings onBusyPort = NodeSettings.of(List.of("127.0.0.1:" + busy), null, "127.0.0.1", busy,
                    List.of("worker"), NodeSettings.ANY_FREE_PORT);
            assertThatThrownBy(() -> ClusterNode.start(onBusyPort, base(), up -> {}))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageStartingWith("--port = 127.0.0.1:" + busy + ": expected an address this process can bind");
            int port = freePort();
            NodeSettings busyManagement = NodeSettings.of(List.of("127.0.0.1:" + port), null, "127.0.0.1", port,
                    List.of("worker"), busy);
            assertThatThrownBy(() -> ClusterNode.start(busyManagement, base(), up -> {}))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageStartingWith("--management-port = 127.0.0.1:" + busy + ": expected an address this process can bind");
        }
    }
}
