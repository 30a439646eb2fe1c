package io.mobl.streams.kafka;

import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.codec.MinibatchCodec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes minibatches to a topic (kafka-clients producer, {@code acks=all}, idempotent), optionally at a
 * limited rate and in several passes (epochs). Keys: the batch id for lower-level data, the objective number
 * for upper-level data (so each objective's batches stay in order in one partition: the one the default
 * partitioner gives the key, where {@link KafkaBatchSource} reads the objective).
 *
 * <p><b>Lower-level batches go round robin over the topic's partitions</b> (the i-th one this producer sends to a
 * topic to partition i mod P, whatever its key), so the partitions fill evenly and the i-th batch sits at offset
 * about i / P. The source reads lower-level batches in (offset, partition) order, which is then the order they
 * were produced in, and no partition runs dry while another still holds batches; with the default partitioner
 * (a hash of the batch id) the partitions drift apart and the reader would wait on the drier one.
 *
 * <p>In epoch e ≥ 1 a batch is sent as {@code <batchId>~e<e>}: a replayed data set is new data to the solver,
 * and must not be mistaken for a replay of the same record by the consumer's replay window.
 */
public final class MinibatchProducer implements AutoCloseable {

    /**
     * @param recordsPerSecond at most this many records per second (0: as fast as the broker takes them)
     * @param epochs           passes over the batches; {@link #FOREVER} loops until {@link #stop()}
     */
    public record Options(double recordsPerSecond, long epochs) {
        public static final long FOREVER = Long.MAX_VALUE;

        public Options {
            if (!(recordsPerSecond >= 0) || Double.isInfinite(recordsPerSecond)) {
                throw new InvalidInputException("recordsPerSecond", recordsPerSecond, "a finite number >= 0 (0 = unlimited)");
            }
            if (epochs < 1) throw new InvalidInputException("epochs", epochs, "an integer >= 1");
        }

        public static Options once() { return new Options(0, 1); }

        public Options withRate(double perSecond) { return new Options(perSecond, epochs); }

        public Options withEpochs(long n) { return new Options(recordsPerSecond, n); }

        public Options looping() { return new Options(recordsPerSecond, FOREVER); }
    }

    private final Producer<String, byte[]> producer;
    /** Per topic: its partition count and how many lower-level batches this producer has sent to it. */
    private final Map<String, int[]> lowerTurns = new HashMap<>();
    private final AtomicLong acknowledged = new AtomicLong();
    private volatile boolean stopped;

    public MinibatchProducer(String bootstrapServers) {
        this(bootstrapServers, Map.of());
    }

    /** @param producerProperties extra Kafka producer properties (they win over the defaults) */
    public MinibatchProducer(String bootstrapServers, Map<String, Object> producerProperties) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        props.putAll(producerProperties);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** The Kafka key of a minibatch: batch id (lower-level data) or objective number (upper-level data). */
    public static String keyOf(Minibatch b) {
        return b.isLower() ? b.batchId() : Integer.toString(b.objective());
    }

    /** Sends every batch once, as fast as possible; see {@link #produce(String, Iterable, Options)}. */
    public long produce(String topic, Iterable<Minibatch> batches) {
        return produce(topic, batches, Options.once());
    }

    /**
     * Sends the batches, blocking until every record is acknowledged; returns how many were sent. Throws
     * {@link KafkaException} with the first send failure. {@link #stop()} (from another thread) ends it early.
     */
    public long produce(String topic, Iterable<Minibatch> batches, Options options) {
        return produce(b -> topic, batches, options);
    }

    /** Each batch to its level's topic: lower-level ones to {@code topics.lower()}, the others to {@code topics.upper()}. */
    public long produce(TopicNames topics, Iterable<Minibatch> batches, Options options) {
        return produce(b -> b.isLower() ? topics.lower() : topics.upper(), batches, options);
    }

    /**
     * As {@link #produce(String, Iterable, Options)}, each batch to the topic {@code topicOf} names; the rate counts
     * the records of all topics together.
     */
    public long produce(java.util.function.Function<Minibatch, String> topicOf, Iterable<Minibatch> batches, Options options) {
        return produce(topicOf, batches, options, MinibatchCodec::encode);
    }

    /**
     * As {@link #produce(java.util.function.Function, Iterable, Options)}, each batch written as {@code encoding}
     * makes it: e.g. a one-row batch as an ordinary per-example record ({@link io.mobl.protocol.codec.ExampleRecords},
     * read back by {@link KafkaBatchSource#startRecords}). Keys and partitions as for minibatches.
     */
    public long produce(java.util.function.Function<Minibatch, String> topicOf, Iterable<Minibatch> batches, Options options,
                        java.util.function.Function<Minibatch, byte[]> encoding) {
        String topic = "the minibatch topics";
        stopped = false;
        AtomicReference<Exception> firstError = new AtomicReference<>();
        long intervalNanos = options.recordsPerSecond() > 0 ? (long) (1e9 / options.recordsPerSecond()) : 0;
        long nextAt = System.nanoTime();
        long count = 0;
        outer:
        for (long epoch = 0; epoch < options.epochs(); epoch++) {
            boolean any = false;
            for (Minibatch b : batches) {
                any = true;
                if (stopped || firstError.get() != null) break outer;
                if (intervalNanos > 0) {
                    long wait = nextAt - System.nanoTime();
                    if (wait > 0) LockSupport.parkNanos(wait);
                    nextAt += intervalNanos;
                }
                Minibatch out = epoch == 0 ? b : b.withBatchId(b.batchId() + "~e" + epoch);
                topic = topicOf.apply(out);
                producer.send(new ProducerRecord<>(topic, partitionFor(topic, out), keyOf(out), encoding.apply(out)), (md, e) -> {
                    if (e == null) acknowledged.incrementAndGet();
                    else firstError.compareAndSet(null, e);
                });
                count++;
            }
            if (!any) break;
        }
        producer.flush();
        if (firstError.get() != null) {
            throw new KafkaException("sending minibatches to " + topic + " failed: " + firstError.get().getMessage(), firstError.get());
        }
        return count;
    }

    /** Lower-level batches: the next partition of the topic in turn; upper-level ones: null (the key decides). */
    private Integer partitionFor(String topic, Minibatch b) {
        if (!b.isLower()) return null;
        int[] turn = lowerTurns.computeIfAbsent(topic, t -> new int[] {producer.partitionsFor(t).size(), 0});
        int partition = turn[1];
        turn[1] = (partition + 1) % turn[0];
        return partition;
    }

    /** Ends a running {@link #produce} after the record it is sending. */
    public void stop() { stopped = true; }

    /** Records the broker has acknowledged, over the producer's life. */
    public long acknowledged() { return acknowledged.get(); }

    @Override
    public void close() { producer.close(Duration.ofSeconds(10)); }
}
