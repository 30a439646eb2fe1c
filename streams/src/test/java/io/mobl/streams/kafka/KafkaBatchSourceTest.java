package io.mobl.streams.kafka;

import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.SourcePosition;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.mobl.streams.kafka.KafkaTestSupport.await;
import static io.mobl.streams.kafka.KafkaTestSupport.batch;
import static io.mobl.streams.kafka.KafkaTestSupport.committedTotal;
import static io.mobl.streams.kafka.KafkaTestSupport.unchecked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** KafkaBatchSource, the BatchSource on Kafka, against a real embedded KRaft broker. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KafkaBatchSourceTest extends BrokerTest {
    private static KafkaSourceSettings settings(String run, int objectives, String dlq) {
        return KafkaSourceSettings.of(broker.bootstrapServers(), run, objectives).withDeadLetterTopic(dlq);
    }

    private static void createTopics(String run, int partitions) {
        broker.createTopic(TopicNames.defaults(run).lower(), partitions, false);
        broker.createTopic(TopicNames.defaults(run).upper(), partitions, false);
    }

    /** Upper batches of objectives 0..S-1, round robin, {@code perObjective} each. */
    private static List<Minibatch> upperRoundRobin(String prefix, int objectives, int perObjective) {
        List<Minibatch> out = new ArrayList<>();
        for (int i = 0; i < perObjective; i++) {
            for (int s = 0; s < objectives; s++) out.add(batch(prefix + "-" + s + "-" + i, s, i));
        }
        return out;
    }

    @Test
    void eachRoleGetsItsOwnBatchesInOrderAndOnlyDoneOnesAreCommitted() throws Exception {
        String run = "roles";
        createTopics(run, 1);
        try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
            producer.produce(TopicNames.defaults(run).lower(), KafkaTestSupport.batches("low", 30));
            producer.produce(TopicNames.defaults(run).upper(), upperRoundRobin("up", 3, 30));
        }
        try (KafkaBatchSource source = KafkaBatchSource.start(settings(run, 3, "roles.dlq"))) {
            // 20 iterations: one lower batch and one batch per objective, objectives asked in reverse order
            for (int k = 0; k < 20; k++) {
                List<Minibatch> used = new ArrayList<>();
                Minibatch low = source.next(Minibatch.LOWER, Duration.ofSeconds(30));
                assertThat(low.batchId()).isEqualTo("low-" + k);
                used.add(low);
                for (int s = 2; s >= 0; s--) {
                    Minibatch up = source.next(s, Duration.ofSeconds(30));
                    assertThat(up.batchId()).isEqualTo("up-" + s + "-" + k);
                    assertThat(up).isEqualTo(batch(up.batchId(), s, k));
                    used.add(up);
                }
                source.iterationDone(k, used);
            }
            // the 21st iteration takes batches but never finishes: they must not be committed
            source.next(Minibatch.LOWER, Duration.ofSeconds(30));
            source.next(1, Duration.ofSeconds(30));
            KafkaBatchSource.Stats s = source.stats();
            assertThat(s.handedOut()).isEqualTo(20 * 4 + 2);
            assertThat(s.outstanding()).isEqualTo(2);
            assertThat(s.overflowed()).isZero();
            assertThat(s.deadLettered()).isZero();
            // The upper partition holds up-s-i at offset 3i + s. Objective 1 has up-1-20 (offset 61) handed out and not
            // done, so it stands at 59, just past up-1-19; the others are past their 20th batch. The partition's
            // offset is the smallest position; its metadata says where each objective stands.
            await("the done batches committed", Duration.ofSeconds(20), () ->
                    unchecked(() -> committedTotal(admin, "mobl.roles.lower")) == 20
                            && unchecked(() -> committedTotal(admin, "mobl.roles.upper")) == 59);
            assertThat(source.positions()).contains(new SourcePosition(TopicNames.defaults(run).lower(), 0, Minibatch.LOWER, 20),
                    new SourcePosition(TopicNames.defaults(run).upper(), 0, 1, 59));
        }
        // after close: still exactly the done ones (one partition each, in order)
        assertThat(committedTotal(admin, "mobl.roles.lower")).isEqualTo(20);
        assertThat(committedTotal(admin, "mobl.roles.upper")).isEqualTo(59);
        assertThat(KafkaTestSupport.committed(admin, "mobl.roles.upper").values().iterator().next().metadata())
                .startsWith("mobl.roles=0@").contains(",1@59,2@");

        // a restarted source of the same run goes on from each role's first batch not done
        try (KafkaBatchSource again = KafkaBatchSource.start(settings(run, 3, "roles.dlq"))) {
            assertThat(again.next(Minibatch.LOWER, Duration.ofSeconds(30)).batchId()).isEqualTo("low-20");
            assertThat(again.next(1, Duration.ofSeconds(30)).batchId()).isEqualTo("up-1-20");
            assertThat(again.next(0, Duration.ofSeconds(30)).batchId()).isEqualTo("up-0-20");
        }
    }

    @Test
    void concurrentCallersForDifferentObjectivesEachGetAllOfTheirs() throws Exception {
        int perObjective = 300;
        takeConcurrently("threads", 2, perObjective, 8, false, source -> await("every batch committed", Duration.ofSeconds(20),
                () -> unchecked(() -> committedTotal(admin, "mobl.threads.upper")) == 3L * perObjective));
    }

    /**
     * Three callers share one partition with buffers of one batch each, at uneven paces. Two things failed here
     * before: a caller that pulled a batch of another objective whose buffer was full waited while holding it, and
     * two callers doing so stalled each other for the whole grace (30 s here; with the default 2 s a batch was
     * passed over); and a caller could overtake a batch of its own that another caller had pulled but not yet put
     * in its buffer (shared-0-7 before shared-0-6).
     */
    @Test
    void callersSharingAPartitionWithTinyBuffersNeverStallEachOther() throws Exception {
        takeConcurrently("shared", 1, 400, 1, true, source -> { });
    }

    @FunctionalInterface
    private interface SourceCheck {
        void check(KafkaBatchSource source) throws Exception;
    }

    /**
     * Produces {@code perObjective} upper batches for each of 3 objectives (round robin) and has one thread per
     * objective take all of its own, acknowledging each; every thread must get exactly its objective's batches, in
     * order, and nothing may be passed over (the grace is 30 s). {@code uneven}: the threads pause now and then,
     * each for a different time.
     */
    private void takeConcurrently(String run, int partitions, int perObjective, int bufferPerObjective, boolean uneven,
                                  SourceCheck afterwards) throws Exception {
        createTopics(run, partitions);
        try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
            producer.produce(TopicNames.defaults(run).upper(), upperRoundRobin(run, 3, perObjective));
        }
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (KafkaBatchSource source = KafkaBatchSource.start(settings(run, 3, run + ".dlq")
                .withBuffers(4, bufferPerObjective).withOverflowGrace(Duration.ofSeconds(30)))) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int s = 0; s < 3; s++) {
                int objective = s;
                results.add(pool.submit(() -> {
                    java.util.Random pace = new java.util.Random(objective);
                    for (int i = 0; i < perObjective; i++) {
                        Minibatch b = source.next(objective, Duration.ofSeconds(20));
                        assertThat(b.batchId()).as("objective %d gets its batches in order", objective).isEqualTo(run + "-" + objective + "-" + i);
                        if (uneven && pace.nextInt(4) == 0) Thread.sleep(0, 200_000 * (objective + 1));
                        source.iterationDone(i, List.of(b));
                    }
                    return perObjective;
                }));
            }
            for (int s = 0; s < 3; s++) assertThat(results.get(s).get(60, TimeUnit.SECONDS)).isEqualTo(perObjective);
            assertThat(source.stats().overflowed()).isZero();
            afterwards.check(source);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anObjectiveNobodyAsksForIsHeldInABoundedBufferAndPassedOver() throws Exception {
        String run = "skewed";
        createTopics(run, 1);
        List<Minibatch> upper = new ArrayList<>();
        for (int i = 0; i < 200; i++) upper.add(batch("one-" + i, 1, i));
        upper.add(batch("zero-0", 0, 0));
        try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
            producer.produce(TopicNames.defaults(run).upper(), upper);
        }
        int bound = 4;
        try (KafkaBatchSource source = KafkaBatchSource.start(settings(run, 2, "skewed.dlq").withBuffers(2, bound).withMaxPollRecords(20).withOverflowGrace(Duration.ZERO))) {
            Minibatch zero = source.next(0, Duration.ofSeconds(30));
            assertThat(zero.batchId()).isEqualTo("zero-0");
            KafkaBatchSource.Stats s = source.stats();
            assertThat(s.waitingUpper()).isEqualTo(bound);
            assertThat(s.overflowed()).isEqualTo(200 - bound);
            // the newest ones wait, in order
            for (int i = 200 - bound; i < 200; i++) assertThat(source.next(1, Duration.ofSeconds(5)).batchId()).isEqualTo("one-" + i);
            assertThatThrownBy(() -> source.next(1, Duration.ofMillis(300))).isInstanceOf(TimeoutException.class);
        }
    }

    @Test
    void batchesTheRunCannotUseGoToTheDeadLetterTopicWithTheReason() throws Exception {
        String run = "unusable";
        String dlq = "unusable.dlq";
        createTopics(run, 1);
        broker.createTopic(dlq, 1, false);
        try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
            producer.produce(TopicNames.defaults(run).lower(), List.of(batch("l-0", -1, 0), batch("wrong-role", 0, 1), batch("l-1", -1, 2),
                    new Minibatch("wide", -1, Minibatch.Dtype.FLOAT64, 1, 5, 0, new double[5], new double[0], new long[] {7}),
                    batch("l-2", -1, 3)));
            producer.produce(TopicNames.defaults(run).upper(), List.of(batch("u-0", 0, 0), batch("lower-on-upper", -1, 1),
                    batch("objective-7", 7, 2), batch("u-1", 0, 3)));
        }
        KafkaBatchSource.BatchCheck fourFeatures = b -> b.featureDim() == 4 ? null
                : "featureDim " + b.featureDim() + " (the problem expects 4)";
        try (KafkaBatchSource source = KafkaBatchSource.start(settings(run, 2, dlq), fourFeatures)) {
            List<Minibatch> used = new ArrayList<>();
            for (String id : List.of("l-0", "l-1", "l-2")) {
                Minibatch b = source.next(Minibatch.LOWER, Duration.ofSeconds(30));
                assertThat(b.batchId()).isEqualTo(id);
                used.add(b);
            }
            for (String id : List.of("u-0", "u-1")) {
                Minibatch b = source.next(0, Duration.ofSeconds(30));
                assertThat(b.batchId()).isEqualTo(id);
                used.add(b);
            }
            source.iterationDone(0, used);
            assertThat(source.stats().deadLettered()).isEqualTo(4);
            await("every record committed, the unusable ones too", Duration.ofSeconds(20), () ->
                    unchecked(() -> committedTotal(admin, "mobl.unusable.lower")) == 5
                            && unchecked(() -> committedTotal(admin, "mobl.unusable.upper")) == 4);
        }
        Map<String, String> reasons = deadLetters(dlq, 4);
        assertThat(reasons).containsOnlyKeys("wrong-role", "wide", "lower-on-upper", "objective-7");
        assertThat(reasons.get("wrong-role")).contains("upper-level batch (objective 0) on the lower-level topic mobl.unusable.lower");
        assertThat(reasons.get("wide")).contains("featureDim 5 (the problem expects 4)");
        assertThat(reasons.get("lower-on-upper")).contains("lower-level batch (objective -1) on the upper-level topic");
        assertThat(reasons.get("objective-7")).contains("objective 7 outside 0..1");
    }

    @Test
    void badSettingsAndObjectivesFailWithTheFieldAndWhatIsExpected() {
        assertThatThrownBy(() -> KafkaSourceSettings.of(broker.bootstrapServers(), "bad run", 2))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("run");
        assertThatThrownBy(() -> KafkaSourceSettings.of(broker.bootstrapServers(), "r", 0))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("objectives");
        assertThatThrownBy(() -> KafkaSourceSettings.of(broker.bootstrapServers(), "r", 2).withBuffers(1, 0))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("upperBufferPerObjective");
        createTopics("objectives", 1);
        try (KafkaBatchSource source = KafkaBatchSource.start(settings("objectives", 2, "objectives.dlq"))) {
            assertThatThrownBy(() -> source.next(2, Duration.ofMillis(10)))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("objective").hasMessageContaining("0..1");
        }
    }

    /**
     * One iteration as Alg. 2 takes its data: three lower-level batches, then one of each objective (asked in reverse
     * order); the ids in the order they came. {@code acknowledge}: whether the iteration finishes (iterationDone).
     */
    private static List<String> iteration(KafkaBatchSource source, int k, boolean acknowledge) throws Exception {
        List<Minibatch> used = new ArrayList<>();
        for (int i = 0; i < 3; i++) used.add(source.next(Minibatch.LOWER, Duration.ofSeconds(30)));
        for (int s = 2; s >= 0; s--) used.add(source.next(s, Duration.ofSeconds(30)));
        if (acknowledge) source.iterationDone(k, used);
        return used.stream().map(Minibatch::batchId).toList();
    }

    /**
     * Three objectives over two upper partitions (0 and 2 share partition 0), two lower partitions: a source stopped
     * after some iterations (the last one taken but not finished, and more read ahead) and a new source resumed at
     * its positions together deliver exactly what one uninterrupted source delivers, batch for batch, in order.
     */
    @Test
    void aSourceResumedAtAnotherSourcesPositionsDeliversExactlyTheBatchesThatWouldHaveFollowed() throws Exception {
        String run = "resume";
        createTopics(run, 2);
        TopicNames topics = TopicNames.defaults(run);
        assertThat(UpperLevelDemultiplexer.partitionsOf(3, 2)).containsExactly(0, 1, 0);
        try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
            producer.produce(topics.lower(), KafkaTestSupport.batches("low", 3 * 40));
            producer.produce(topics.upper(), upperRoundRobin("up", 3, 40));
        }
        KafkaSourceSettings base = settings(run, 3, "resume.dlq").withJournalCommits().withBuffers(16, 4);
        List<String> uninterrupted = new ArrayList<>();
        try (KafkaBatchSource source = KafkaBatchSource.start(base.withGroupPrefix("reference"))) {
            for (int k = 0; k < 40; k++) uninterrupted.addAll(iteration(source, k, true));
        }
        assertThat(uninterrupted).doesNotHaveDuplicates().hasSize(40 * 6);

        for (int stopAt : new int[] {0, 7, 23}) {
            List<String> resumed = new ArrayList<>();
            List<SourcePosition> positions;
            try (KafkaBatchSource first = KafkaBatchSource.start(base.withGroupPrefix("first-" + stopAt))) {
                for (int k = 0; k < stopAt; k++) resumed.addAll(iteration(first, k, true));
                // a stream whose start (from the committed offsets) is not known yet has no position
                await("every stream's start known", Duration.ofSeconds(10), () -> first.positions().size() == 5);
                positions = first.positions();
                iteration(first, stopAt, false); // taken, never finished: must come again
                await("the readers ahead of the solver", Duration.ofSeconds(10), () -> first.stats().upper().fetched() >= Math.min(120, 3 * stopAt + 9));
                assertThat(first.positions()).as("unacknowledged batches do not move the positions").isEqualTo(positions);
            }
            assertThat(positions).extracting(SourcePosition::objective).containsExactly(-1, -1, 0, 2, 1);
            try (KafkaBatchSource again = KafkaBatchSource.start(base.withGroupPrefix("again-" + stopAt))) {
                // its readers start at the beginning (the group has no offsets) and fill their queues; the resume
                // drops what they read and starts them again at the positions
                await("the readers under way", Duration.ofSeconds(10), () -> again.stats().lower().fetched() >= 16 && again.stats().upper().fetched() >= 12);
                again.resumeAt(positions);
                for (int k = stopAt; k < 40; k++) resumed.addAll(iteration(again, k, true));
            }
            assertThat(resumed).as("stopped after %d iterations and resumed", stopAt).isEqualTo(uninterrupted);
        }
    }

    @Test
    void resumeAtRefusesStreamsTheSourceDoesNotReadAndComesBeforeTheFirstBatch() throws Exception {
        String run = "resume-bad";
        createTopics(run, 2);
        TopicNames topics = TopicNames.defaults(run);
        try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
            producer.produce(topics.lower(), KafkaTestSupport.batches("low", 4));
        }
        try (KafkaBatchSource source = KafkaBatchSource.start(settings(run, 3, "resume-bad.dlq"))) {
            assertThatThrownBy(() -> source.resumeAt(List.of(new SourcePosition("elsewhere", 0, -1, 5))))
                    .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("positions[0] = elsewhere-0@5")
                    .hasMessageContaining("mobl.resume-bad.lower-1 (objective -1)").hasMessageContaining("mobl.resume-bad.upper-0 (objectives [0, 2])");
            assertThatThrownBy(() -> source.resumeAt(List.of(new SourcePosition(topics.lower(), 2, -1, 5))))
                    .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("positions[0]");
            // objective 1 is read from partition 1, not 0
            assertThatThrownBy(() -> source.resumeAt(List.of(new SourcePosition(topics.upper(), 1, 0, 0), new SourcePosition(topics.upper(), 0, 1, 0))))
                    .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("positions[0]");
            assertThatThrownBy(() -> source.resumeAt(List.of(new SourcePosition(topics.lower(), 0, -1, 1), new SourcePosition(topics.lower(), 0, -1, 2))))
                    .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("positions[1]").hasMessageContaining("twice");
            source.resumeAt(List.of(new SourcePosition(topics.lower(), 0, -1, 1)));
            assertThat(source.next(Minibatch.LOWER, Duration.ofSeconds(30)).batchId()).isEqualTo("low-1");
            assertThatThrownBy(() -> source.resumeAt(List.of(new SourcePosition(topics.lower(), 0, -1, 0))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("before the first next");
        }
    }

    /** Batch id → dead-letter reason of the first {@code n} records of the topic. */
    private static Map<String, String> deadLetters(String topic, int n) {
        Map<String, String> reasons = new java.util.HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaTestSupport.readFromStart(broker.bootstrapServers(), topic, n)) {
            reasons.put(io.mobl.protocol.codec.MinibatchCodec.decode(r.value()).batchId(), KafkaTestSupport.header(r, DeadLetters.REASON));
        }
        return reasons;
    }
}
