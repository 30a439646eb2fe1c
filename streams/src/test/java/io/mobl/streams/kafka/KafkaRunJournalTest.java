package io.mobl.streams.kafka;

import io.mobl.core.checkpoint.RunJournal;
import io.mobl.protocol.Checkpoint;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.SourcePosition;
import io.mobl.protocol.codec.CheckpointCodec;
import io.mobl.protocol.codec.JsonCodec;
import io.mobl.protocol.codec.RecordDecodeException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** KafkaRunJournal against a real embedded KRaft broker: transactions, fencing, chunks, offsets, exactly-once resume. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaRunJournalTest extends BrokerTest {
    private static final OracleCalls CALLS = new OracleCalls(1, 2, 3, 4);
    private static final double[] PREFERENCE = {0.5, 0.5};

    /** The run's topics, the results ones its own (so that each test counts only its records); all created. */
    private static TopicNames topics(String run, int dataPartitions) {
        TopicNames t = TopicNames.defaults(run).withResults(run + ".telemetry", run + ".pareto", run + ".checkpoints");
        broker.createTopic(t.lower(), dataPartitions, false);
        broker.createTopic(t.upper(), dataPartitions, false);
        broker.createTopic(t.telemetry(), 1, false);
        broker.createTopic(t.pareto(), 1, true);
        broker.createTopic(t.checkpoints(), 1, true);
        return t;
    }

    private static RunJournal.Factory journals(TopicNames topics) {
        return KafkaRunJournal.factory(KafkaRunJournal.Settings.of(broker.bootstrapServers(), topics).withCommitTimeout(Duration.ofSeconds(60)));
    }

    private static IterateTelemetry telemetry(String run, int k) {
        return new IterateTelemetry(run, PREFERENCE, k, new double[] {1.0 / (k + 1), 2.0}, new double[] {0.5, 0.5}, 1e-3, 0.01,
                CALLS, Map.of("lower", 10L));
    }

    /** A checkpoint of iteration k with an x of p random float64s (their bit patterns too: NaN payloads, -0.0, subnormals). */
    private static Checkpoint checkpoint(String run, int index, long k, List<SourcePosition> positions, int p, long seed) {
        Random random = new Random(seed);
        double[] x = new double[p];
        for (int i = 0; i < p; i++) x[i] = Double.longBitsToDouble(random.nextLong());
        if (p > 3) {
            x[0] = -0.0;
            x[1] = Double.MIN_VALUE;
            x[2] = Double.longBitsToDouble(0x7ff8_dead_beef_0001L); // a NaN with a payload
        }
        SortedMap<String, double[]> vectors = new TreeMap<>(Map.of("x", x, "y", new double[] {k, -k}));
        SortedMap<String, long[]> counters = new TreeMap<>(Map.of("rng", new long[] {seed, k}));
        return new Checkpoint(run, index, "wc-mhgd", "test", k, p, 2, 2, PREFERENCE, false, CALLS, positions, vectors, counters);
    }

    /**
     * Every record of a topic's partition 0 that a reader with this isolation level sees within {@code patience}:
     * up to the high watermark (a committed transaction's markers are written just after its commit returns), or
     * as far as a read_committed reader gets (not past a transaction still open).
     */
    private static List<ConsumerRecord<byte[], byte[]>> read(String topic, boolean committedOnly, Duration patience) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        TopicPartition tp = new TopicPartition(topic, 0);
        long end;
        try {
            end = admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).partitionResult(tp)
                    .get(10, TimeUnit.SECONDS).offset();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + patience.toNanos();
            while (c.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) if (r.offset() < end) out.add(r);
            }
        }
        return out;
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(String topic, boolean committedOnly) {
        return read(topic, committedOnly, Duration.ofSeconds(20));
    }

    private static List<Integer> iterations(String telemetryTopic, boolean committedOnly) {
        return iterations(read(telemetryTopic, committedOnly));
    }

    private static List<Integer> iterations(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> JsonCodec.decodeTelemetry(r.value()).iteration()).toList();
    }

    @Test
    void recordsAppendedButNotCommittedAreInvisibleToReadCommittedReadersAfterTheWriterDies() throws Exception {
        String run = "dies";
        TopicNames t = topics(run, 1);
        RunJournal.Factory journals = journals(t);
        KafkaRunJournal first = (KafkaRunJournal) journals.open(run, 0);
        assertThat(first.recover()).isEmpty();
        first.append(telemetry(run, 0));
        first.append(telemetry(run, 1));
        Checkpoint committed = checkpoint(run, 0, 2, List.of(new SourcePosition(t.lower(), 0, Minibatch.LOWER, 5)), 8, 1);
        first.append(telemetry(run, 2)); // appended before the commit of k = 2 is made: it waits for the next one
        first.commit(committed);
        assertThat(first.pending()).isEqualTo(1);

        // iterations 2 and 3 and a Pareto point are sent in a transaction that is never finished: the writer dies
        first.append(telemetry(run, 3));
        first.append(new ParetoPoint(run, PREFERENCE, new double[] {1, 2}, new double[] {3, 4}, 0, 4, CALLS));
        first.sendWithoutCommitting(checkpoint(run, 0, 4, List.of(new SourcePosition(t.lower(), 0, Minibatch.LOWER, 9)), 8, 2));
        first.abandon();

        assertThat(iterations(t.telemetry(), false)).as("they were written").containsExactly(0, 1, 2, 3);
        assertThat(read(t.pareto(), false)).hasSize(1);
        assertThat(iterations(read(t.telemetry(), true, Duration.ofSeconds(3)))).as("a read_committed reader stops before the open transaction")
                .containsExactly(0, 1);

        try (RunJournal again = journals.open(run, 0)) {
            assertThat(again.recover()).contains(committed); // fences the dead writer: its transaction is aborted
            assertThat(iterations(t.telemetry(), true)).containsExactly(0, 1);
            assertThat(read(t.pareto(), true)).isEmpty();
            assertThat(read(t.checkpoints(), true)).hasSize(1);
            assertThat(KafkaTestSupport.committed(admin, "mobl.dies.lower").get(new TopicPartition(t.lower(), 0)).offset()).isEqualTo(5);
        }
    }

    @Test
    void aSecondJournalOfTheSameRunAndPreferenceFencesTheFirst() throws Exception {
        String run = "fence";
        TopicNames t = topics(run, 1);
        RunJournal.Factory journals = journals(t);
        RunJournal first = journals.open(run, 0);
        RunJournal otherPreference = journals.open(run, 1);
        first.recover();
        otherPreference.recover();
        first.commit(checkpoint(run, 0, 1, List.of(), 4, 1));

        RunJournal second = journals.open(run, 0);
        assertThat(second.recover()).map(Checkpoint::iteration).contains(1L);
        first.append(telemetry(run, 1));
        assertThatThrownBy(() -> first.commit(checkpoint(run, 0, 2, List.of(), 4, 2)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("fenced")
                .hasMessageContaining("another journal of run fence preference 0");
        assertThatThrownBy(() -> first.commit(null)).isInstanceOf(IllegalStateException.class).hasMessageContaining("fenced");
        first.close();

        second.append(telemetry(run, 1));
        second.commit(checkpoint(run, 0, 3, List.of(), 4, 3));
        otherPreference.commit(checkpoint(run, 1, 7, List.of(), 4, 4)); // another preference's writer is not fenced
        second.close();
        otherPreference.close();
        try (RunJournal third = journals.open(run, 0); RunJournal fourth = journals.open(run, 1)) {
            assertThat(third.recover()).map(Checkpoint::iteration).contains(3L);
            assertThat(fourth.recover()).map(Checkpoint::iteration).contains(7L);
        }
        assertThat(iterations(t.telemetry(), true)).as("only the second writer's telemetry").containsExactly(1);
    }

    @Test
    void aCheckpointLargerThanAKafkaRecordIsChunkedAndReassembledBitForBit() throws Exception {
        String run = "chunks";
        TopicNames t = topics(run, 1);
        RunJournal.Factory journals = journals(t);
        // p = 200,000: 1.6 MB of x alone, over Kafka's 1 MB default record limit: 4 chunks of 512 KiB
        Checkpoint big = checkpoint(run, 0, 10, List.of(new SourcePosition(t.lower(), 0, Minibatch.LOWER, 3)), 200_000, 7);
        byte[] encoded = CheckpointCodec.encode(big);
        assertThat(encoded.length).isGreaterThan(1 << 20);
        try (RunJournal writer = journals.open(run, 0)) {
            writer.recover();
            writer.commit(big);
        }
        List<ConsumerRecord<byte[], byte[]>> records = read(t.checkpoints(), true);
        assertThat(records).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("chunks/0", "chunks/0#1", "chunks/0#2", "chunks/0#3");
        assertThat(records).allSatisfy(r -> assertThat(r.value().length).isLessThanOrEqualTo(512 << 10));
        try (RunJournal reader = journals.open(run, 0)) {
            Checkpoint back = reader.recover().orElseThrow();
            assertThat(CheckpointCodec.encode(back)).as("bit for bit, NaN payloads included").isEqualTo(encoded);
            // a later, smaller checkpoint (one chunk) wins; the older one's chunks 1..3 are left over and ignored
            Checkpoint small = checkpoint(run, 0, 11, List.of(), 4, 8);
            reader.commit(small);
        }
        try (RunJournal reader = journals.open(run, 0)) {
            assertThat(reader.recover()).contains(checkpoint(run, 0, 11, List.of(), 4, 8));
        }
    }

    @Test
    void aCorruptOrIncompleteCheckpointIsRefusedWithAnErrorNamingTheField() throws Exception {
        String run = "corrupt";
        TopicNames t = topics(run, 1);
        RunJournal.Factory journals = journals(t);
        byte[] good = CheckpointCodec.encode(checkpoint(run, 0, 5, List.of(), 16, 1));
        byte[] flipped = good.clone();
        flipped[flipped.length - 3] ^= 0x10;
        byte[] version = good.clone();
        version[4] = 9;
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(t.checkpoints(), "corrupt/0", flipped)).get();
            try (RunJournal j = journals.open(run, 0)) {
                assertThatThrownBy(j::recover).isInstanceOf(RecordDecodeException.class)
                        .hasMessageStartingWith("checksum").satisfies(e -> assertThat(((RecordDecodeException) e).field()).isEqualTo("checksum"));
            }
            raw.send(new ProducerRecord<>(t.checkpoints(), "corrupt/0", version)).get();
            try (RunJournal j = journals.open(run, 0)) {
                assertThatThrownBy(j::recover).isInstanceOf(RecordDecodeException.class).hasMessageContaining("unsupported checkpoint version 9");
            }
            // chunk 0 of 3 and chunk 2, but the newest record keyed corrupt/0#1 is another checkpoint's
            raw.send(chunk(t, "corrupt/0#1", "older", 1, 2, new byte[8])).get();
            raw.send(chunk(t, "corrupt/0", "newer", 0, 3, java.util.Arrays.copyOfRange(good, 0, 40))).get();
            raw.send(chunk(t, "corrupt/0#2", "newer", 2, 3, java.util.Arrays.copyOfRange(good, 80, good.length))).get();
            try (RunJournal j = journals.open(run, 0)) {
                assertThatThrownBy(j::recover).isInstanceOf(RecordDecodeException.class).hasMessageStartingWith("checkpoint chunk 1 of 3")
                        .hasMessageContaining("belongs to checkpoint older, not newer");
            }
            // the missing chunk comes: the whole set loads
            raw.send(chunk(t, "corrupt/0#1", "newer", 1, 3, java.util.Arrays.copyOfRange(good, 40, 80))).get();
            try (RunJournal j = journals.open(run, 0)) {
                assertThat(j.recover()).contains(checkpoint(run, 0, 5, List.of(), 16, 1));
            }
            // another run's checkpoint under this key is refused too
            raw.send(new ProducerRecord<>(t.checkpoints(), "corrupt/0", CheckpointCodec.encode(checkpoint("other", 0, 1, List.of(), 4, 1)))).get();
            try (RunJournal j = journals.open(run, 0)) {
                assertThatThrownBy(j::recover).isInstanceOf(RecordDecodeException.class).hasMessageContaining("holds the checkpoint of other/0");
            }
        }
    }

    private static ProducerRecord<String, byte[]> chunk(TopicNames t, String key, String id, int i, int n, byte[] value) {
        RecordHeaders h = new RecordHeaders();
        h.add(CheckpointChunks.ID, id.getBytes(StandardCharsets.UTF_8));
        h.add(CheckpointChunks.CHUNK, Integer.toString(i).getBytes(StandardCharsets.UTF_8));
        h.add(CheckpointChunks.CHUNKS, Integer.toString(n).getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(t.checkpoints(), 0, key, value, h);
    }

    @Test
    void theOffsetsCommittedWithACheckpointAreItsPositionsAndAFreshSourceStartsThere() throws Exception {
        String run = "offsets";
        TopicNames t = topics(run, 2);
        // three objectives over two upper partitions: 0 and 2 share partition 0
        List<SourcePosition> positions = List.of(new SourcePosition(t.lower(), 0, Minibatch.LOWER, 7),
                new SourcePosition(t.lower(), 1, Minibatch.LOWER, 6), new SourcePosition(t.upper(), 0, 0, 4),
                new SourcePosition(t.upper(), 0, 2, 6), new SourcePosition(t.upper(), 1, 1, 5),
                new SourcePosition(SourcePosition.MEMORY, 0, Minibatch.LOWER, 99));
        try (RunJournal j = journals(t).open(run, 0)) {
            j.recover();
            assertThatThrownBy(() -> j.commit(checkpoint(run, 0, 3, List.of(new SourcePosition("elsewhere", 0, -1, 1)), 4, 1)))
                    .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("checkpoint.positions[0] = elsewhere-0@1");
            assertThatThrownBy(() -> j.commit(checkpoint("someone-else", 0, 3, List.of(), 4, 1)))
                    .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("checkpoint.run");
            j.commit(checkpoint(run, 0, 3, positions, 4, 1));
        }
        Map<TopicPartition, OffsetAndMetadata> lower = KafkaTestSupport.committed(admin, "mobl.offsets.lower");
        Map<TopicPartition, OffsetAndMetadata> upper = KafkaTestSupport.committed(admin, "mobl.offsets.upper");
        assertThat(lower).containsEntry(new TopicPartition(t.lower(), 0), new OffsetAndMetadata(7, "mobl.roles=-1@7"))
                .containsEntry(new TopicPartition(t.lower(), 1), new OffsetAndMetadata(6, "mobl.roles=-1@6")).hasSize(2);
        assertThat(upper).containsEntry(new TopicPartition(t.upper(), 0), new OffsetAndMetadata(4, "mobl.roles=0@4,2@6"))
                .containsEntry(new TopicPartition(t.upper(), 1), new OffsetAndMetadata(5, "mobl.roles=1@5")).hasSize(2);
        // a source of the run's groups (empty topics: nothing read past the starts) stands exactly there
        try (KafkaBatchSource source = KafkaBatchSource.start(KafkaSourceSettings.of(broker.bootstrapServers(), run, 3).withTopics(t))) {
            KafkaTestSupport.await("the starts known", Duration.ofSeconds(20), () -> source.positions().size() == 5);
            assertThat(source.positions()).containsExactlyElementsOf(positions.subList(0, 5));
        }
    }

    /**
     * Exactly-once end to end: a loop of source and journal (a checkpoint every 5 iterations) is cut off mid-way, the
     * journal dying in the middle of a commit; a new source and journal resume from {@code recover()}'s positions.
     * The committed iterations' batches and the resumed ones are the uninterrupted run's, each batch once, none
     * missing; the telemetry topic holds every iteration once.
     */
    @Test
    void aSourceAndJournalCutOffMidCommitAndResumedFromRecoverUseEveryBatchExactlyOnce() throws Exception {
        String run = "eos";
        TopicNames t = topics(run, 2);
        int iterations = 60;
        try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
            producer.produce(t.lower(), KafkaTestSupport.batches("low", 3 * iterations));
            List<Minibatch> upper = new ArrayList<>();
            for (int i = 0; i < iterations; i++) for (int s = 0; s < 2; s++) upper.add(KafkaTestSupport.batch("up-" + s + "-" + i, s, i));
            producer.produce(t.upper(), upper);
        }
        KafkaSourceSettings settings = KafkaSourceSettings.of(broker.bootstrapServers(), run, 2).withTopics(t).withJournalCommits();
        List<List<String>> uninterrupted = new ArrayList<>();
        try (KafkaBatchSource source = KafkaBatchSource.start(settings.withGroupPrefix("reference"))) {
            for (int k = 0; k < iterations; k++) uninterrupted.add(iteration(source, k));
        }

        RunJournal.Factory journals = journals(t);
        List<List<String>> history = new ArrayList<>();
        try (KafkaBatchSource source = KafkaBatchSource.start(settings)) {
            KafkaRunJournal journal = (KafkaRunJournal) journals.open(run, 0);
            assertThat(journal.recover()).isEmpty();
            for (int k = 0; k < 27; k++) {
                history.add(iteration(source, k));
                journal.append(telemetry(run, k));
                if ((k + 1) % 5 == 0) journal.commit(checkpoint(run, 0, k + 1, source.positions(), 4, k));
            }
            // iterations 25 and 26 are done and appended; the process dies while committing them
            journal.sendWithoutCommitting(checkpoint(run, 0, 27, source.positions(), 4, 27));
            journal.abandon();
        }
        try (KafkaBatchSource source = KafkaBatchSource.start(settings); RunJournal journal = journals.open(run, 0)) {
            Checkpoint last = journal.recover().orElseThrow();
            assertThat(last.iteration()).isEqualTo(25);
            history.subList((int) last.iteration(), history.size()).clear(); // what the checkpoint does not cover is redone
            source.resumeAt(last.positions());
            for (int k = (int) last.iteration(); k < iterations; k++) {
                history.add(iteration(source, k));
                journal.append(telemetry(run, k));
                if ((k + 1) % 5 == 0) journal.commit(checkpoint(run, 0, k + 1, source.positions(), 4, k));
            }
            assertThat(source.positions()).as("the end of every stream").containsExactly(
                    new SourcePosition(t.lower(), 0, Minibatch.LOWER, 90), new SourcePosition(t.lower(), 1, Minibatch.LOWER, 90),
                    new SourcePosition(t.upper(), 0, 0, 60), new SourcePosition(t.upper(), 1, 1, 60));
        }
        assertThat(history).isEqualTo(uninterrupted);
        Set<String> used = new HashSet<>();
        history.forEach(used::addAll);
        assertThat(used).hasSize(5 * iterations);
        List<Integer> expected = new ArrayList<>();
        for (int k = 0; k < iterations; k++) expected.add(k);
        assertThat(iterations(t.telemetry(), true)).as("every iteration's telemetry once").isEqualTo(expected);
        assertThat(KafkaTestSupport.committedTotal(admin, "mobl.eos.lower")).isEqualTo(3 * iterations);
        assertThat(KafkaTestSupport.committedTotal(admin, "mobl.eos.upper")).isEqualTo(2 * iterations);
    }

    /** One iteration of Alg. 2's shape (three lower-level batches, one of each of two objectives), acknowledged. */
    private static List<String> iteration(KafkaBatchSource source, int k) throws Exception {
        List<Minibatch> used = new ArrayList<>();
        for (int i = 0; i < 3; i++) used.add(source.next(Minibatch.LOWER, Duration.ofSeconds(30)));
        for (int s = 1; s >= 0; s--) used.add(source.next(s, Duration.ofSeconds(30)));
        source.iterationDone(k, used);
        return used.stream().map(Minibatch::batchId).toList();
    }
}
