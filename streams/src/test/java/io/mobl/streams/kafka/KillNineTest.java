package io.mobl.streams.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.codec.JsonCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The must-have: a durable sweep (stochastic WC-MHGD from Kafka, two preferences, a checkpoint every 3
 * iterations) runs in a child JVM ({@link DurableSweepChild}) that is killed with SIGKILL at a random iteration and
 * started again; what it leaves is bit-identical to an uninterrupted sweep of the same data: the final Pareto
 * points, and the iterate history a {@code read_committed} reader sees (every iteration once, the same objectives,
 * weights, gap, step and oracle counts); and every iteration used the uninterrupted run's batches, no batch twice,
 * none missing. The same for a deterministic CG run.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class KillNineTest extends BrokerTest {
    private static final String DATA = "kill9";
    private static final int K = 40;
    private static final int EVERY = 3;
    private static final TopicNames TOPICS = DurableSweepChild.topics(DATA);
    @TempDir static Path dir;
    private static Map<String, List<String>> reference;

    @BeforeAll
    static void produceAndRunUninterrupted() throws Exception {
        broker.createTopic(TOPICS.lower(), 2, false);
        broker.createTopic(TOPICS.upper(), 2, false);
        broker.createTopic(TOPICS.telemetry(), 1, false);
        broker.createTopic(TOPICS.pareto(), 1, false);
        broker.createTopic(TOPICS.checkpoints(), 1, true);
        try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
            // K + 1 iterations' worth: 3 lower-level minibatches and one per objective each
            producer.produce(b -> b.isLower() ? TOPICS.lower() : TOPICS.upper(),
                    new GeneratedStream(DurableSweepChild.SPEC.generator(), 2, 1, 3, K + 1), MinibatchProducer.Options.once());
        }
        Path history = dir.resolve("reference.history");
        DurableSweepChild.sweep(args("reference", history), System.out); // in this JVM: the same code, never killed
        reference = history(history);
    }

    private static String[] args(String run, Path history) {
        return new String[] {broker.bootstrapServers(), DATA, run, String.valueOf(K), String.valueOf(EVERY),
                history.toString()};
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2})
    void aSweepKilledWithSigkillAndStartedAgainEndsBitIdenticalToAnUninterruptedOne(int seed) throws Exception {
        String run = "killed-" + seed;
        Path history = dir.resolve(run + ".history");
        int killAt = 6 + new Random(seed).nextInt(K - 14); // some iteration of preference 0, between checkpoints or on one
        Process child = start(run, history);
        boolean reached = false;
        boolean committed = false;
        String killedAt = null;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                committed |= line.startsWith("committed 0 ");
                // at k = killAt, or at the first iteration after it once a checkpoint of preference 0 is in
                if (committed && line.startsWith("iteration 0 ") && Integer.parseInt(line.substring(12)) >= killAt) {
                    child.destroyForcibly(); // SIGKILL: no hook, no flush, no commit
                    killedAt = line;
                    reached = true;
                    break;
                }
            }
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(reached).as("the child reached iteration %d before it was killed", killAt).isTrue();
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);

        Process again = start(run, history);
        String output = new String(again.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(again.exitValue()).as("the restarted child's exit; its output:%n%s", output).isZero();
        assertThat(output).as("the restart went on from a checkpoint, not from 0").doesNotContain("iteration 0 0\n")
                .contains("resumed from the checkpoint at iteration");
        java.util.regex.Matcher from = java.util.regex.Pattern.compile("resumed from the checkpoint at iteration (\\d+)")
                .matcher(output);
        System.out.printf("seed %d: killed (SIGKILL) at %s, restarted from the checkpoints at %s%n", seed, killedAt,
                from.results().map(m -> m.group(1)).toList());

        // the iterate history a read_committed reader sees: every iteration once, bit-identical numbers
        List<IterateTelemetry> telemetry = committed(TOPICS.telemetry(), JsonCodec::decodeTelemetry);
        assertThat(iterates(telemetry, run)).isEqualTo(iterates(telemetry, "reference")).hasSize(2 * (K + 1));
        List<ParetoPoint> points = committed(TOPICS.pareto(), JsonCodec::decodeParetoPoint);
        assertThat(finalPoints(points, run)).isEqualTo(finalPoints(points, "reference")).hasSize(2);

        // the batches: each iteration's (as acknowledged last) are the uninterrupted run's; none twice, none missing
        Map<String, List<String>> used = history(history);
        assertThat(used).isEqualTo(reference);
        for (int index = 0; index < 2; index++) {
            List<String> ids = new ArrayList<>();
            for (int k = 0; k <= K; k++) ids.addAll(used.get(index + " " + k));
            assertThat(new HashSet<>(ids)).as("distinct batches of preference %d", index).hasSize(ids.size())
                    .hasSize(5 * (K + 1));
        }
    }

    /** The same for a deterministic CG run (WC-MHGD on a quadratic problem, journaled to Kafka, no data topics). */
    @org.junit.jupiter.api.Test
    void aDeterministicCgRunKilledWithSigkillAndStartedAgainEndsBitIdenticalToAnUninterruptedOne() throws Exception {
        int k = 120;
        DurableSweepChild.sweep(cgArgs("cg-reference", k), System.out);
        String run = "cg-killed";
        Process child = start(cgArgs(run, k));
        String killedAt = null;
        boolean committed = false;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                committed |= line.startsWith("committed 0 ");
                if (committed && line.startsWith("iteration 0 ") && Integer.parseInt(line.substring(12)) >= 37) {
                    child.destroyForcibly(); // SIGKILL
                    killedAt = line;
                    break;
                }
            }
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(killedAt).as("killed mid-run").isNotNull();
        Process again = start(cgArgs(run, k));
        String output = new String(again.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(again.exitValue()).as(output).isZero();
        assertThat(output).contains("resumed from the checkpoint at iteration").doesNotContain("iteration 0 0\n");
        System.out.printf("cg: killed (SIGKILL) at %s%n", killedAt);
        List<IterateTelemetry> telemetry = committed(TOPICS.telemetry(), JsonCodec::decodeTelemetry);
        assertThat(iterates(telemetry, run)).isEqualTo(iterates(telemetry, "cg-reference")).hasSize(2 * (k + 1));
        List<ParetoPoint> points = committed(TOPICS.pareto(), JsonCodec::decodeParetoPoint);
        assertThat(finalPoints(points, run)).isEqualTo(finalPoints(points, "cg-reference")).hasSize(2);
    }

    private static String[] cgArgs(String run, int iterations) {
        return new String[] {broker.bootstrapServers(), DATA, run, String.valueOf(iterations), "7",
                dir.resolve(run + ".history").toString(), "cg"};
    }

    private static Process start(String[] arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx512m", "-cp", classPath(), DurableSweepChild.class.getName()));
        command.addAll(Arrays.asList(arguments));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static Process start(String run, Path history) throws IOException {
        return start(args(run, history));
    }

    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    /** Per "index k": the batch ids of the iteration's last acknowledgement (a redone iteration's replaces). */
    private static Map<String, List<String>> history(Path file) throws IOException {
        Map<String, List<String>> out = new TreeMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split(" ", 3);
            out.put(f[0] + " " + f[1], List.of(f[2].split(",")));
        }
        return out;
    }

    /** A run's telemetry by preference and iteration, without the step timings and with the run's name left out. */
    private static List<String> iterates(List<IterateTelemetry> telemetry, String run) {
        return telemetry.stream().filter(t -> t.run().equals(run))
                .map(t -> Arrays.toString(t.preference()) + " k=" + t.iteration() + " f=" + bits(t.objectives())
                        + " λ=" + bits(t.weights()) + " gap=" + Double.doubleToRawLongBits(t.stationarity())
                        + " step=" + Double.doubleToRawLongBits(t.stepNorm()) + " calls=" + t.oracleCalls())
                .sorted().toList();
    }

    private static List<String> finalPoints(List<ParetoPoint> points, String run) {
        return points.stream().filter(p -> p.run().equals(run))
                .map(p -> Arrays.toString(p.preference()) + " k=" + p.iterations() + " x=" + bits(p.x()) + " f="
                        + bits(p.objectives()) + " gap=" + Double.doubleToRawLongBits(p.stationarity()) + " calls="
                        + p.oracleCalls())
                .sorted().toList();
    }

    private static String bits(double[] v) {
        return Arrays.toString(Arrays.stream(v).mapToLong(Double::doubleToRawLongBits).toArray());
    }

    /** Every record of the topic's partition 0 a read_committed reader sees, decoded. */
    private static <T> List<T> committed(String topic, java.util.function.Function<byte[], T> decode) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        long end = admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).partitionResult(tp)
                .get(10, TimeUnit.SECONDS).offset();
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(), ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (c.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    if (r.offset() < end) out.add(decode.apply(r.value()));
                }
            }
        }
        return out;
    }

}
