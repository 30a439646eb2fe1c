package io.mobl.ops.cluster;

import static io.mobl.ops.cluster.ClusterNodeTest.await;
import static io.mobl.ops.cluster.ClusterNodeTest.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code mobl node} processes on 127.0.0.1 form a cluster; one is killed with SIGKILL and the two others, the
 * majority, down it through the split-brain resolver and stay ready; then one of them gets SIGTERM and leaves
 * gracefully (coordinated shutdown), so the last one stays up alone. Real JVMs, real sockets, the real management
 * and metrics endpoints; the split-brain resolver's stable-after is 2 s instead of 20 s to keep this short.
 */
@Timeout(240)
class NodeProcessesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern MANAGEMENT = Pattern.compile("management: (http://\\S+) ");
    private static final Pattern METRICS = Pattern.compile("metrics: (http://\\S+)/metrics");

    @TempDir Path dir;
    private final List<Node> nodes = new ArrayList<>();

    /** One child JVM running {@code mobl node}; what it prints goes to files. */
    record Node(int index, int port, Process process, Path stdoutFile, Path stderr) {
        String address() {
            return "pekko://mobl@127.0.0.1:" + port;
        }

        String stdout() throws IOException {
            return Files.readString(stdoutFile);
        }

        String log() throws IOException {
            return Files.readString(stderr);
        }

        /** The endpoint it printed on the line that starts with {@code pattern}. */
        URI printed(Pattern pattern) throws IOException {
            Matcher m = pattern.matcher(stdout());
            if (!m.find()) throw new AssertionError("node " + index + " has not printed " + pattern + " yet: " + stdout());
            return URI.create(m.group(1));
        }

        URI management() throws IOException {
            return printed(MANAGEMENT);
        }

        URI metrics() throws IOException {
            return printed(METRICS);
        }
    }

    /** The test's own class path: target/classes and every dependency jar, as the launcher gives ops. */
    static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private Node start(int index, int port, String seeds) throws IOException {
        Path stdout = dir.resolve("node-" + index + ".out");
        Path stderr = dir.resolve("node-" + index + ".log");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
                "-cp", classPath(), "io.mobl.ops.cli.Main", "node",
                "--seed-nodes", seeds, "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--management-port", "-1", "--metrics-port", "-1", "--roles", "worker",
                "--set", "pekko.cluster.split-brain-resolver.stable-after=2s");
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        Node node = new Node(index, port, process, stdout, stderr);
        nodes.add(node);
        return node;
    }

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Node node : nodes) node.process().destroyForcibly();
        for (Node node : nodes) node.process().waitFor(10, TimeUnit.SECONDS);
    }

    /** The members a node lists as Up, and the ones it cannot reach, from Pekko Management's /cluster/members. */
    static JsonNode members(Node node) throws Exception {
        var response = get(node.management().resolve("/cluster/members"));
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    static List<String> up(JsonNode members) {
        List<String> up = new ArrayList<>();
        for (JsonNode member : members.get("members")) {
            if (member.get("status").asText().equals("Up")) up.add(member.get("node").asText());
        }
        return up;
    }

    static int ready(Node node) throws Exception {
        return get(node.management().resolve("/ready")).statusCode();
    }

    @Test
    void threeNodesFormAClusterAndTheMajorityDownsAKilledOneAndStaysReady() throws Exception {
        int[] ports = {ClusterNodeTest.freePort(), ClusterNodeTest.freePort(), ClusterNodeTest.freePort()};
        String seeds = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
        for (int i = 0; i < 3; i++) start(i, ports[i], seeds);
        List<String> all = nodes.stream().map(Node::address).toList();

        for (Node node : nodes) {
            await("node " + node.index() + " is ready and sees three members Up",
                    Duration.ofSeconds(90), () -> {
                        assertThat(node.process().isAlive()).as(node.log()).isTrue();
                        assertThat(ready(node)).isEqualTo(200);
                        assertThat(up(members(node))).containsExactlyInAnyOrderElementsOf(all);
                    });
        }
        URI metrics = nodes.get(0).metrics();
        assertThat(get(metrics.resolve("/metrics")).body()).contains("mobl_cluster_members{status=\"up\"} 3.0");
        assertThat(get(metrics.resolve("/ready")).statusCode()).isEqualTo(200);

        Node killed = nodes.get(2);
        killed.process().destroyForcibly(); // SIGKILL: no goodbye to the cluster
        assertThat(killed.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
        List<Node> majority = nodes.subList(0, 2);
        for (Node node : majority) {
            await("node " + node.index() + " has downed and removed the killed node", Duration.ofSeconds(60), () -> {
                JsonNode members = members(node);
                assertThat(up(members)).containsExactlyInAnyOrder(all.get(0), all.get(1));
                assertThat(members.get("members")).hasSize(2);
                assertThat(members.get("unreachable")).isEmpty();
                assertThat(ready(node)).isEqualTo(200);
            });
        }
        String leaderLog = nodes.get(0).log() + nodes.get(1).log();
        assertThat(leaderLog).as("the split-brain resolver downed it").contains("member " + killed.address() + " was downed");
        assertThat(get(metrics.resolve("/metrics")).body()).contains("mobl_cluster_members{status=\"up\"} 2.0")
                .contains("mobl_cluster_members{status=\"unreachable\"} 0.0");

        Node leaving = nodes.get(1);
        leaving.process().destroy(); // SIGTERM: coordinated shutdown leaves the cluster first
        assertThat(leaving.process().waitFor(60, TimeUnit.SECONDS)).as(leaving.log()).isTrue();
        assertThat(leaving.process().exitValue()).as("killed by SIGTERM, after the hooks ran").isEqualTo(143);
        assertThat(leaving.stdout()).as(leaving.log()).contains("left the cluster (JvmExitReason)");
        Node last = nodes.get(0);
        await("the last node sees the leaver removed and stays ready", Duration.ofSeconds(30), () -> {
            assertThat(up(members(last))).containsExactly(all.get(0));
            assertThat(ready(last)).isEqualTo(200);
        });
        assertThat(last.log()).contains("member " + leaving.address() + " is Removed")
                .doesNotContain("member " + leaving.address() + " was downed");
        assertThat(last.process().isAlive()).isTrue();
    }
}
