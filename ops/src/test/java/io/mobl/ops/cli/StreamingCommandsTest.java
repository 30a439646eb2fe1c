package io.mobl.ops.cli;

import io.mobl.streams.kafka.TopicNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.SynchronousSolver;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.mobl.protocol.ControlMessage;
import io.mobl.protocol.codec.JsonCodec;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.streams.kafka.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** The Kafka commands end to end: demo (its own embedded broker), produce, run --continuous, broker. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StreamingCommandsTest extends BrokerCliTest {
    private static long endOffsets(Admin admin, String topic) throws Exception {
        var d = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
        Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
        d.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values().stream().mapToLong(i -> i.offset()).sum();
    }

    private static long committed(Admin admin, String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS).values()
                .stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            Thread.sleep(20);
        }
    }

    @Test
    void theDemoStreamsThroughAnEmbeddedBrokerAndPrintsTheFrontAndTheTopics(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path json = dir.resolve("demo.json");
        int code = mobl("demo", "--iterations", "20", "--sweep", "3", "--metrics-port", "0", "--out", json.toString());
        String text = out.toString();
        assertThat(code).as(err + text).isZero();
        assertThat(text).contains("embedded Kafka broker").contains("produced").contains("sweep on the actor runtime")
                .contains("0 dead-lettered").contains("Pareto front").contains("0.250,0.750").contains("0.750,0.250")
                .contains("exact weighted-Chebyshev points").contains("on topic mobl.telemetry").contains("on topic mobl.pareto");
        assertThat(text).contains("telemetry: 63 records").contains("Pareto points: 3 on topic");

        // each preference's point is near the mean problem's exact weighted-Chebyshev point of that preference:
        // 20 iterations of Alg. 2 cover over half the way from x_0 (measured: 0.36 of 1.06, 0.23 of 0.71, 0.49 of 1.57;
        // the exact points of different preferences are 1.1-2.3 apart, so a point compared with another's fails)
        var exact = StochasticQuadraticSpec.defaults(1).meanProblem();
        var config = WcMhgdConfig.defaults(exact, new ConjugateGradient(10),
                10, 1.0, 5_000, 1e-9);
        Pattern row = Pattern.compile(
                "(?m)^([0-9.]+),([0-9.]+) φ\\* = +([0-9.]+) +([0-9.]+) +\\|x - x\\*\\| = ([0-9.e+-]+)$");
        Matcher m = row.matcher(text);
        var written = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile());
        assertThat(written.at("/points")).hasSize(3);
        assertThat(written.at("/deadLettered").asLong()).isZero();
        assertThat(written.at("/minibatchesConsumed").asLong()).isPositive();
        assertThat(written.at("/telemetryRecords").asLong()).isEqualTo(63);
        int rows = 0;
        while (m.find()) {
            // the file holds what the table printed
            assertThat(written.at("/exact/" + rows + "/distance").asDouble())
                    .isCloseTo(Double.parseDouble(m.group(5)), org.assertj.core.api.Assertions.withinPercentage(0.1));
            assertThat(written.at("/points/" + rows + "/iterations").asInt()).isEqualTo(20);
            double[] preference = {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))};
            var point = SynchronousSolver.solve(exact, config, preference, "exact", RunListener.NONE);
            assertThat(Double.parseDouble(m.group(3))).isCloseTo(point.point().objectives()[0],
                    within(1e-6));
            double start = Vectors.norm(exact.initialUpper().sub(point.x()));
            assertThat(Double.parseDouble(m.group(5))).as("|x - x*| at r = %s (|x_0 - x*| = %.3f)", m.group(1) + "," + m.group(2), start)
                    .isLessThan(start / 2);
            rows++;
        }
        assertThat(rows).as(text).isEqualTo(3);
    }

    @Test
    void theTopicsNamedInTheConfigurationAreTheOnesWrittenAndCreated() throws Exception {
        // mobl.kafka.topics.* as a user sets them: produce writes the data there, the session creates the rest there
        int code = mobl("produce", "--bootstrap-servers", broker.bootstrapServers(), "--run", "named", "--count", "40",
                "--set", "mobl.kafka.topics.lower=ops.named.train", "--set", "mobl.kafka.topics.upper=ops.named.validation",
                "--set", "mobl.kafka.topics.telemetry=ops.named.telemetry");
        assertThat(code).as(err.toString() + out).isZero();
        assertThat(endOffsets(broker.admin(), "ops.named.train") + endOffsets(broker.admin(), "ops.named.validation"))
                .isEqualTo(40);
        var names = broker.admin().listTopics().names().get(10, TimeUnit.SECONDS);
        assertThat(names).contains("ops.named.telemetry").doesNotContain(TopicNames.defaults("named").lower(),
                TopicNames.defaults("named").upper());
    }

    @Test
    void produceWritesTheRequestedMinibatchesToTheRunsTopicsAndRefusesUnknownDataSets() throws Exception {
        int code = mobl("produce", "--bootstrap-servers", broker.bootstrapServers(), "--run", "prod", "--count", "100");
        assertThat(code).as(err.toString() + out).isZero();
        long lower = endOffsets(broker.admin(), TopicNames.defaults("prod").lower());
        long upper = endOffsets(broker.admin(), TopicNames.defaults("prod").upper());
        assertThat(lower + upper).isEqualTo(100);
        assertThat(upper).isGreaterThan(0).isLessThan(lower);

        assertThat(mobl("produce", "--bootstrap-servers", broker.bootstrapServers(), "--dataset", "cifar")).isEqualTo(2);
        assertThat(err.toString()).contains("--dataset = cifar").contains("expected synthetic");
    }

    @Test
    void aContinuousRunTrainsUntilAControlTopicStopThenCommitsAndFlushes() throws Exception {
        String run = "cont";
        CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> mobl("run", "--continuous",
                "--bootstrap-servers", broker.bootstrapServers(), "--run", run, "--produce", "--rate", "400",
                "--pareto-every", "5", "--metrics-port", "-1", "--batch-size", "8", "--neumann-steps", "3",
                "--lower-iterations", "3", "--preference", "0.6,0.4"));
        await("a few Pareto points on the terminal", Duration.ofSeconds(90), () -> out.toString().contains("iteration     15"));
        // the ops meters of the Kafka side, on the run's own scrape endpoint
        String endpoint = out.toString().lines().filter(l -> l.startsWith("metrics: ")).findFirst().orElseThrow()
                .substring("metrics: ".length()).trim();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.util.concurrent.atomic.AtomicReference<String> scrape = new java.util.concurrent.atomic.AtomicReference<>("");
        await("Kafka meters in a scrape", Duration.ofSeconds(30), () -> {
            try {
                scrape.set(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(endpoint)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body());
            } catch (Exception e) {
                return false;
            }
            return scrape.get().contains("mobl_kafka_lag{") && scrape.get().contains("mobl_batches_consumed_total{source=\"cont\"}")
                    && !scrape.get().contains("mobl_batches_consumed_total{source=\"cont\"} 0.0");
        });
        assertThat(scrape.get()).contains("mobl_batches_consumed_total").contains("topic=\"mobl.cont.lower\"");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(TopicNames.defaults(run).control(), run.getBytes(StandardCharsets.UTF_8),
                    JsonCodec.encode(new ControlMessage.Stop(run)))).get(10, TimeUnit.SECONDS);
        }
        int code = running.get(60, TimeUnit.SECONDS);
        String text = out.toString();
        assertThat(code).as(err + text).isZero();
        assertThat(text).contains("continuous run cont").contains("stopped after iteration").contains("0.600,0.400");
        long telemetry = endOffsets(broker.admin(), TopicNames.defaults(run).telemetry());
        assertThat(telemetry).isGreaterThan(15);
        assertThat(endOffsets(broker.admin(), TopicNames.defaults(run).pareto())).isGreaterThanOrEqualTo(4);
        // the batches of every finished iteration are committed (the in-process producer wrote more than that)
        long committedLower = committed(broker.admin(), "mobl.cont.lower");
        assertThat(committedLower).isGreaterThan(0).isLessThanOrEqualTo(endOffsets(broker.admin(), TopicNames.defaults(run).lower()));
        assertThat(committed(broker.admin(), "mobl.cont.upper")).isGreaterThan(0);
    }

    /**
     * {@code run --continuous --checkpoint-every 4} stopped from the control topic and started again with the same
     * command goes on from its final checkpoint: the committed telemetry holds iterations 0..N of the run once each,
     * across the two processes, and the second ends later than the first.
     */
    @Test
    void aDurableContinuousRunStartedAgainGoesOnFromItsCheckpointWithEveryIterationOnce() throws Exception {
        String run = "dur";
        String[] command = {"run", "--continuous", "--bootstrap-servers", broker.bootstrapServers(), "--run", run,
                "--checkpoint-every", "4", "--pareto-every", "1000", "--produce", "--rate", "400", "--metrics-port", "-1", "--batch-size", "8",
                "--neumann-steps", "3", "--lower-iterations", "3", "--preference", "0.6,0.4"};
        List<Integer> stops = new java.util.ArrayList<>();
        for (int attempt = 0; attempt < 2; attempt++) {
            long before = committed(broker.admin(), "mobl.dur.lower");
            CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> mobl(command));
            // checkpoints commit the source's offsets: wait for a few of them, then stop the run
            await("checkpoints of the run", Duration.ofSeconds(90), () -> unchecked(() -> committed(broker.admin(),
                    "mobl.dur.lower")) > before + 100);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    broker.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(TopicNames.defaults(run).control(), run.getBytes(StandardCharsets.UTF_8),
                        JsonCodec.encode(new ControlMessage.Stop(run)))).get(10, TimeUnit.SECONDS);
            }
            assertThat(running.get(60, TimeUnit.SECONDS)).as(err + out.toString()).isZero();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("stopped after iteration (\\d+)").matcher(out.toString());
            int last = -1;
            while (m.find()) last = Integer.parseInt(m.group(1));
            stops.add(last);
        }
        assertThat(out.toString()).contains("checkpoints to mobl.checkpoints every 4 iterations");
        assertThat(stops.get(1)).as("the second process went on from the first one's end").isGreaterThan(stops.get(0));
        List<Integer> iterations = committedTelemetry(TopicNames.defaults(run).telemetry()).stream()
                .filter(t -> t.run().equals(run)).map(IterateTelemetry::iteration).sorted().toList();
        List<Integer> expected = java.util.stream.IntStream.rangeClosed(0, stops.get(1)).boxed().toList();
        assertThat(iterations).as("every iteration's telemetry once, across both processes").isEqualTo(expected);
    }

    /**
     * SIGTERM to a durable {@code run --continuous} process: the iteration in progress finishes, the final checkpoint
     * (not finished: a restart trains on) is committed with the telemetry of every iteration up to it, then it exits.
     */
    @Test
    void aDurableContinuousRunEndedBySigtermCommitsItsFinalCheckpointBeforeItExits() throws Exception {
        String run = "sigterm";
        List<String> command = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx512m", "-cp", testClassPath(), Main.class.getName(),
                "run", "--continuous", "--bootstrap-servers", broker.bootstrapServers(), "--run", run,
                "--checkpoint-every", "4", "--pareto-every", "1000", "--produce", "--rate", "400", "--metrics-port", "-1",
                "--batch-size", "8", "--neumann-steps", "3", "--lower-iterations", "3", "--preference", "0.6,0.4"));
        java.nio.file.Path log = java.nio.file.Files.createTempFile("mobl-sigterm", ".log");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await("checkpoints of the child's run", Duration.ofSeconds(90), () -> unchecked(() -> committed(broker.admin(),
                    "mobl.sigterm.lower")) > 100);
            child.destroy(); // SIGTERM
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        String text = java.nio.file.Files.readString(log);
        java.util.regex.Matcher stopped = java.util.regex.Pattern.compile("stopped after iteration (\\d+)").matcher(text);
        assertThat(stopped.find()).as(text).isTrue();
        int last = Integer.parseInt(stopped.group(1));
        io.mobl.protocol.Checkpoint checkpoint;
        try (io.mobl.core.checkpoint.RunJournal journal = io.mobl.streams.kafka.KafkaRunJournal.factory(
                io.mobl.streams.kafka.KafkaRunJournal.Settings.of(broker.bootstrapServers(), TopicNames.defaults(run)))
                .open(run, 0)) {
            checkpoint = journal.recover().orElseThrow();
        }
        assertThat(checkpoint.iteration()).as("the final checkpoint: just past the last iteration").isEqualTo(last + 1);
        assertThat(checkpoint.finished()).as("a stopped run trains on when started again").isFalse();
        List<Integer> iterations = committedTelemetry(TopicNames.defaults(run).telemetry()).stream()
                .filter(t -> t.run().equals(run)).map(IterateTelemetry::iteration).sorted().toList();
        assertThat(iterations).isEqualTo(java.util.stream.IntStream.rangeClosed(0, last).boxed().toList());
    }

    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private static <T> T unchecked(java.util.concurrent.Callable<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every telemetry record a read_committed reader sees on the topic, all partitions. */
    private static List<IterateTelemetry> committedTelemetry(String topic) throws Exception {
        var d = broker.admin().describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
        Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
        d.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new java.util.HashMap<>();
        broker.admin().listOffsets(latest).all().get(10, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
        List<IterateTelemetry> out = new java.util.ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(Map.of(
                org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.assign(ends.keySet());
            consumer.seekToBeginning(ends.keySet());
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())
                    && System.nanoTime() < deadline) {
                for (var r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
                        out.add(JsonCodec.decodeTelemetry(r.value()));
                    }
                }
            }
        }
        return out;
    }

    @Test
    void theBrokerCommandServesARunsTopicsUntilStopped() throws Exception {
        BrokerCommand command = new BrokerCommand();
        StringWriter brokerOut = new StringWriter();
        CommandLine cli = Main.commandLine(command, ConfigDefaults.load(java.util.Optional.empty(), Map.of()),
                new PrintWriter(brokerOut, true), new PrintWriter(new StringWriter(), true));
        CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> cli.execute("--run", "b1"));
        await("the bootstrap address", Duration.ofSeconds(90), () -> brokerOut.toString().contains("Ctrl-C stops the broker"));
        String bootstrap = brokerOut.toString().lines().filter(l -> l.startsWith("bootstrap servers: ")).findFirst()
                .orElseThrow().substring("bootstrap servers: ".length()).trim();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS))
                    .contains(TopicNames.defaults("b1").all().toArray(String[]::new));
        }
        command.stop.countDown();
        assertThat(running.get(60, TimeUnit.SECONDS)).isZero();
    }
}
