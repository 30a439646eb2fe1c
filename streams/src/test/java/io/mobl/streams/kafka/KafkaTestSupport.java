package io.mobl.streams.kafka;

import io.mobl.protocol.Minibatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

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
}
