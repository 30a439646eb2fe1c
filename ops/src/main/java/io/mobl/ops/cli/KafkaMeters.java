package io.mobl.ops.cli;

import io.mobl.ops.metrics.MoblMetrics;
import io.mobl.streams.kafka.KafkaBatchSource;
import io.mobl.streams.kafka.Topics;
import java.time.Duration;
import java.util.Map;
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
 */
final class KafkaMeters implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaMeters.class);

    private final MoblMetrics metrics;
    private final KafkaBatchSource source;
    private final Admin admin;
    private final String run;
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
        metrics.watchBatchesConsumed(run, () -> source.stats().handedOut());
        metrics.watchDeadLetters(source.settings().topics().lower(), () -> source.stats().deadLetteredLower());
        metrics.watchDeadLetters(source.settings().topics().upper(), () -> source.stats().deadLetteredUpper());
        timer.scheduleWithFixedDelay(this::update, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    synchronized void update() {
        try {
            lag(source.settings().topics().lower(), source.settings().groups().lower());
            lag(source.settings().topics().upper(), source.settings().groups().upper());
        } catch (Exception e) {
            LOG.debug("could not update the Kafka meters: {}", e.toString());
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
        update(); // the lag after the last commits
    }
}
