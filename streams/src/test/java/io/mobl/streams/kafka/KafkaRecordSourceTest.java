package io.mobl.streams.kafka;

import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.SourcePosition;
import io.mobl.protocol.codec.ExampleRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Ordinary per-example records (JSON) read by {@link KafkaBatchSource#startRecords}, against a real embedded broker:
 * mobl batches the good ones in order, per role; every malformed one goes to the dead-letter topic with its reason
 * and its original bytes, and none stops the stream; a resumed source continues at the records that followed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaRecordSourceTest extends BrokerTest {
    static final ExampleRecords.Schema SCHEMA = new ExampleRecords.Schema(ExampleRecords.Json.standard(), 3, 4, Set.of("a", "b"));
    static final int ROWS = 8;
    static final RecordBatching BATCHING = RecordBatching.of(SCHEMA, ROWS).withObjectiveSources(List.of("a", "b"));

    /** A good record: features (i, i/2, −i), label i mod 4, its source. */
    static String good(int i, String source) {
        return String.format(Locale.ROOT, "{\"features\":[%d,%s,%d],\"label\":%d,\"source\":\"%s\"}", i, i / 2.0, -i, i % 4, source);
    }

    /** One of several kinds of malformed record. */
    static String bad(int i, SplittableRandom random) {
        return switch (i % 7) {
            case 0 -> "{\"features\":[1,2],\"label\":1,\"source\":\"a\"}";                  // wrong dimension
            case 1 -> "{\"features\":[1,2,3],\"source\":\"a\"}";                              // missing label
            case 2 -> "{\"label\":1,\"source\":\"a\"}";                                       // missing features
            case 3 -> "{\"features\":[1,1e999,3],\"label\":1,\"source\":\"a\"}";              // not finite
            case 4 -> "{\"features\":[1,2,3],\"label\":9,\"source\":\"a\"}";                  // not a class
            case 5 -> "{\"features\":[1,2,3],\"label\":1,\"source\":\"z" + random.nextInt(100) + "\"}"; // unknown source
            default -> "not json " + random.nextInt();
        };
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void goodRecordsAreBatchedInOrderAndTenThousandMalformedOnesAllGoToTheDeadLetterTopicWithTheirReasons() throws Exception {
        String run = "records";
        TopicNames topics = TopicNames.defaults(run).withDlq("records.dlq");
        broker.createTopic(topics.lower(), 1, false);
        broker.createTopic(topics.upper(), 1, false);
        broker.createTopic(topics.dlq(), 1, false);
        int lowerGood = 75 * ROWS, upperGood = 25 * ROWS;
        SplittableRandom random = new SplittableRandom(162);
        List<String> sentBad = new ArrayList<>();
        List<String> lowerSent = new ArrayList<>();
        Map<String, List<String>> upperSent = Map.of("a", new ArrayList<>(), "b", new ArrayList<>());
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            int good = 0, bad = 0, upper = 0;
            // 10,000 malformed records mixed in at random among the good ones, 9,000 on the lower topic, 1,000 on the upper
            while (good < lowerGood || bad < 9_000) {
                boolean sendBad = good == lowerGood || (bad < 9_000 && random.nextInt(lowerGood + 9_000) < 9_000);
                String record = sendBad ? bad(bad++, random) : good(good++, "a");
                (sendBad ? sentBad : lowerSent).add(record);
                p.send(new ProducerRecord<>(topics.lower(), utf8(record)));
            }
            bad = 0;
            while (upper < 2 * upperGood || bad < 1_000) {
                boolean sendBad = upper == 2 * upperGood || (bad < 1_000 && random.nextInt(5) == 0);
                String source = upper % 2 == 0 ? "a" : "b";
                String record = sendBad ? bad(bad++, random) : good(10_000 + upper++, source);
                if (sendBad) sentBad.add(record);
                else upperSent.get(source).add(record);
                p.send(new ProducerRecord<>(topics.upper(), utf8(record)));
            }
        }
        assertThat(sentBad).hasSize(10_000);

        KafkaSourceSettings settings = KafkaSourceSettings.of(broker.bootstrapServers(), run, 2).withTopics(topics)
                .withBuffers(256, 32); // objective 0's batches are all taken before objective 1's
        try (KafkaBatchSource source = KafkaBatchSource.startRecords(settings, BATCHING, KafkaBatchSource.BatchCheck.ANY)) {
            List<Minibatch> lower = new ArrayList<>();
            for (int i = 0; i < lowerGood / ROWS; i++) lower.add(source.next(Minibatch.LOWER, Duration.ofSeconds(30)));
            assertRows(lower, lowerSent, Minibatch.LOWER);
            for (int s = 0; s < 2; s++) {
                List<Minibatch> mine = new ArrayList<>();
                for (int i = 0; i < upperGood / ROWS; i++) mine.add(source.next(s, Duration.ofSeconds(30)));
                assertRows(mine, upperSent.get(s == 0 ? "a" : "b"), s);
            }
            KafkaTestSupport.await("every malformed record dead-lettered", Duration.ofSeconds(60),
                    () -> source.stats().deadLettered() == 10_000 && source.deadLetters().count() == 10_000);
            assertThatThrownBy(() -> source.next(Minibatch.LOWER, Duration.ofMillis(300)))
                    .as("nothing but complete batches of good records").isInstanceOf(java.util.concurrent.TimeoutException.class);
        }
        List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestSupport.readFromStart(broker.bootstrapServers(), topics.dlq(), 10_000);
        assertThat(dead).hasSize(10_000);
        TreeMap<String, Integer> reasons = new TreeMap<>();
        List<String> deadValues = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            String reason = KafkaTestSupport.header(r, DeadLetters.REASON);
            assertThat(reason).isNotBlank();
            reasons.merge(reason.replaceAll("\"z\\d+\"", "\"z…\"").replaceAll("not JSON.*", "not JSON"), 1, Integer::sum);
            deadValues.add(new String(r.value(), StandardCharsets.UTF_8));
        }
        assertThat(deadValues).as("the original bytes").containsExactlyInAnyOrderElementsOf(sentBad);
        assertThat(reasons.keySet()).contains("features: 2 features, expected 3", "label: missing", "features: missing",
                "features[1]: not finite (Infinity)", "label: class 9, expected 0..3", "not JSON");
        assertThat(reasons.keySet()).anyMatch(r -> r.startsWith("source: unknown source z"));
    }

    /** The batches' rows are the good records of the role, in the order sent, their sample ids increasing offsets. */
    private static void assertRows(List<Minibatch> batches, List<String> sent, int role) {
        List<ExampleRecords.Example> expected = sent.stream().map(r -> ExampleRecords.decode(SCHEMA, utf8(r))).toList();
        List<ExampleRecords.Example> got = new ArrayList<>();
        long lastId = -1;
        for (Minibatch b : batches) {
            assertThat(b.objective()).isEqualTo(role);
            assertThat(b.rows()).isEqualTo(ROWS);
            assertThat(b.labelDim()).isEqualTo(1);
            for (int i = 0; i < b.rows(); i++) {
                double[] x = java.util.Arrays.copyOfRange(b.features(), i * 3, i * 3 + 3);
                got.add(new ExampleRecords.Example(x, (int) b.label(i, 0), expected.get(got.size()).source()));
                assertThat(b.sampleIds()[i]).isGreaterThan(lastId);
                lastId = b.sampleIds()[i];
            }
            assertThat(b.batchId()).endsWith("@" + b.sampleIds()[0] + ".." + b.sampleIds()[ROWS - 1]);
        }
        assertThat(got).isEqualTo(expected);
    }

    /**
     * Two objectives' examples interleaved in one partition, the lower level's over two partitions (malformed ones at random): a
     * source stopped after some acknowledged batches (with next batches half collected) and a new one resumed at its
     * positions together deliver what one uninterrupted source delivers.
     */
    @Test
    void aResumedSourceContinuesAtTheRecordsThatFollowedEachRolesLastBatch() throws Exception {
        String run = "records-resume";
        TopicNames topics = TopicNames.defaults(run).withDlq("records-resume.dlq");
        broker.createTopic(topics.lower(), 2, false); // two lower partitions, merged in (last offset, partition) order
        broker.createTopic(topics.upper(), 1, false);
        SplittableRandom random = new SplittableRandom(7);
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            for (int i = 0; i < 40 * ROWS; i++) {
                p.send(new ProducerRecord<>(topics.lower(), i % 2, null, // round robin, as MinibatchProducer spreads them
                        utf8(random.nextInt(5) == 0 ? bad(i, random) : good(i, "b"))));
                p.send(new ProducerRecord<>(topics.upper(), utf8(good(i, random.nextInt(3) == 0 ? "a" : "b"))));
            }
        }
        KafkaSourceSettings base = KafkaSourceSettings.of(broker.bootstrapServers(), run, 2).withTopics(topics).withJournalCommits()
                .withBuffers(256, 32); // b's examples come twice as often as a's, and each iteration takes one batch of each
        List<String> uninterrupted = new ArrayList<>();
        try (KafkaBatchSource source = KafkaBatchSource.startRecords(base.withGroupPrefix("reference"), BATCHING, null)) {
            for (int k = 0; k < 12; k++) uninterrupted.addAll(iteration(source, k, true));
        }
        for (int stopAt : new int[] {0, 5}) {
            List<String> resumed = new ArrayList<>();
            List<SourcePosition> positions;
            try (KafkaBatchSource first = KafkaBatchSource.startRecords(base.withGroupPrefix("first-" + stopAt), BATCHING, null)) {
                for (int k = 0; k < stopAt; k++) resumed.addAll(iteration(first, k, true));
                KafkaTestSupport.await("every stream's start known", Duration.ofSeconds(10), () -> first.positions().size() == 4);
                positions = first.positions();
                iteration(first, stopAt, false);
                assertThat(first.positions()).as("unacknowledged batches do not move the positions").isEqualTo(positions);
            }
            try (KafkaBatchSource again = KafkaBatchSource.startRecords(base.withGroupPrefix("again-" + stopAt), BATCHING, null)) {
                again.resumeAt(positions);
                for (int k = stopAt; k < 12; k++) resumed.addAll(iteration(again, k, true));
            }
            assertThat(resumed).as("stopped after %d iterations and resumed", stopAt).isEqualTo(uninterrupted);
        }
    }

    /**
     * With the source committing (at-least-once), what it commits at close is just past the acknowledged batches,
     * never past an example still waiting for its batch: a new source of the same group goes on with the next batch.
     */
    @Test
    void committedOffsetsNeverPassAnExampleThatWasNotDelivered() throws Exception {
        String run = "records-commit";
        TopicNames topics = TopicNames.defaults(run).withDlq("records-commit.dlq");
        broker.createTopic(topics.lower(), 1, false);
        broker.createTopic(topics.upper(), 1, false);
        SplittableRandom random = new SplittableRandom(3);
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            for (int i = 0; i < 10 * ROWS; i++) p.send(new ProducerRecord<>(topics.lower(), utf8(i % 3 == 0 ? bad(i, random) : good(i, "a"))));
        }
        KafkaSourceSettings base = KafkaSourceSettings.of(broker.bootstrapServers(), run, 2).withTopics(topics);
        List<String> reference = new ArrayList<>();
        try (KafkaBatchSource source = KafkaBatchSource.startRecords(base.withGroupPrefix("reference").withJournalCommits(), BATCHING, null)) {
            for (int i = 0; i < 6; i++) reference.add(source.next(Minibatch.LOWER, Duration.ofSeconds(30)).batchId());
        }
        List<String> got = new ArrayList<>();
        try (KafkaBatchSource first = KafkaBatchSource.startRecords(base.withGroupPrefix("commits"), BATCHING, null)) {
            List<Minibatch> used = new ArrayList<>();
            for (int i = 0; i < 3; i++) used.add(first.next(Minibatch.LOWER, Duration.ofSeconds(30)));
            first.iterationDone(0, used);
            used.forEach(b -> got.add(b.batchId()));
            first.next(Minibatch.LOWER, Duration.ofSeconds(30)); // taken, not acknowledged: comes again
            // the reader has gone on collecting the next batches' examples meanwhile
            KafkaTestSupport.await("the reader past the fifth batch", Duration.ofSeconds(10), () -> first.stats().lower().fetched() >= 5 * ROWS * 3 / 2);
        }
        try (KafkaBatchSource again = KafkaBatchSource.startRecords(base.withGroupPrefix("commits"), BATCHING, null)) {
            for (int i = 3; i < 6; i++) got.add(again.next(Minibatch.LOWER, Duration.ofSeconds(30)).batchId());
        }
        assertThat(got).isEqualTo(reference);
    }

    /** One iteration: two lower batches and one of each objective, acknowledged when {@code finish}; their ids. */
    private static List<String> iteration(KafkaBatchSource source, long k, boolean finish) throws Exception {
        List<Minibatch> used = new ArrayList<>();
        used.add(source.next(Minibatch.LOWER, Duration.ofSeconds(30)));
        used.add(source.next(Minibatch.LOWER, Duration.ofSeconds(30)));
        used.add(source.next(0, Duration.ofSeconds(30)));
        used.add(source.next(1, Duration.ofSeconds(30)));
        if (finish) source.iterationDone(k, used);
        return used.stream().map(Minibatch::batchId).toList();
    }

    @Test
    void aSchemaWhoseBatchesTheProblemRefusesFailsAtStartNamingBoth() {
        String run = "records-misfit";
        broker.createTopic(TopicNames.defaults(run).lower(), 1, false);
        broker.createTopic(TopicNames.defaults(run).upper(), 1, false);
        KafkaBatchSource.BatchCheck fourFeatures = b -> b.featureDim() == 4 ? null : "featureDim " + b.featureDim() + ", expected 4";
        assertThatThrownBy(() -> KafkaBatchSource.startRecords(KafkaSourceSettings.of(broker.bootstrapServers(), run, 2), BATCHING, fourFeatures))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("records.schema")
                .hasMessageContaining("featureDim 3, expected 4");
        assertThatThrownBy(() -> RecordBatching.of(new ExampleRecords.Schema(new ExampleRecords.Json("f", "l", Optional.empty()), 3, 4, Set.of()), 8)
                .withObjectiveSources(List.of("a")))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("objective-sources");
    }

    /** Upper-level examples without source names take their objective from the record key, checked like batches. */
    @Test
    void withoutSourceNamesTheKeyIsTheObjective() throws Exception {
        String run = "records-keyed";
        TopicNames topics = TopicNames.defaults(run).withDlq("records-keyed.dlq");
        broker.createTopic(topics.lower(), 1, false);
        broker.createTopic(topics.upper(), 1, false);
        broker.createTopic(topics.dlq(), 1, false);
        ExampleRecords.Schema csv = new ExampleRecords.Schema(ExampleRecords.Csv.standard(), 2, 3, Set.of(), 2);
        Map<String, String> expectedReasons = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            for (int i = 0; i < 4; i++) p.send(new ProducerRecord<>(topics.upper(), utf8("1"), utf8(i + ",0.5,2," + (i % 3))));
            p.send(new ProducerRecord<>(topics.upper(), null, utf8("9,9,1,1")));
            p.send(new ProducerRecord<>(topics.upper(), utf8("7"), utf8("9,9,1,2")));
            p.send(new ProducerRecord<>(topics.upper(), utf8("0"), utf8("9,9,1")));
        }
        expectedReasons.put("9,9,1,1", "an upper-level example needs its objective as the record key (0..1), got no key");
        expectedReasons.put("9,9,1,2", "objective 7 outside 0..1 of run records-keyed");
        expectedReasons.put("9,9,1", "3 fields, expected 4 (2 features, 2 labels)");
        KafkaSourceSettings settings = KafkaSourceSettings.of(broker.bootstrapServers(), run, 2).withTopics(topics);
        try (KafkaBatchSource source = KafkaBatchSource.startRecords(settings, RecordBatching.of(csv, 2), null)) {
            Minibatch b = source.next(1, Duration.ofSeconds(30));
            assertThat(b.labelDim()).isEqualTo(2);
            assertThat(b.labels()).containsExactly(2, 0, 2, 1);
            assertThat(source.next(1, Duration.ofSeconds(30)).features()).containsExactly(2, 0.5, 3, 0.5);
            KafkaTestSupport.await("three dead letters", Duration.ofSeconds(30), () -> source.deadLetters().count() == 3);
        }
        Map<String, String> reasons = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaTestSupport.readFromStart(broker.bootstrapServers(), topics.dlq(), 3)) {
            reasons.put(new String(r.value(), StandardCharsets.UTF_8), KafkaTestSupport.header(r, DeadLetters.REASON));
        }
        assertThat(reasons).isEqualTo(expectedReasons);
    }
}
