package io.mobl.streams.kafka;

import io.mobl.protocol.InvalidInputException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedKafkaBrokerTest {

    @Test
    void startsCreatesTopicsAndCleansUp() throws Exception {
        Path dir;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            dir = broker.directory();
            assertThat(broker.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");
            assertThat(Files.isDirectory(dir)).isTrue();
            Admin admin = broker.admin();

            broker.createTopic("plain", 3, false);
            broker.createTopic("compact", 1, true);
            Map<String, TopicDescription> d = admin.describeTopics(List.of("plain", "compact")).allTopicNames().get(10, TimeUnit.SECONDS);
            assertThat(d.get("plain").partitions()).hasSize(3);
            assertThat(cleanupPolicy(admin, "compact")).isEqualTo("compact");
            assertThat(cleanupPolicy(admin, "plain")).isEqualTo("delete");

            Set<String> created = Topics.ensure(admin, "r1");
            assertThat(created).containsExactlyInAnyOrder("mobl.r1.lower", "mobl.r1.upper", "mobl.telemetry",
                    "mobl.pareto", "mobl.control", "mobl.checkpoints", "mobl.dlq");
            assertThat(Topics.ensure(admin, "r1")).isEmpty();
            assertThat(Topics.ensure(admin, "r2")).containsExactlyInAnyOrder("mobl.r2.lower", "mobl.r2.upper");
            assertThat(cleanupPolicy(admin, Topics.PARETO)).isEqualTo("compact");
            assertThat(cleanupPolicy(admin, Topics.CHECKPOINTS)).isEqualTo("compact");
            assertThat(cleanupPolicy(admin, Topics.TELEMETRY)).isEqualTo("delete");
        }
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void runNamesMustFitInTopicNames() {
        assertThat(Topics.lower("exp-1.a_b")).isEqualTo("mobl.exp-1.a_b.lower");
        assertThat(Topics.upper("r")).isEqualTo("mobl.r.upper");
        assertThatThrownBy(() -> Topics.lower("a/b")).isInstanceOf(InvalidInputException.class).hasMessageStartingWith("run = a/b");
        assertThatThrownBy(() -> Topics.lower("")).isInstanceOf(InvalidInputException.class);
    }

    private static String cleanupPolicy(Admin admin, String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config c = admin.describeConfigs(List.of(r)).all().get(10, TimeUnit.SECONDS).get(r);
        return c.get("cleanup.policy").value();
    }
}
