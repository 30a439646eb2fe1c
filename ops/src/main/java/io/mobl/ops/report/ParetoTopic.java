package io.mobl.ops.report;

import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.codec.JsonCodec;
import io.mobl.protocol.codec.RecordDecodeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The Pareto front as the compacted {@code mobl.pareto} topic holds it now: every partition read from its
 * beginning to the end offset it had when the read began, keeping the latest point per record key (what
 * compaction will keep) and dropping keys whose latest record is a tombstone. No consumer group is joined and
 * no offset committed, so reading leaves no trace on the broker.
 *
 * <p>A record that does not decode is skipped and reported in {@link Front#skipped()}; a report reads, it is
 * not the stream that must route such records to the dead-letter topic.
 */
public final class ParetoTopic {
    private static final Duration POLL = Duration.ofMillis(200);

    private ParetoTopic() {}

    /**
     * What was read.
     *
     * @param points  the latest point of every key, in the order of those records (partition, then offset)
     * @param skipped one line per record that did not decode: where it was and why
     */
    public record Front(List<ParetoPoint> points, List<String> skipped) {
        public Front {
            points = List.copyOf(points);
            skipped = List.copyOf(skipped);
        }
    }

    /**
     * Reads {@code topic} to its current end.
     *
     * @param timeout how long the broker may take to answer and to hand over the records
     * @throws InvalidInputException if the broker cannot be reached or the topic does not exist
     */
    public static Front read(String bootstrapServers, String topic, Duration timeout) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new InvalidInputException("--bootstrap-servers", bootstrapServers,
                    "host:port of the Kafka broker that holds " + topic);
        }
        if (topic == null || topic.isBlank()) throw new InvalidInputException("--topic", topic, "a topic name");
        Objects.requireNonNull(timeout, "timeout");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties(bootstrapServers, timeout))) {
            List<TopicPartition> partitions = partitions(consumer, bootstrapServers, topic, timeout);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            return readUntil(consumer, ends, Instant.now().plus(timeout), bootstrapServers, topic);
        } catch (TimeoutException e) {
            throw unreachable(bootstrapServers, timeout);
        } catch (KafkaException e) {
            throw new InvalidInputException("--bootstrap-servers", bootstrapServers,
                    "a comma-separated list of host:port a Kafka client can use (" + e.getMessage() + ")");
        }
    }

    private static Front readUntil(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends,
                                   Instant deadline, String bootstrapServers, String topic) {
        Map<String, Latest> latest = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        while (!atEnd(consumer, ends)) {
            if (Instant.now().isAfter(deadline)) {
                throw new InvalidInputException("--topic", topic, "a topic whose records " + bootstrapServers
                        + " hands over in time (still short of the end offsets " + ends + ")");
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                if (record.offset() >= ends.get(new TopicPartition(record.topic(), record.partition()))) continue;
                String where = record.topic() + "-" + record.partition() + "@" + record.offset();
                String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
                if (record.value() == null) {
                    if (key != null) latest.remove(key);
                    continue;
                }
                ParetoPoint point;
                try {
                    point = JsonCodec.decodeParetoPoint(record.value());
                } catch (RecordDecodeException e) {
                    skipped.add(where + ": " + e.getMessage());
                    continue;
                }
                latest.put(key == null ? point.key() : key, new Latest(record.partition(), record.offset(), point));
            }
        }
        List<ParetoPoint> points = latest.values().stream()
                .sorted(Comparator.comparingInt(Latest::partition).thenComparingLong(Latest::offset))
                .map(Latest::point).toList();
        return new Front(points, skipped);
    }

    private record Latest(int partition, long offset, ParetoPoint point) {}

    private static boolean atEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) return false;
        }
        return true;
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String bootstrapServers,
                                                   String topic, Duration timeout) {
        Map<String, List<PartitionInfo>> topics = consumer.listTopics(timeout);
        List<PartitionInfo> infos = topics.get(topic);
        if (infos == null || infos.isEmpty()) {
            throw new InvalidInputException("--topic", topic, "a topic on " + bootstrapServers + ", one of "
                    + topics.keySet().stream().filter(name -> !name.startsWith("__")).sorted().toList());
        }
        return infos.stream().map(info -> new TopicPartition(topic, info.partition()))
                .sorted(Comparator.comparingInt(TopicPartition::partition)).toList();
    }

    private static InvalidInputException unreachable(String bootstrapServers, Duration timeout) {
        return new InvalidInputException("--bootstrap-servers", bootstrapServers,
                "a Kafka broker that answers (none did within " + timeout.toSeconds() + " s)");
    }

    private static Properties properties(String bootstrapServers, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "mobl-report");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.min(timeout.toMillis(), 30_000)));
        return props;
    }
}
