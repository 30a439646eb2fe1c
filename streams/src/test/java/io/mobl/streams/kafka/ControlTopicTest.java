package io.mobl.streams.kafka;

import io.mobl.actors.ActorRuntime;
import io.mobl.actors.SweepHandle;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.SynchronousSolver;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.Oracle;
import io.mobl.core.problem.Smoothness;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import io.mobl.protocol.ControlMessage;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.codec.JsonCodec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;

import static io.mobl.streams.kafka.KafkaTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The control topic drives a running actor sweep: a preference sent as a JSON record on {@code mobl.control}
 * reaches the running coordinator and the run converges to that preference's solution; bad records go to the DLQ.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ControlTopicTest {
    /** Well conditioned, so that a few hundred iterations reach the weighted-Chebyshev solution. */
    private static final BilevelProblem PROBLEM = QuadraticProblems.dense(21, 4, 6, 2, 2, 2.0);
    private static final double[] BEFORE = {0.3, 0.7};
    private static final double[] AFTER = {0.7, 0.3};
    private static final double TOLERANCE = 1e-6;
    /** Both runs of this class share the default control and dead-letter topics. */
    private static final TopicNames TOPICS = TopicNames.defaults("ctl");

    static EmbeddedKafkaBroker broker;
    static ActorRuntime runtime;
    static org.apache.pekko.actor.ActorSystem streams;
    static KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopic(TOPICS.control(), 1, false);
        broker.createTopic(TOPICS.dlq(), 1, false);
        runtime = new ActorRuntime();
        streams = org.apache.pekko.actor.ActorSystem.create("control-topic-test");
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stop() {
        if (producer != null) producer.close();
        if (runtime != null) runtime.close();
        if (streams != null) streams.terminate();
        if (broker != null) broker.close();
    }

    private static WcMhgdConfig config(int iterations) {
        return WcMhgdConfig.defaults(PROBLEM, new ConjugateGradient(5), 10, 1.0, iterations, 0);
    }

    private static void send(String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(TOPICS.control(), key == null ? null : key.getBytes(StandardCharsets.UTF_8), value))
                .get(10, TimeUnit.SECONDS);
    }

    private static void send(String key, ControlMessage message) throws Exception {
        send(key, JsonCodec.encode(message));
    }

    /**
     * The problem, except that its upper-level oracle (called by the hypergradient workers, never by the
     * coordinator) waits while {@code hold} says so, for at most a minute. The test holds the run after its second
     * iteration until the control command has been applied: on a fast machine the run would otherwise reach its
     * tolerance for the first preference before a record sent through Kafka arrives, and end without it. The
     * coordinator stays free meanwhile, so it can take the command.
     */
    static final class Held implements BilevelProblem {
        private final BilevelProblem problem;
        private final BooleanSupplier hold;

        Held(BilevelProblem problem, BooleanSupplier hold) {
            this.problem = problem;
            this.hold = hold;
        }

        @Override
        public UpperEvaluation upper(int objective, INDArray x, INDArray y) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (hold.getAsBoolean() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            return problem.upper(objective, x, y);
        }

        @Override public int upperDimension() { return problem.upperDimension(); }
        @Override public int lowerDimension() { return problem.lowerDimension(); }
        @Override public int objectiveCount() { return problem.objectiveCount(); }
        @Override public Set<Oracle> oracles() { return problem.oracles(); }
        @Override public double lowerValue(INDArray x, INDArray y) { return problem.lowerValue(x, y); }
        @Override public INDArray lowerGradient(INDArray x, INDArray y) { return problem.lowerGradient(x, y); }
        @Override public INDArray lowerGradientX(INDArray x, INDArray y) { return problem.lowerGradientX(x, y); }
        @Override public INDArray hessianVector(INDArray x, INDArray y, INDArray v) { return problem.hessianVector(x, y, v); }
        @Override public INDArray lowerGradientInto(INDArray x, INDArray y, INDArray out) { return problem.lowerGradientInto(x, y, out); }
        @Override public INDArray hessianVectorInto(INDArray x, INDArray y, INDArray v, INDArray out) { return problem.hessianVectorInto(x, y, v, out); }
        @Override public INDArray jacobianVector(INDArray x, INDArray y, INDArray v) { return problem.jacobianVector(x, y, v); }
        @Override public INDArray initialUpper() { return problem.initialUpper(); }
        @Override public INDArray initialLower() { return problem.initialLower(); }
        @Override public Optional<Smoothness> smoothness() { return problem.smoothness(); }
    }

    /** Every iteration's telemetry, in order (one preference). */
    static final class Recording implements RunListener {
        final List<IterateTelemetry> telemetry = new CopyOnWriteArrayList<>();

        @Override
        public void onIteration(IterateTelemetry t) { telemetry.add(t); }

        int size() { return telemetry.size(); }

        long iterationsAt(double[] preference) {
            return telemetry.stream().filter(t -> java.util.Arrays.equals(t.preference(), preference)).count();
        }
    }

    @Test
    void aPreferenceSentOnTheControlTopicReachesTheRunningCoordinatorAndTheRunConvergesToIt() throws Exception {
        Recording listener = new Recording();
        // ends by itself once the stationarity gap is below the tolerance: for AFTER, if the command arrives
        WcMhgdConfig config = config(100_000).withTolerance(TOLERANCE);
        java.util.concurrent.atomic.AtomicReference<ControlTopic> started = new java.util.concurrent.atomic.AtomicReference<>();
        BooleanSupplier commandPending = () -> listener.size() >= 2 && (started.get() == null || started.get().applied() == 0);
        SweepHandle sweep = runtime.sweep(new Held(PROBLEM, commandPending), config, List.of(BEFORE), "ctl", listener);
        try (ControlTopic control = ControlTopic.start(streams, broker.admin(), broker.bootstrapServers(), TOPICS, "ctl",
                ControlTopic.forSweep(sweep))) {
            started.set(control);
            await("the run under way", Duration.ofSeconds(30), () -> listener.size() >= 2);
            // Noise first: none of it may stop the stream or touch the run.
            send("ctl", "{not json".getBytes(StandardCharsets.UTF_8));
            send("ctl", JsonCodec.encode(new ControlMessage.SetPreference("ctl", new double[] {0.2, 0.3, 0.5})));
            send("other", new ControlMessage.SetPreference("other", new double[] {0.5, 0.5}));
            send("ctl/7", new ControlMessage.Pause("ctl"));
            // ... then the real command, keyed by run as DESIGN §5 says.
            send("ctl", new ControlMessage.SetPreference("ctl", AFTER));

            Solution solution = sweep.solutions().toCompletableFuture().get(100, TimeUnit.SECONDS).get(0);
            assertThat(control.applied()).isEqualTo(1);
            assertThat(control.ignored()).isEqualTo(1);
            await("three dead letters", Duration.ofSeconds(10), () -> control.deadLettered() == 3);
            assertThat(solution.point().preference()).isEqualTo(AFTER);
            // the preference switched once, while the run was under way: BEFORE up to some iteration, AFTER from then on
            List<IterateTelemetry> t = listener.telemetry;
            int before = (int) listener.iterationsAt(BEFORE);
            assertThat(before).isGreaterThanOrEqualTo(2).isLessThan(t.size());
            assertThat(t.subList(0, before)).allSatisfy(x -> assertThat(x.preference()).isEqualTo(BEFORE));
            assertThat(t.subList(before, t.size())).allSatisfy(x -> assertThat(x.preference()).isEqualTo(AFTER));
            // and it reached AFTER's weighted-Chebyshev solution (the far end of a long synchronous run for AFTER),
            // not BEFORE's
            Solution exactAfter = SynchronousSolver.solve(PROBLEM, config(100_000).withTolerance(1e-12), AFTER, "x", RunListener.NONE);
            Solution exactBefore = SynchronousSolver.solve(PROBLEM, config(100_000).withTolerance(1e-12), BEFORE, "x", RunListener.NONE);
            double apart = Vectors.norm(exactAfter.x().sub(exactBefore.x()));
            double error = Vectors.norm(solution.x().sub(exactAfter.x()));
            System.out.printf("control topic: switched after %d iterations, converged after %d more; |x - x*(AFTER)| = %.2e, |x*(AFTER) - x*(BEFORE)| = %.2e%n",
                    before, t.size() - before, error, apart);
            assertThat(apart).as("the two preferences' solutions differ").isGreaterThan(1e-2);
            assertThat(error).isLessThan(apart * 1e-2);
        }

        Map<String, String> reasons = deadLetterReasons(3);
        assertThat(reasons.values()).anySatisfy(r -> assertThat(r).startsWith("undecodable control message"));
        assertThat(reasons.values()).anySatisfy(r -> assertThat(r).startsWith("rejected by run ctl").contains("preference"));
        assertThat(reasons.values()).anySatisfy(r -> assertThat(r).contains("preference index").contains("7"));
    }

    @Test
    void aStopSentOnTheControlTopicEndsAnEndlessRun() throws Exception {
        Recording listener = new Recording();
        SweepHandle sweep = runtime.sweep(PROBLEM, config(100_000_000), List.of(BEFORE, AFTER), "endless", listener);
        try (ControlTopic control = ControlTopic.start(streams, broker.admin(), broker.bootstrapServers(), TOPICS, "endless",
                ControlTopic.forSweep(sweep))) {
            await("the run under way", Duration.ofSeconds(30), () -> listener.size() >= 4);
            send("endless", new ControlMessage.Stop("endless"));
            List<Solution> solutions = sweep.solutions().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(solutions).hasSize(2).allSatisfy(s -> assertThat(s.point().iterations()).isLessThan(100_000_000));
            // counted when the sweep's reply to the stop reaches the control stream, which may be after the sweep ended
            await("the stop counted as applied", Duration.ofSeconds(10), () -> control.applied() == 1);
            assertThat(control.applied()).isEqualTo(1);
        }
    }

    /** Offset → reason of the first {@code n} records of the DLQ. */
    private static Map<String, String> deadLetterReasons(int n) {
        Map<String, String> reasons = new java.util.TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaTestSupport.readFromStart(broker.bootstrapServers(), TOPICS.dlq(), n)) {
            reasons.put(KafkaTestSupport.header(r, DeadLetters.SOURCE_OFFSET), KafkaTestSupport.header(r, DeadLetters.REASON));
        }
        return reasons;
    }
}
