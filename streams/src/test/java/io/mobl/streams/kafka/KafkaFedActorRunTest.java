package io.mobl.streams.kafka;

import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.algorithm.SynchronousSolver;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.StochasticQuadraticProblem;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.codec.MinibatchCodec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import static io.mobl.streams.kafka.KafkaTestSupport.await;
import static io.mobl.streams.kafka.KafkaTestSupport.committedTotal;
import static io.mobl.streams.kafka.KafkaTestSupport.unchecked;
import static io.mobl.streams.kafka.KafkaTestSupport.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Stochastic WC-MHGD fed from Kafka (the actor runtime over a KafkaBatchSource, as {@code run --continuous} runs it) against a real embedded broker:
 * every produced minibatch used once and committed, poison records dead-lettered with the run going on,
 * bounded buffering under a slow solver, convergence toward the exact weighted-Chebyshev solution.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaFedActorRunTest extends BrokerTest {
    private static final StochasticQuadraticSpec SPEC = StochasticQuadraticSpec.defaults(5);
    private static final StochasticQuadraticProblem PROBLEM = SPEC.problem();
    private static final double[] PREFERENCE = {0.4, 0.6};

    static io.mobl.actors.ActorRuntime actors;

    @BeforeAll
    static void startActors() {
        actors = new io.mobl.actors.ActorRuntime();
    }

    @AfterAll
    static void stopActors() {
        actors.close();
    }

    /** One-sample batches everywhere, D = 1, Q = 1: an iteration takes 3 lower minibatches and 1 per objective. */
    private static StochasticWcMhgdConfig singleSampleConfig(int maxIterations) {
        return StochasticWcMhgdConfig.defaults(PROBLEM, 1, 1, 1, 1.0, maxIterations, 0)
                .withBatchTimeout(Duration.ofSeconds(30));
    }

    private static void createTopics(String run) {
        broker.createTopic(TopicNames.defaults(run).lower(), 2, false);
        broker.createTopic(TopicNames.defaults(run).upper(), 2, false);
    }

    private static long produce(String run, GeneratedStream stream) {
        try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
            return producer.produce(b -> b.isLower() ? TopicNames.defaults(run).lower() : TopicNames.defaults(run).upper(), stream,
                    MinibatchProducer.Options.once());
        }
    }

    /** Records which batches each iteration acknowledged; optionally a slow solver (sleeps per minibatch). */
    static final class Recording implements BatchSource {
        final BatchSource inner;
        final long sleepMillis;
        final List<String> done = new CopyOnWriteArrayList<>();

        Recording(BatchSource inner, long sleepMillis) {
            this.inner = inner;
            this.sleepMillis = sleepMillis;
        }

        @Override
        public Minibatch next(int objective, Duration timeout) throws InterruptedException, TimeoutException {
            if (sleepMillis > 0) Thread.sleep(sleepMillis);
            return inner.next(objective, timeout);
        }

        @Override
        public void iterationDone(long iteration, List<Minibatch> used) {
            for (Minibatch b : used) done.add(b.batchId());
            inner.iterationDone(iteration, used);
        }
    }

    static final class Points implements RunListener {
        final List<IterateTelemetry> telemetry = new CopyOnWriteArrayList<>();
        final List<ParetoPoint> points = new CopyOnWriteArrayList<>();

        @Override
        public void onIteration(IterateTelemetry t) { telemetry.add(t); }

        @Override
        public void onParetoPoint(ParetoPoint p) { points.add(p); }
    }

    @Test
    void tenThousandMinibatchesAreAllUsedOnceByTheSolverActorsAndCommitted() throws Exception {
        String run = "ten-k";
        createTopics(run);
        GeneratedStream stream = new GeneratedStream(SPEC.generator(), 2, 1, 3, 2000);
        assertThat(GeneratedStream.perIteration(singleSampleConfig(1), 1)).isEqualTo(new GeneratedStream.PerIteration(3, 1));
        assertThat(produce(run, stream)).isEqualTo(10_000);

        Points listener = new Points();
        Solution solution;
        Recording source;
        KafkaBatchSource.Stats stats;
        try (KafkaBatchSource kafka = KafkaBatchSource.start(KafkaSourceSettings.of(broker.bootstrapServers(), run, 2)
                .withMaxPollRecords(500).withBuffers(64, 16), KafkaBatchSource.BatchCheck.of(PROBLEM))) {
            source = new Recording(kafka, 0);
            // iterations 0..1999: 2000 × (3 + 2) = 10,000 minibatches, exactly what was produced; the actors' lower-level
            // solver and the two hypergradient workers each read their role's batches
            solution = actors.solve(PROBLEM, singleSampleConfig(1999), source, PREFERENCE, run, listener)
                    .solution().toCompletableFuture().get(100, TimeUnit.SECONDS);
            assertThatThrownBy(() -> kafka.next(Minibatch.LOWER, Duration.ofMillis(300))).isInstanceOf(TimeoutException.class);
            stats = kafka.stats();
        }
        assertThat(solution.point().iterations()).isEqualTo(1999);
        assertThat(listener.telemetry).hasSize(2000);
        assertThat(listener.points).extracting(ParetoPoint::iterations).containsExactly(1999);
        Set<String> expected = new HashSet<>();
        for (Minibatch b : stream) expected.add(b.batchId());
        assertThat(source.done).hasSize(10_000).doesNotHaveDuplicates();
        assertThat(new HashSet<>(source.done)).isEqualTo(expected);
        assertThat(stats.handedOut()).isEqualTo(10_000);
        assertThat(stats.deadLettered()).isZero();
        assertThat(stats.outstanding()).isZero();
        assertThat(stats.lower().replays() + stats.upper().replays()).isZero();
        await("every offset committed", Duration.ofSeconds(20), () ->
                unchecked(() -> committedTotal(broker.admin(), "mobl.ten-k.lower")) == 6000
                        && unchecked(() -> committedTotal(broker.admin(), "mobl.ten-k.upper")) == 4000);
    }

    @Test
    void poisonRecordsAmongGoodOnesAreDeadLetteredWithTheirReasonAndTheActorsUseEveryGoodOne() throws Exception {
        String run = "poison";
        String dlq = "poison.dlq";
        broker.createTopic(TopicNames.defaults(run).lower(), 1, false);
        broker.createTopic(TopicNames.defaults(run).upper(), 1, false);
        broker.createTopic(dlq, 1, false);
        GeneratedStream stream = new GeneratedStream(SPEC.generator(), 2, 1, 3, 40); // 40 iterations' worth

        record Poison(String name, byte[] value, String reason) {}
        Random random = new Random(7);
        byte[] noise = new byte[80];
        random.nextBytes(noise);
        noise[0] = 'X';
        byte[] wrongVersion = MinibatchCodec.encode(SPEC.generator().lowerBatch(900, 1));
        wrongVersion[4] = 2;
        byte[] wrongHeaderDims = MinibatchCodec.encode(SPEC.generator().lowerBatch(901, 1));
        ByteBuffer.wrap(wrongHeaderDims).putInt(14, 17);
        Minibatch nanSource = SPEC.generator().lowerBatch(902, 1);
        byte[] nan = MinibatchCodec.encode(nanSource);
        int idBytes = nanSource.batchId().getBytes(StandardCharsets.UTF_8).length;
        ByteBuffer.wrap(nan).putDouble(MinibatchCodec.HEADER_BYTES + idBytes + 8 + 3 * 8, Double.NaN);
        byte[] wrongProblemDims = MinibatchCodec.encode(new Minibatch("narrow", Minibatch.LOWER, Minibatch.Dtype.FLOAT64,
                1, 5, 0, new double[5], new double[0], new long[] {0}));
        byte[] upperOnLower = MinibatchCodec.encode(SPEC.generator().upperBatch(1, 903, 1));
        List<Poison> poisons = List.of(
                new Poison("noise", noise, "bad magic"),
                new Poison("version", wrongVersion, "unsupported schema version 2"),
                new Poison("header-dims", wrongHeaderDims, "does not match header"),
                new Poison("nan", nan, "features[3] is NaN"),
                new Poison("problem-dims", wrongProblemDims, "featureDim"),
                new Poison("wrong-role", upperOnLower, "upper-level batch (objective 1) on the lower-level topic"));

        Map<Long, Poison> poisonAt = new HashMap<>();
        Set<String> good = new HashSet<>();
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            int i = 0, p = 0;
            for (Minibatch b : stream) {
                String topic = b.isLower() ? TopicNames.defaults(run).lower() : TopicNames.defaults(run).upper();
                if (b.isLower() && i++ % 17 == 5 && p < poisons.size()) {
                    Poison bad = poisons.get(p++);
                    long offset = raw.send(new ProducerRecord<>(topic, bad.name().getBytes(StandardCharsets.UTF_8), bad.value())).get().offset();
                    poisonAt.put(offset, bad);
                }
                raw.send(new ProducerRecord<>(topic, MinibatchProducer.keyOf(b).getBytes(StandardCharsets.UTF_8), MinibatchCodec.encode(b))).get();
                good.add(b.batchId());
            }
            assertThat(p).isEqualTo(poisons.size());
        }

        Recording source;
        try (KafkaBatchSource kafka = KafkaBatchSource.start(KafkaSourceSettings.of(broker.bootstrapServers(), run, 2)
                .withDeadLetterTopic(dlq), KafkaBatchSource.BatchCheck.of(PROBLEM))) {
            source = new Recording(kafka, 0);
            Solution solution = actors.solve(PROBLEM, singleSampleConfig(39), source, PREFERENCE, run, RunListener.NONE)
                    .solution().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(solution.point().iterations()).isEqualTo(39);
            assertThat(Vectors.allFinite(solution.x())).isTrue();
            await("every poison record dead-lettered", Duration.ofSeconds(20), () -> kafka.stats().deadLettered() == poisons.size());
        }
        assertThat(new HashSet<>(source.done)).isEqualTo(good);
        assertThat(source.done).hasSize(good.size());

        List<ConsumerRecord<byte[], byte[]>> dead = read(dlq, poisons.size());
        assertThat(dead).hasSize(poisons.size());
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            Poison bad = poisonAt.get(Long.parseLong(header(r, DeadLetters.SOURCE_OFFSET)));
            assertThat(bad).as("dead letter from offset %s", header(r, DeadLetters.SOURCE_OFFSET)).isNotNull();
            assertThat(header(r, DeadLetters.REASON)).as(bad.name()).contains(bad.reason());
            assertThat(header(r, DeadLetters.SOURCE_TOPIC)).isEqualTo(TopicNames.defaults(run).lower());
        }
    }

    @Test
    void aSlowSolverDoesNotMakeTheSourceBufferWithoutBound() throws Exception {
        String run = "slow";
        createTopics(run);
        produce(run, new GeneratedStream(SPEC.generator(), 2, 1, 3, 2000)); // 10,000 minibatches waiting
        int lowerBuffer = 8, upperBuffer = 4, maxPoll = 50;
        AtomicLong maxAhead = new AtomicLong();
        try (KafkaBatchSource kafka = KafkaBatchSource.start(KafkaSourceSettings.of(broker.bootstrapServers(), run, 2)
                .withBuffers(lowerBuffer, upperBuffer).withMaxPollRecords(maxPoll))) {
            Recording slow = new Recording(kafka, 3);
            io.mobl.actors.SweepHandle solver = actors.sweep(continuous(singleSampleConfig(Integer.MAX_VALUE), slow, run,
                    RunListener.NONE, 1000));
            CompletableFuture<Solution> running = solver.solutions().toCompletableFuture().thenApply(l -> l.get(0));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            while (System.nanoTime() < deadline) {
                KafkaBatchSource.Stats s = kafka.stats();
                long ahead = s.lower().fetched() + s.upper().fetched() - s.handedOut();
                maxAhead.accumulateAndGet(ahead, Math::max);
                Thread.sleep(5);
            }
            solver.stop(0).toCompletableFuture().get(30, TimeUnit.SECONDS);
            Solution solution = running.get(30, TimeUnit.SECONDS);
            KafkaBatchSource.Stats s = kafka.stats();
            long fetched = s.lower().fetched() + s.upper().fetched();
            System.out.printf("slow solver: %d iterations, %d minibatches used, %d fetched, at most %d fetched ahead of the solver%n",
                    solution.point().iterations() + 1, s.handedOut(), fetched, maxAhead.get());
            // bounded by the buffers and one poll per consumer, whatever is waiting in the topics
            long bound = lowerBuffer + 2L * upperBuffer + 2L * maxPoll + 2 * 8;
            assertThat(maxAhead.get()).isLessThanOrEqualTo(bound);
            assertThat(fetched).isLessThan(10_000).isLessThanOrEqualTo(s.handedOut() + bound);
        }
    }

    @Test
    void stochasticWcMhgdFedFromKafkaApproachesTheExactWeightedChebyshevSolution() throws Exception {
        String run = "converge";
        createTopics(run);
        // 8-sample batches, D = 5, Q = 5, 300 iterations
        StochasticWcMhgdConfig config = StochasticWcMhgdConfig.defaults(PROBLEM, 5, 5, 8, 1.0, 299, 0)
                .withBatchTimeout(Duration.ofSeconds(30));
        int rows = 8;
        GeneratedStream.PerIteration per = GeneratedStream.perIteration(config, rows);
        produce(run, new GeneratedStream(SPEC.generator(), 2, rows, per.ratio(), per.rounds(300)));
        Solution solution;
        try (KafkaBatchSource kafka = KafkaBatchSource.start(KafkaSourceSettings.of(broker.bootstrapServers(), run, 2),
                KafkaBatchSource.BatchCheck.of(PROBLEM))) {
            solution = actors.sweep(continuous(config, kafka, run, RunListener.NONE, 1000)).solutions()
                    .toCompletableFuture().get(90, TimeUnit.SECONDS).get(0);
        }
        // the exact answer: deterministic WC-MHGD on the mean problem, run to a tiny gap
        var mean = SPEC.meanProblem();
        Solution exact = SynchronousSolver.solve(mean, WcMhgdConfig.defaults(mean, new ConjugateGradient(20), 20, 1.0, 20_000, 1e-10),
                PREFERENCE, "exact", RunListener.NONE);
        double start = Vectors.norm(PROBLEM.initialUpper().sub(exact.x()));
        double end = Vectors.norm(solution.x().sub(exact.x()));
        System.out.printf("stochastic WC-MHGD from Kafka: |x_0 - x*| = %.3e, |x_300 - x*| = %.3e%n", start, end);
        assertThat(end).isLessThan(0.25 * start);
    }

    /** What {@code run --continuous} runs: stochastic WC-MHGD as one step coordinator, the current point every N. */
    private static io.mobl.actors.AlgorithmSweepSpec continuous(StochasticWcMhgdConfig config, BatchSource source,
                                                                String run, RunListener listener, int paretoEvery) {
        return new io.mobl.actors.AlgorithmSweepSpec(List.of(new io.mobl.actors.AlgorithmSweepSpec.Part(
                new io.mobl.core.algorithm.StochasticWcMhgdAlgorithm(
                        new io.mobl.core.stochastic.CountingStochasticProblem(PROBLEM), config, source), source, null)),
                List.of(PREFERENCE), config::finished, run, listener, io.mobl.actors.Checkpointing.NONE, paretoEvery,
                io.mobl.actors.AlgorithmSweepSpec.StepObserver.NONE);
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(String topic, int n) {
        return KafkaTestSupport.readFromStart(broker.bootstrapServers(), topic, n);
    }
}
