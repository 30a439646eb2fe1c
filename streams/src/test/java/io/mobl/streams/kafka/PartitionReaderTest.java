package io.mobl.streams.kafka;

import io.mobl.protocol.Minibatch;
import io.mobl.protocol.codec.MinibatchCodec;
import io.mobl.protocol.SourcePosition;
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
import java.util.List;
import java.util.Map;
import java.util.Random;
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

/**
 * The readers of a run's partitions (decode and check once, dead-letter, bounded queues, replays, commits), driven
 * through the lower level of a {@link KafkaBatchSource}, against a real embedded KRaft broker (one for the class).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PartitionReaderTest extends BrokerTest {
    private static KafkaSourceSettings settings(String run) {
        return KafkaSourceSettings.of(broker.bootstrapServers(), run, 1)
                .withCommitInterval(Duration.ofMillis(100))
                .withCloseTimeout(Duration.ofSeconds(5));
    }

    private static TopicNames topics(String run) {
        TopicNames t = TopicNames.defaults(run);
        broker.createTopic(t.lower(), 1, false);
        broker.createTopic(t.upper(), 1, false);
        return t;
    }

    @Test
    void tenThousandBatchesOverThreePartitionsComeExactlyOnceInProductionOrderAndAreCommitted() throws Exception {
        TopicNames t = TopicNames.defaults("a");
        broker.createTopic(t.lower(), 3, false);
        broker.createTopic(t.upper(), 1, false);
        long t0 = System.nanoTime();
        List<Minibatch> produced = batches("a", 10_000);
        try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
            assertThat(producer.produce(t.lower(), produced)).isEqualTo(10_000);
        }
        long t1 = System.nanoTime();
        try (KafkaBatchSource source = KafkaBatchSource.start(settings("a").withBuffers(64, 1).withMaxPollRecords(500))) {
            long t2 = 0;
            for (int i = 0; i < 10_000; i++) {
                Minibatch b = source.next(Minibatch.LOWER, Duration.ofSeconds(30));
                if (i == 0) t2 = System.nanoTime();
                // round robin over three partitions read in (offset, partition) order: the producer's order
                assertThat(b).isEqualTo(produced.get(i));
                source.iterationDone(i, List.of(b));
            }
            long t3 = System.nanoTime();
            System.out.printf("10,000 batches: produced in %d ms, first batch after %d ms, the other 9,999 in %d ms%n",
                    (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
            assertThatThrownBy(() -> source.next(Minibatch.LOWER, Duration.ofMillis(300))).isInstanceOf(TimeoutException.class)
                    .hasMessageContaining("has none ready");
            assertThat(source.stats().lower().fetched()).isEqualTo(10_000);
            assertThat(source.stats().deadLettered()).isZero();
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = committed(admin, "mobl.a.lower");
        Map<TopicPartition, OffsetSpec> latest = offsets.keySet().stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
        assertThat(offsets).hasSize(3);
        for (TopicPartition tp : offsets.keySet()) {
            assertThat(offsets.get(tp).offset()).as("%s", tp).isEqualTo(ends.get(tp).offset());
            assertThat(offsets.get(tp).metadata()).isEqualTo("mobl.roles=-1@" + ends.get(tp).offset());
        }
        assertThat(committedTotal(admin, "mobl.a.lower")).isEqualTo(10_000);
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicWithTheirReasonAndTheStreamGoesOn() throws Exception {
        String dlq = "b.dlq";
        TopicNames t = topics("b").withDlq(dlq);
        String topic = t.lower();
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

        try (KafkaBatchSource source = KafkaBatchSource.start(settings("b").withTopics(t))) {
            for (int i = 0; i < good; i++) {
                Minibatch b = source.next(Minibatch.LOWER, Duration.ofSeconds(30));
                assertThat(b.batchId()).isEqualTo("b-" + i); // one partition: in order, none lost
                source.iterationDone(i, List.of(b));
            }
            await("all poison records dead-lettered", Duration.ofSeconds(20), () -> source.deadLetters().count() == poisons.size());
            assertThat(source.stats().deadLetteredLower()).isEqualTo(poisons.size());
            assertThat(source.deadLetters().failures()).isZero();
            await("every offset committed, past the poison too", Duration.ofSeconds(20),
                    () -> KafkaTestSupport.unchecked(() -> committedTotal(admin, "mobl.b.lower")) == total);
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
    void aSlowSolverKeepsWhatIsReadAheadBounded() throws Exception {
        TopicNames t = topics("c");
        try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
            producer.produce(t.lower(), batches("c", 10_000));
        }
        int buffer = 32;
        int maxPoll = 200;
        AtomicLong maxAhead = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        try (KafkaBatchSource source = KafkaBatchSource.start(settings("c").withBuffers(buffer, 1).withMaxPollRecords(maxPoll))) {
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    KafkaBatchSource.Stats s = source.stats();
                    maxAhead.accumulateAndGet(s.lower().fetched() - s.handedOut(), Math::max);
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            for (int i = 0; i < 200; i++) {
                Minibatch b = source.next(Minibatch.LOWER, Duration.ofSeconds(30));
                source.iterationDone(i, List.of(b));
                Thread.sleep(2); // a slow solver
            }
            Thread.sleep(500); // a solver that stops asking for a while
            sampling.set(false);
            sampler.join();
            KafkaBatchSource.Stats s = source.stats();
            System.out.printf("back-pressure: handed out %d, fetched %d, at most %d decoded ahead (buffer %d, max.poll.records %d)%n",
                    s.handedOut(), s.lower().fetched(), maxAhead.get(), buffer, maxPoll);
            assertThat(s.handedOut()).isEqualTo(200);
            // the queue plus the one batch the reader holds while it waits for room (the rest of a poll stays raw),
            // plus one the sampler may see taken from the queue and not yet counted as handed out
            assertThat(maxAhead.get()).isLessThanOrEqualTo(buffer + 2);
            assertThat(s.lower().fetched()).isLessThanOrEqualTo(200 + buffer + 1);
        }
    }

    @Test
    void replaysAreSkippedAndPositionsMoveOnlyOverBatchesAcknowledgedInOrder() throws Exception {
        TopicNames t = topics("r");
        Minibatch x0 = batch("x0", -1, 0), x1 = batch("x1", -1, 1), x2 = batch("x2", -1, 2);
        try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
            producer.produce(t.lower(), List.of(x0, x1, x1, x2)); // offsets 0..3; offset 2 replays x1
            try (KafkaBatchSource source = KafkaBatchSource.start(settings("r"))) {
                Minibatch b0 = source.next(Minibatch.LOWER, Duration.ofSeconds(30));
                Minibatch b1 = source.next(Minibatch.LOWER, Duration.ofSeconds(30));
                Minibatch b2 = source.next(Minibatch.LOWER, Duration.ofSeconds(30));
                assertThat(List.of(b0, b1, b2)).containsExactly(x0, x1, x2);
                assertThat(source.stats().lower().replays()).isEqualTo(1);
                SourcePosition start = new SourcePosition(t.lower(), 0, Minibatch.LOWER, 0);
                assertThat(lowerPositions(source)).containsExactly(start);

                // Nothing more: a timeout, and the next batch produced comes next.
                assertThatThrownBy(() -> source.next(Minibatch.LOWER, Duration.ofMillis(200))).isInstanceOf(TimeoutException.class);

                source.iterationDone(2, List.of(b2));
                source.iterationDone(1, List.of(b1));
                Thread.sleep(600); // several commit intervals: x0 is not done, so nothing may move
                assertThat(lowerPositions(source)).containsExactly(start);
                assertThat(committedTotal(admin, "mobl.r.lower")).isZero();
                source.iterationDone(0, List.of(b0));
                assertThat(lowerPositions(source)).containsExactly(new SourcePosition(t.lower(), 0, Minibatch.LOWER, 4));
                await("offset 4 committed", Duration.ofSeconds(10),
                        () -> KafkaTestSupport.unchecked(() -> committedTotal(admin, "mobl.r.lower")) == 4);

                producer.produce(t.lower(), List.of(batch("x3", -1, 3)));
                Minibatch b3 = source.next(Minibatch.LOWER, Duration.ofSeconds(30));
                assertThat(b3.batchId()).isEqualTo("x3");
                source.iterationDone(3, List.of(b3));
            }
            assertThat(committedTotal(admin, "mobl.r.lower")).isEqualTo(5);
        }
    }

    private static List<SourcePosition> lowerPositions(KafkaBatchSource source) {
        return source.positions().stream().filter(p -> p.objective() == Minibatch.LOWER).toList();
    }
}
