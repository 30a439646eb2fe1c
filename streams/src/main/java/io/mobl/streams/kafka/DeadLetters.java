package io.mobl.streams.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes records that could not be used to the dead-letter topic ({@link TopicNames#dlq()}): the
 * original key and value, the original headers, and four headers (UTF-8 text) saying why and where from:
 * {@value #REASON}, {@value #SOURCE_TOPIC}, {@value #SOURCE_PARTITION}, {@value #SOURCE_OFFSET}.
 * Thread-safe; one instance can serve several sources.
 */
public final class DeadLetters implements AutoCloseable {
    public static final String REASON = "mobl.dlq.reason";
    public static final String SOURCE_TOPIC = "mobl.dlq.source.topic";
    public static final String SOURCE_PARTITION = "mobl.dlq.source.partition";
    public static final String SOURCE_OFFSET = "mobl.dlq.source.offset";
    /** Longest reason kept in the header, in characters. */
    public static final int MAX_REASON_CHARS = 1000;

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /** Publishes to {@code topics.dlq()}. */
    public DeadLetters(String bootstrapServers, TopicNames topics) {
        this(bootstrapServers, topics, Map.of());
    }

    /** @param producerProperties extra Kafka producer properties (security, timeouts, ...) */
    public DeadLetters(String bootstrapServers, TopicNames topics, Map<String, Object> producerProperties) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "mobl-dlq-" + Integer.toHexString(System.identityHashCode(this)));
        props.putAll(producerProperties);
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topics.dlq();
    }

    /**
     * Sends the failed record to the dead-letter topic. The stage completes when the broker has it (acks=all)
     * or with the send's failure; either way the record is counted ({@link #count()} or {@link #failures()}).
     */
    public CompletionStage<RecordMetadata> publish(ConsumerRecord<byte[], byte[]> failedRecord, String reason) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : failedRecord.headers()) headers.add(h);
        String why = reason == null ? "unknown" : reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS - 3) + "..." : reason;
        headers.add(REASON, utf8(why));
        headers.add(SOURCE_TOPIC, utf8(failedRecord.topic()));
        headers.add(SOURCE_PARTITION, utf8(Integer.toString(failedRecord.partition())));
        headers.add(SOURCE_OFFSET, utf8(Long.toString(failedRecord.offset())));
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(topic, null, failedRecord.key(), failedRecord.value(), headers);
        CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
        try {
            producer.send(out, (metadata, error) -> {
                if (error == null) {
                    published.incrementAndGet();
                    done.complete(metadata);
                } else {
                    failed.incrementAndGet();
                    log.error("could not dead-letter {}-{}@{} ({}): {}", failedRecord.topic(), failedRecord.partition(),
                            failedRecord.offset(), why, error.toString());
                    done.completeExceptionally(error);
                }
            });
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            log.error("could not dead-letter {}-{}@{} ({}): {}", failedRecord.topic(), failedRecord.partition(),
                    failedRecord.offset(), why, e.toString());
            done.completeExceptionally(e);
        }
        return done;
    }

    /** Records the broker has accepted into the dead-letter topic. */
    public long count() { return published.get(); }

    /** The counter behind {@link #count()}, for metrics. */
    public AtomicLong counter() { return published; }

    /** Records that could not be dead-lettered (the send failed). */
    public long failures() { return failed.get(); }

    public String topic() { return topic; }

    /** Blocks until every record published so far has been sent (or failed). */
    public void flush() { producer.flush(); }

    @Override
    public void close() { producer.close(Duration.ofSeconds(10)); }

    private static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }
}
