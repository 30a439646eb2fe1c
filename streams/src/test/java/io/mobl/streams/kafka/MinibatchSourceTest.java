package io.mobl.streams.kafka;

import io.mobl.protocol.Minibatch;
import io.mobl.protocol.codec.MinibatchCodec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static io.mobl.streams.kafka.KafkaTestSupport.await;
import static io.mobl.streams.kafka.KafkaTestSupport.batch;
import static io.mobl.streams.kafka.KafkaTestSupport.batches;
import static io.mobl.streams.kafka.KafkaTestSupport.committed;
import static io.mobl.streams.kafka.KafkaTestSupport.committedTotal;
import static io.mobl.streams.kafka.KafkaTestSupport.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** MinibatchSource against a real embedded KRaft broker (one for the class). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MinibatchSourceTest extends BrokerTest {
    private static MinibatchSource.Settings settings(String group, String topic) {
        return MinibatchSource.Settings.of(broker.bootstrapServers(), group, topic)
                .withCommits(1000, Duration.ofMillis(100))
                .withCloseTimeout(Duration.ofSeconds(5));
    }

    @Test
    void tenThousandBatchesAreConsumedExactlyOnceAndCommitted() throws Exception {
        String topic = "a.lower";
        broker.createTopic(topic, 3, false);
        long t0 = System.nanoTime();
        try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
            assertThat(producer.produce(topic, batches("a", 10_000))).isEqualTo(10_000);
        }
        long t1 = System.nanoTime();
        Set<String> seen = new HashSet<>();
        try (BatchPuller puller = MinibatchSource.start(system, settings("group-a", topic).withBufferSize(64).withMaxPollRecords(500))) {
            long t2 = 0;
            for (int i = 0; i < 10_000; i++) {
                Delivered d = puller.take(Duration.ofSeconds(30));
                if (i == 0) t2 = System.nanoTime();
                assertThat(seen.add(d.batch().batchId())).as("delivered twice: %s", d).isTrue();
                assertThat(d.batch()).isEqualTo(batch(d.batch().batchId(), Minibatch.LOWER,
                        Integer.parseInt(d.batch().batchId().substring(2))));
                puller.commit(d);
            }
            long t3 = System.nanoTime();
            System.out.printf("10,000 batches: produced in %d ms, first batch after %d ms, the other 9,999 in %d ms%n",
                    (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
            assertThatThrownBy(() -> puller.take(Duration.ofMillis(300))).isInstanceOf(TimeoutException.class);
            assertThat(puller.stats().fetched()).isEqualTo(10_000);
            assertThat(puller.stats().deadLettered()).isZero();
        }
        assertThat(seen).hasSize(10_000);
        Map<TopicPartition, OffsetAndMetadata> offsets = committed(admin, "group-a");
        Map<TopicPartition, OffsetSpec> latest = offsets.keySet().stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
        assertThat(offsets).hasSize(3);
        for (TopicPartition tp : offsets.keySet()) assertThat(offsets.get(tp).offset()).as("%s", tp).isEqualTo(ends.get(tp).offset());
        assertThat(committedTotal(admin, "group-a")).isEqualTo(10_000);
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicAndTheStreamGoesOn() throws Exception {
        String topic = "b.lower";
        String dlq = "b.dlq";
        broker.createTopic(topic, 1, false);
        broker.createTopic(dlq, 1, false);

        record Poison(String name, byte[] value, String reason) {}
        Random random = new Random(42);
        byte[] noise = new byte[57];
        random.nextBytes(noise);
        noise[0] = 'Z';
        byte[] wrongVersion = MinibatchCodec.encode(batch("v", -1, 1));
        wrongVersion[4] = 9;
        byte[] wrongDims = MinibatchCodec.encode(batch("d", -1, 1));
        ByteBuffer.wrap(wrongDims).putInt(14, 5);
        byte[] nan = MinibatchCodec.encode(batch("n", -1, 1));
        ByteBuffer.wrap(nan).putDouble(24 + 1 + 2 * 8 + 5 * 8, Double.NaN);
        List<Poison> poisons = List.of(
                new Poison("noise", noise, "bad magic"),
                new Poison("version", wrongVersion, "unsupported schema version 9 (expected 1)"),
                new Poison("dims", wrongDims, "does not match header"),
                new Poison("nan", nan, "features[5] is NaN"),
                new Poison("tombstone", null, "null payload"),
                new Poison("empty", new byte[0], "truncated header: 0 bytes"),
                new Poison("json", "{\"not\":\"a minibatch\"}".getBytes(StandardCharsets.UTF_8), "bad magic"));

        Map<Long, Poison> poisonAt = new HashMap<>();
        int good = 60;
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            int p = 0;
            for (int i = 0; i < good; i++) {
                if (i % 8 == 3 && p < poisons.size()) {
                    Poison bad = poisons.get(p++);
                    RecordHeaders h = new RecordHeaders();
                    h.add("trace", ("t-" + bad.name()).getBytes(StandardCharsets.UTF_8));
                    long offset = raw.send(new ProducerRecord<>(topic, null, ("key-" + bad.name()).getBytes(StandardCharsets.UTF_8),
                            bad.value(), h)).get().offset();
                    poisonAt.put(offset, bad);
                }
                Minibatch b = batch("b-" + i, -1, i);
                raw.send(new ProducerRecord<>(topic, b.batchId().getBytes(StandardCharsets.UTF_8), MinibatchCodec.encode(b))).get();
            }
            assertThat(p).isEqualTo(poisons.size());
        }
        int total = good + poisons.size();

        try (DeadLetters deadLetters = new DeadLetters(broker.bootstrapServers(), dlq, Map.of());
             BatchPuller puller = MinibatchSource.start(system, settings("group-b", topic), deadLetters)) {
            for (int i = 0; i < good; i++) {
                Delivered d = puller.take(Duration.ofSeconds(30));
                assertThat(d.batch().batchId()).isEqualTo("b-" + i); // one partition: in order, none lost
                puller.commit(d);
            }
            await("all poison records dead-lettered", Duration.ofSeconds(20), () -> deadLetters.count() == poisons.size());
            assertThat(puller.deadLettered()).isEqualTo(poisons.size());
            assertThat(deadLetters.failures()).isZero();
            await("every offset committed, poison included", Duration.ofSeconds(20),
                    () -> KafkaTestSupport.unchecked(() -> committedTotal(admin, "group-b")) == total);
        }

        List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestSupport.readFromStart(broker.bootstrapServers(), dlq, poisons.size());
        assertThat(dead).hasSize(poisons.size());
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            long sourceOffset = Long.parseLong(header(r, DeadLetters.SOURCE_OFFSET));
            Poison bad = poisonAt.get(sourceOffset);
            assertThat(bad).as("dead letter from offset %d", sourceOffset).isNotNull();
            assertThat(header(r, DeadLetters.REASON)).as(bad.name()).contains(bad.reason());
            assertThat(header(r, DeadLetters.SOURCE_TOPIC)).isEqualTo(topic);
            assertThat(header(r, DeadLetters.SOURCE_PARTITION)).isEqualTo("0");
            assertThat(header(r, "trace")).isEqualTo("t-" + bad.name());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("key-" + bad.name());
            assertThat(r.value()).isEqualTo(bad.value());
        }
    }

    @Test
    void aSlowConsumerKeepsTheBufferBounded() throws Exception {
        String topic = "c.lower";
        broker.createTopic(topic, 1, false);
        try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
            producer.produce(topic, batches("c", 10_000));
        }
        int buffer = 32;
        int maxPoll = 200;
        AtomicLong maxUndelivered = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        try (BatchPuller puller = MinibatchSource.start(system, settings("group-c", topic).withBufferSize(buffer).withMaxPollRecords(maxPoll))) {
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    maxUndelivered.accumulateAndGet(puller.undelivered(), Math::max);
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            for (int i = 0; i < 200; i++) {
                Delivered d = puller.take(Duration.ofSeconds(30));
                puller.commit(d);
                Thread.sleep(2); // a slow solver
            }
            Thread.sleep(500); // a solver that stops asking for a while
            sampling.set(false);
            sampler.join();
            BatchPuller.Stats s = puller.stats();
            System.out.printf("back-pressure: delivered %d, fetched %d, max undelivered %d (buffer %d, max.poll.records %d)%n",
                    s.delivered(), s.fetched(), maxUndelivered.get(), buffer, maxPoll);
            assertThat(s.delivered()).isEqualTo(200);
            assertThat(maxUndelivered.get()).isLessThan(1000).isLessThanOrEqualTo(buffer + 8);
            assertThat(s.fetched()).isLessThanOrEqualTo(200 + buffer + 8);
        }
    }

    @Test
    void replaysAreSkippedAndOffsetsAreCommittedOnlyInOrder() throws Exception {
        String topic = "r.lower";
        broker.createTopic(topic, 1, false);
        Minibatch x0 = batch("x0", -1, 0), x1 = batch("x1", -1, 1), x2 = batch("x2", -1, 2);
        try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
            producer.produce(topic, List.of(x0, x1, x1, x2)); // offsets 0..3; offset 2 replays x1
            try (BatchPuller puller = MinibatchSource.start(system, settings("group-r", topic))) {
                Delivered d0 = puller.take(Duration.ofSeconds(30));
                Delivered d1 = puller.take(Duration.ofSeconds(30));
                Delivered d2 = puller.take(Duration.ofSeconds(30));
                assertThat(List.of(d0.batch(), d1.batch(), d2.batch())).containsExactly(x0, x1, x2);
                assertThat(List.of(d0.offset(), d1.offset(), d2.offset())).containsExactly(0L, 1L, 3L);
                assertThat(puller.replays()).isEqualTo(1);

                // Nothing more: the pending request is kept, and the next batch produced goes to it.
                assertThatThrownBy(() -> puller.take(Duration.ofMillis(200))).isInstanceOf(TimeoutException.class);

                puller.commit(d2);
                puller.commit(d1);
                Thread.sleep(600); // several commit intervals: x0 is not done, so nothing may be committed
                assertThat(committedTotal(admin, "group-r")).isZero();
                puller.commit(d0);
                await("offset 4 committed", Duration.ofSeconds(10),
                        () -> KafkaTestSupport.unchecked(() -> committedTotal(admin, "group-r")) == 4);

                producer.produce(topic, List.of(batch("x3", -1, 3)));
                Delivered d3 = puller.take(Duration.ofSeconds(30));
                assertThat(d3.batch().batchId()).isEqualTo("x3");
                puller.commit(d3);
            }
            assertThat(committedTotal(admin, "group-r")).isEqualTo(5);
        }
    }
}
