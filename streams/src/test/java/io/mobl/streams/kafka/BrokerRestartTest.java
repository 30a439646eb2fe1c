package io.mobl.streams.kafka;

import io.mobl.actors.ActorRuntime;
import io.mobl.actors.AlgorithmSweepSpec;
import io.mobl.actors.Checkpointing;
import io.mobl.core.algorithm.StochasticWcMhgdAlgorithm;
import io.mobl.core.stochastic.CountingStochasticProblem;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.checkpoint.RunJournal;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.StochasticQuadraticProblem;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.mobl.protocol.Checkpoint;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.SourcePosition;
import io.mobl.protocol.codec.JsonCodec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static io.mobl.streams.kafka.KafkaTestSupport.await;
import static io.mobl.streams.kafka.KafkaTestSupport.committedTotal;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded broker is stopped and restarted (same directory, same ports) in the middle of a stochastic WC-MHGD
 * run on the actor runtime fed by a {@link KafkaBatchSource}, the run's durable coordinator committing its
 * telemetry, a checkpoint and its offsets every 20 iterations to its {@link KafkaRunJournal}: the run waits for the
 * broker, goes on, and uses every batch exactly once — no batch id twice in the iterate history, none missing — and
 * the commits that fell while the broker was away go through once it is back (the telemetry once, the final
 * checkpoint at the end of every stream).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class BrokerRestartTest {
    private static final StochasticQuadraticSpec SPEC = StochasticQuadraticSpec.defaults(11);
    private static final StochasticQuadraticProblem PROBLEM = SPEC.problem();
    private static final double[] PREFERENCE = {0.4, 0.6};
    private static final int ITERATIONS = 400;
    private static final int CHECKPOINT_EVERY = 20;

    static EmbeddedKafkaBroker broker;
    static ActorRuntime actors;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start();
        actors = new ActorRuntime();
    }

    @AfterAll
    static void stop() {
        if (actors != null) actors.close();
        if (broker != null) broker.close();
    }

    /** The source as the coordinator sees it, recording each iteration's batches. */
    static final class Recorded implements BatchSource {
        final KafkaBatchSource inner;
        final List<List<String>> history = new CopyOnWriteArrayList<>();
        final AtomicInteger iterations = new AtomicInteger();

        Recorded(KafkaBatchSource inner) {
            this.inner = inner;
        }

        @Override
        public Minibatch next(int objective, Duration timeout) throws InterruptedException, TimeoutException {
            return inner.next(objective, timeout);
        }

        @Override
        public void iterationDone(long iteration, List<Minibatch> used) {
            inner.iterationDone(iteration, used);
            history.add(used.stream().map(Minibatch::batchId).toList());
            iterations.incrementAndGet();
        }

        @Override public List<SourcePosition> positions() { return inner.positions(); }
        @Override public void resumeAt(List<SourcePosition> positions) { inner.resumeAt(positions); }
    }

    @Test
    void aRunWaitsForItsRestartedBrokerAndUsesEveryBatchExactlyOnce() throws Exception {
        String run = "restart";
        TopicNames topics = TopicNames.defaults(run).withResults(run + ".telemetry", run + ".pareto", run + ".checkpoints");
        broker.createTopic(topics.lower(), 2, false);
        broker.createTopic(topics.upper(), 2, false);
        broker.createTopic(topics.telemetry(), 1, false);
        broker.createTopic(topics.pareto(), 1, true);
        broker.createTopic(topics.checkpoints(), 1, true);
        broker.createTopic(topics.dlq(), 1, false);
        // one-sample batches, D = Q = 1: an iteration takes 3 lower-level batches and one per objective
        StochasticWcMhgdConfig config = StochasticWcMhgdConfig.defaults(PROBLEM, 1, 1, 1, 1.0, ITERATIONS - 1, 0)
                .withBatchTimeout(Duration.ofSeconds(90));
        List<Minibatch> all = new ArrayList<>();
        new GeneratedStream(SPEC.generator(), 2, 1, 3, ITERATIONS).forEach(all::add);
        assertThat(all).hasSize(5 * ITERATIONS);
        // half the data now; the rest only once the broker is back, so the run cannot finish without it
        try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
            producer.produce(topics, all.subList(0, all.size() / 2), MinibatchProducer.Options.once());
        }

        KafkaRunJournal.Settings journalSettings = KafkaRunJournal.Settings.of(broker.bootstrapServers(), topics)
                .withCommitTimeout(Duration.ofSeconds(120));
        Solution solution;
        int doneAtStop;
        Recorded source;
        List<SourcePosition> end;
        try (KafkaBatchSource kafka = KafkaBatchSource.start(KafkaSourceSettings.of(broker.bootstrapServers(), run, 2)
                     .withTopics(topics).withJournalCommits(), KafkaBatchSource.BatchCheck.of(PROBLEM))) {
            source = new Recorded(kafka);
            // the coordinator's own journal: telemetry, a checkpoint every 20 iterations and the offsets, one
            // transaction each, written off the coordinator's thread
            var running = actors.sweep(new AlgorithmSweepSpec(List.of(new AlgorithmSweepSpec.Part(
                            new StochasticWcMhgdAlgorithm(new CountingStochasticProblem(PROBLEM), config, source), source, null)),
                    List.of(PREFERENCE), config::finished, run, RunListener.NONE,
                    Checkpointing.every(CHECKPOINT_EVERY, KafkaRunJournal.factory(journalSettings)), 0,
                    AlgorithmSweepSpec.StepObserver.NONE)).solutions().toCompletableFuture();

            await("the run under way", Duration.ofSeconds(60), () -> source.iterations.get() >= 60);
            broker.stop();
            doneAtStop = source.iterations.get();
            Thread.sleep(3000);
            assertThat(running.isDone()).as("the run waits for its broker").isFalse();
            broker.restart();
            try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
                producer.produce(topics, all.subList(all.size() / 2, all.size()), MinibatchProducer.Options.once());
            }
            solution = running.get(180, TimeUnit.SECONDS).get(0);
        }
        try (RunJournal journal = KafkaRunJournal.factory(journalSettings).open(run, 0)) {
            Checkpoint last = journal.recover().orElseThrow();
            assertThat(last.finished()).isTrue();
            assertThat(last.iteration()).isEqualTo(ITERATIONS);
            end = last.positions();
        }
        System.out.printf("broker restart: stopped after %d of %d iterations, run finished at iteration %d%n",
                doneAtStop, ITERATIONS, solution.point().iterations());
        assertThat(doneAtStop).isLessThan(ITERATIONS / 2 + 1);
        assertThat(solution.point().iterations()).isEqualTo(ITERATIONS - 1);

        assertThat(source.history).hasSize(ITERATIONS);
        List<String> used = new ArrayList<>();
        source.history.forEach(used::addAll);
        assertThat(used).as("no batch twice").doesNotHaveDuplicates();
        Set<String> produced = new HashSet<>();
        for (Minibatch b : all) produced.add(b.batchId());
        assertThat(new HashSet<>(used)).as("none missing").isEqualTo(produced);

        assertThat(end).extracting(SourcePosition::nextOffset).containsExactly(600L, 600L, 400L, 400L);
        assertThat(committedTotal(broker.admin(), "mobl.restart.lower")).isEqualTo(3L * ITERATIONS);
        assertThat(committedTotal(broker.admin(), "mobl.restart.upper")).isEqualTo(2L * ITERATIONS);
        List<Integer> telemetry = committedIterations(topics.telemetry());
        List<Integer> expected = new ArrayList<>();
        for (int k = 0; k < ITERATIONS; k++) expected.add(k);
        assertThat(telemetry).as("every iteration's telemetry once").isEqualTo(expected);
    }

    /** The iterations of the telemetry topic as a read_committed reader sees it, to its end. */
    private static List<Integer> committedIterations(String topic) {
        List<Integer> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long endOffset = c.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (c.position(tp) < endOffset && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(100)).forEach(r -> out.add(JsonCodec.decodeTelemetry(r.value()).iteration()));
            }
        }
        return out;
    }
}
