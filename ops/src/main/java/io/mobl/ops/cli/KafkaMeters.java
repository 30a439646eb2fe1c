package io.mobl.ops.cli;

import io.mobl.ops.metrics.MoblMetrics;
import io.mobl.streams.kafka.KafkaBatchSource;
import io.mobl.streams.kafka.Topics;
import io.mobl.streams.kafka.ConsumerGroups;
import io.mobl.streams.kafka.DeadLetters;
import io.mobl.streams.kafka.TopicNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the ops meters of a Kafka-fed run (DESIGN §6) from outside the hot path: minibatches consumed and
 * dead-lettered records are the counters {@link KafkaBatchSource#stats()} keeps anyway, read at each scrape; the
 * consumer lag of each partition of the run's data topics (log-end offset − committed offset of the run's groups)
 * is asked of the admin client once per period.
 *
 * <p>A sweep whose sources it cannot see (one per preference, each with its own groups, {@link #ofGroups}) is
 * metered from the broker alone: consumed = the records its groups have committed past, lag = log end minus the
 * slowest group's committed offset, and dead letters = the records of the dead-letter topic that name one of the
 * run's data topics as their source ({@link DeadLetters#SOURCE_TOPIC}).
 */
final class KafkaMeters implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaMeters.class);

    private final MoblMetrics metrics;
    private final KafkaBatchSource source;
    private final Admin admin;
    private final String run;
    /** {@link #ofGroups}: the data topics, the sweep's groups, and what was read of the dead-letter topic. */
    private final TopicNames topics;
    private final List<ConsumerGroups> groups;
    private final AtomicLong consumed = new AtomicLong();
    private final Map<String, AtomicLong> deadLettered = new ConcurrentHashMap<>();
    private KafkaConsumer<byte[], byte[]> dlq;
    /** Where the dead-letter topic ended when metering began (a partition not listed: its beginning). */
    private Map<TopicPartition, Long> dlqStart = Map.of();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mobl-kafka-meters");
        t.setDaemon(true);
        return t;
    });

    KafkaMeters(MoblMetrics metrics, KafkaBatchSource source, Admin admin, Duration period) {
        this.metrics = metrics;
        this.source = source;
        this.admin = admin;
        this.run = source.settings().run();
        this.topics = null;
        this.groups = List.of();
        metrics.watchBatchesConsumed(run, () -> source.stats().handedOut());
        metrics.watchDeadLetters(source.settings().topics().lower(), () -> source.stats().deadLetteredLower());
        metrics.watchDeadLetters(source.settings().topics().upper(), () -> source.stats().deadLetteredUpper());
        timer.scheduleWithFixedDelay(this::update, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private KafkaMeters(MoblMetrics metrics, Admin admin, String run, String bootstrapServers, TopicNames topics,
                        List<ConsumerGroups> groups, Duration period) {
        this.metrics = metrics;
        this.source = null;
        this.admin = admin;
        this.run = run;
        this.topics = topics;
        this.groups = List.copyOf(groups);
        metrics.watchBatchesConsumed(run, consumed::get);
        for (String topic : List.of(topics.lower(), topics.upper())) {
            AtomicLong n = new AtomicLong();
            deadLettered.put(topic, n);
            metrics.watchDeadLetters(topic, n::get);
        }
        dlq = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            dlqStart = Topics.endOffsets(admin, topics.dlq(), Duration.ofSeconds(5)); // this run's dead letters come after
        } catch (Exception noTopicYet) {
            LOG.debug("the dead-letter topic {} is not there yet: counting from its beginning ({})", topics.dlq(), noTopicYet.toString());
        }
        timer.scheduleWithFixedDelay(this::update, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Meters a sweep from the broker: its preferences' consumer groups over the run's data topics, and the dead
     * letters that arrive from now on.
     */
    static KafkaMeters ofGroups(MoblMetrics metrics, Admin admin, String run, String bootstrapServers, TopicNames topics,
                                List<ConsumerGroups> groups, Duration period) {
        return new KafkaMeters(metrics, admin, run, bootstrapServers, topics, groups, period);
    }

    synchronized void update() {
        try {
            if (source != null) {
                lag(source.settings().topics().lower(), source.settings().groups().lower());
                lag(source.settings().topics().upper(), source.settings().groups().upper());
            } else {
                long committed = groupLag(topics.lower(), groups.stream().map(ConsumerGroups::lower).toList())
                        + groupLag(topics.upper(), groups.stream().map(ConsumerGroups::upper).toList());
                consumed.set(committed);
                countDeadLetters();
            }
        } catch (Exception e) {
            LOG.debug("could not update the Kafka meters: {}", e.toString());
        }
    }

    /** Sets each partition's lag behind the slowest group; returns the records all groups together committed past. */
    private long groupLag(String topic, List<String> groupIds) throws Exception {
        Map<TopicPartition, Long> ends = Topics.endOffsets(admin, topic, Duration.ofSeconds(5));
        Map<TopicPartition, Long> slowest = new java.util.HashMap<>();
        long total = 0;
        for (String group : groupIds) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            for (TopicPartition p : ends.keySet()) {
                OffsetAndMetadata c = committed.get(p);
                long at = c == null ? 0 : c.offset();
                total += at;
                slowest.merge(p, at, Math::min);
            }
        }
        ends.forEach((p, end) -> metrics.setLag(topic, p.partition(), Math.max(0, end - slowest.getOrDefault(p, 0L))));
        return total;
    }

    /** Reads what arrived on the dead-letter topic since the last period and counts it by source topic. */
    private void countDeadLetters() {
        if (dlq.assignment().isEmpty()) {
            List<TopicPartition> parts = dlq.partitionsFor(topics.dlq(), Duration.ofSeconds(5)).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            if (parts.isEmpty()) return;
            dlq.assign(parts);
            parts.forEach(p -> dlq.seek(p, dlqStart.getOrDefault(p, 0L))); // the dead letters of this run, not of earlier ones
        }
        for (ConsumerRecord<byte[], byte[]> r : dlq.poll(Duration.ofMillis(50))) {
            Header h = r.headers().lastHeader(DeadLetters.SOURCE_TOPIC);
            AtomicLong n = h == null ? null : deadLettered.get(new String(h.value(), StandardCharsets.UTF_8));
            if (n != null) n.incrementAndGet();
        }
    }

    private void lag(String topic, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
        Topics.endOffsets(admin, topic, Duration.ofSeconds(5)).forEach((partition, end) -> {
            OffsetAndMetadata c = committed.get(partition);
            metrics.setLag(topic, partition.partition(), Math.max(0, end - (c == null ? 0 : c.offset())));
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        update(); // the lag after the last commits
        if (dlq != null) dlq.close(Duration.ofSeconds(1));
    }
}
