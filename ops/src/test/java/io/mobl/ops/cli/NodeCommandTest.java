package io.mobl.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code mobl node}'s options: where their defaults come from, and one clear line for each kind of mistake. */
class NodeCommandTest extends CliTest {

    private int node(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        String[] all = new String[args.length + 1];
        all[0] = "node";
        System.arraycopy(args, 0, all, 1, args.length);
        return mobl(all);
    }

    @Test
    void everyOptionReadsItsKeyUnderMoblNode() {
        ConfigDefaults defaults = ConfigDefaults.load(Optional.empty(), Map.of());
        assertThat(defaults.keyOf("node", "--seed-nodes")).hasValue("mobl.node.seed-nodes");
        assertThat(defaults.keyOf("node", "--discovery-method")).hasValue("mobl.node.discovery-method");
        assertThat(defaults.keyOf("node", "--host")).hasValue("mobl.node.host");
        assertThat(defaults.keyOf("node", "--port")).hasValue("mobl.node.port");
        assertThat(defaults.keyOf("node", "--roles")).hasValue("mobl.node.roles");
        assertThat(defaults.keyOf("node", "--management-port")).hasValue("mobl.node.management-port");
        assertThat(defaults.keyOf("node", "--metrics-port")).hasValue("mobl.metrics.port");
        assertThat(node("--help")).isZero();
        String help = out.toString().replaceAll("\\s+", " ");
        assertThat(help).contains("Default: 17355").contains("Default: 7626").contains("Default: coordinator,worker")
                .contains("Default: 127.0.0.1").doesNotContain("null");
    }

    @Test
    void badAddressesAndPortsGiveOneLineNamingTheOption() {
        assertThat(node("--seed-nodes", "127.0.0.1:17355", "--port", "70000")).isEqualTo(2);
        assertThat(err.toString()).hasLineCount(1)
                .startsWith("mobl: --port = 70000: expected a port in 1..65535, or -1 for any free port");

        assertThat(node("--seed-nodes", "127.0.0.1:17355,node-b", "--metrics-port", "0")).isEqualTo(2);
        assertThat(err.toString()).hasLineCount(1)
                .startsWith("mobl: --seed-nodes[1] = node-b: expected host:port of a member's canonical address");

        assertThat(node("--seed-nodes", "pekko://other@10.0.0.1:17355")).isEqualTo(2);
        assertThat(err.toString()).contains("--seed-nodes[0]").contains("an address of the actor system mobl");

        assertThat(node("--seed-nodes", "127.0.0.1:99999")).isEqualTo(2);
        assertThat(err.toString()).contains("--seed-nodes[0] = 127.0.0.1:99999").contains("a port in 1..65535");

        assertThat(node("--seed-nodes", "127.0.0.1:17355", "--host", "no-such-host.invalid")).isEqualTo(2);
        assertThat(err.toString()).startsWith("mobl: --host = no-such-host.invalid").contains("does not resolve");

        assertThat(node("--seed-nodes", "127.0.0.1:17355", "--management-port", "0")).isEqualTo(2);
        assertThat(err.toString()).startsWith("mobl: --management-port = 0: expected a port in 1..65535");

        assertThat(node("--seed-nodes", "127.0.0.1:17355", "--port", "7000", "--management-port", "7000")).isEqualTo(2);
        assertThat(err.toString()).contains("--management-port = 7000: expected a port other than --port");

        assertThat(node("--seed-nodes", "127.0.0.1:17355", "--roles", "worker,co ordinator")).isEqualTo(2);
        assertThat(err.toString()).contains("--roles[1] = co ordinator");
    }

    @Test
    void withoutSeedNodesADiscoveryMethodIsNeededAndNotBoth() {
        assertThat(node()).isEqualTo(2);
        assertThat(err.toString()).hasLineCount(1).startsWith("mobl: --seed-nodes = : expected the members to join")
                .contains("--discovery-method");
        assertThat(node("--discovery-method", "kubernetes-api", "--metrics-port", "0")).isEqualTo(2);
        assertThat(err.toString()).as("cluster bootstrap is in the Kubernetes image only").hasLineCount(1)
                .startsWith("mobl: --discovery-method = kubernetes-api: expected --seed-nodes instead, or a build with cluster bootstrap")
                .contains("-Pkubernetes");
        assertThat(node("--seed-nodes", "127.0.0.1:17355", "--discovery-method", "kubernetes-api")).isEqualTo(2);
        assertThat(err.toString()).contains("--discovery-method = kubernetes-api: expected empty when --seed-nodes is given");
    }

    @Test
    void aWrongValueFromTheConfigurationSaysWhereItCameFrom() {
        assertThat(mobl("node", "--set", "mobl.node.port=123456", "--seed-nodes", "127.0.0.1:17355")).isEqualTo(2);
        // refused at start by the key's check, which the --port option passes too
        assertThat(err.toString()).contains("mobl.node.port = \"123456\": expected a port in 1..65535, or -1 for any free port")
                .contains("set at --set mobl.node.port=123456");
        assertThat(mobl("node", "--port", "123456", "--seed-nodes", "127.0.0.1:17355")).isEqualTo(2);
        assertThat(err.toString()).contains("--port = 123456: expected a port in 1..65535");
    }
}
