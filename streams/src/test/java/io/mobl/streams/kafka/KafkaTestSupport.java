package io.mobl.streams.kafka;

import io.mobl.protocol.Minibatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Small helpers shared by the Kafka tests. */
final class KafkaTestSupport {
    private KafkaTestSupport() {}

    static Minibatch batch(String id, int objective, int seed) {
        int rows = 2, d = 4, l = 1;
        double[] f = new double[rows * d];
        double[] y = new double[rows * l];
        for (int i = 0; i < f.length; i++) f[i] = seed + i * 0.5;
        for (int i = 0; i < y.length; i++) y[i] = (seed + i) % 2;
        return new Minibatch(id, objective, Minibatch.Dtype.FLOAT64, rows, d, l, f, y, new long[] {2L * seed, 2L * seed + 1});
    }

    static List<Minibatch> batches(String prefix, int n) {
        List<Minibatch> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(batch(prefix + "-" + i, Minibatch.LOWER, i));
        return out;
    }

    static Map<TopicPartition, OffsetAndMetadata> committed(Admin admin, String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    }

    static long committedTotal(Admin admin, String group) throws Exception {
        return committed(admin, group).values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            Thread.sleep(10);
        }
    }

    interface ThrowingSupplier<T> { T get() throws Exception; }

    static <T> T unchecked(ThrowingSupplier<T> s) {
        try {
            return s.get();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    /** The first {@code n} records of partition 0 of a topic, read from its start (fewer if 20 s pass first). */
    static List<ConsumerRecord<byte[], byte[]>> readFromStart(String bootstrapServers, String topic, int n) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (out.size() < n && System.nanoTime() < deadline) c.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        return out;
    }

    /** A record header's value as text, or null when the record has no such header. */
    static String header(ConsumerRecord<?, ?> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
