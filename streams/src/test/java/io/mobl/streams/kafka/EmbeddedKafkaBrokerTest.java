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

            Set<String> created = Topics.ensure(admin, TopicNames.defaults("r1"));
            assertThat(created).containsExactlyInAnyOrder("mobl.r1.lower", "mobl.r1.upper", "mobl.telemetry",
                    "mobl.pareto", "mobl.control", "mobl.checkpoints", "mobl.dlq");
            assertThat(Topics.ensure(admin, TopicNames.defaults("r1"))).isEmpty();
            assertThat(Topics.ensure(admin, TopicNames.defaults("r2"))).containsExactlyInAnyOrder("mobl.r2.lower", "mobl.r2.upper");
            assertThat(cleanupPolicy(admin, TopicNames.defaults("r1").pareto())).isEqualTo("compact");
            assertThat(cleanupPolicy(admin, TopicNames.defaults("r1").checkpoints())).isEqualTo("compact");
            assertThat(cleanupPolicy(admin, TopicNames.defaults("r1").telemetry())).isEqualTo("delete");
        }
        assertThat(Files.exists(dir)).isFalse();
    }

    /**
     * A stopped broker comes back on its directory and ports: what was committed before is there, and a client
     * that kept its connection settings across the restart (a producer and a consumer group) goes on.
     */
    @Test
    void aStoppedBrokerRestartsOnTheSameDataAndPorts() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
            String bootstrap = broker.bootstrapServers();
            broker.createTopic("kept", 2, false);
            producer.produce("kept", KafkaTestSupport.batches("before", 10));
            broker.admin().alterConsumerGroupOffsets("g", Map.of(new org.apache.kafka.common.TopicPartition("kept", 0),
                    new org.apache.kafka.clients.consumer.OffsetAndMetadata(3, "m"))).all().get(10, TimeUnit.SECONDS);
            broker.stop();
            assertThat(broker.running()).isFalse();
            broker.restart();
            assertThat(broker.running()).isTrue();
            assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);
            producer.produce("kept", KafkaTestSupport.batches("after", 10));
            assertThat(KafkaTestSupport.committed(broker.admin(), "g").get(new org.apache.kafka.common.TopicPartition("kept", 0)))
                    .isEqualTo(new org.apache.kafka.clients.consumer.OffsetAndMetadata(3, "m"));
            var ends = Topics.endOffsets(broker.admin(), "kept", java.time.Duration.ofSeconds(10));
            assertThat(ends.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(20);
        }
    }

    @Test
    void runNamesMustFitInTopicNames() {
        assertThat(TopicNames.defaults("exp-1.a_b").lower()).isEqualTo("mobl.exp-1.a_b.lower");
        assertThat(TopicNames.defaults("r").upper()).isEqualTo("mobl.r.upper");
        assertThatThrownBy(() -> TopicNames.defaults("a/b").lower()).isInstanceOf(InvalidInputException.class).hasMessageStartingWith("run = a/b");
        assertThatThrownBy(() -> TopicNames.defaults("").lower()).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void topicNamesAreKafkaTopicNamesAndTheTwoLevelsHaveTheirOwn() {
        TopicNames d = TopicNames.defaults("r");
        assertThat(d.all()).containsExactly("mobl.r.lower", "mobl.r.upper", "mobl.telemetry", "mobl.pareto", "mobl.control",
                "mobl.checkpoints", "mobl.dlq");
        assertThat(d.withDlq("my.dlq").dlq()).isEqualTo("my.dlq");
        assertThatThrownBy(() -> d.withDlq("a dlq")).isInstanceOf(InvalidInputException.class).hasMessageStartingWith("topics.dlq = a dlq");
        assertThatThrownBy(() -> d.withControl("x".repeat(250))).isInstanceOf(InvalidInputException.class).hasMessageContaining("topics.control");
        assertThatThrownBy(() -> new TopicNames("same", "same", "t", "p", "c", "k", "d"))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("topics.upper = same");
    }

    private static String cleanupPolicy(Admin admin, String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config c = admin.describeConfigs(List.of(r)).all().get(10, TimeUnit.SECONDS).get(r);
        return c.get("cleanup.policy").value();
    }
}
