package io.mobl.bench;

import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.stochastic.GeneratedBatchSource;
import io.mobl.core.stochastic.StochasticQuadraticProblem;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.mobl.protocol.Minibatch;
import io.mobl.streams.kafka.EmbeddedKafkaBroker;
import io.mobl.streams.kafka.GeneratedStream;
import io.mobl.streams.kafka.KafkaBatchSource;
import io.mobl.streams.kafka.MinibatchProducer;
import io.mobl.actors.ActorRuntime;
import io.mobl.streams.kafka.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.pekko.actor.ActorSystem;

/**
 * Issue 4's benchmark, on one embedded broker and one topic, side by side in one run:
 * <ol>
 *   <li><b>delivery ratio</b>: minibatches per second that {@link KafkaBatchSource} hands to a solver (decoded,
 *       checked, acknowledged with {@code iterationDone}, offsets committed) divided by records per second of a
 *       raw {@link KafkaConsumer} polling the same topic (bytes only), each reading the whole topic from the start
 *       with its own consumer group (target ≥ 0.8);</li>
 *   <li><b>wait fraction</b>: the share of a stochastic WC-MHGD run's wall time (one preference on the actor
 *       runtime) that the LowerLevelSolver spends blocked in {@code next} for data, with the data already in
 *       Kafka (target &lt; 5 %), counted from the arrival of the first lower batch (the consumers' group join
 *       before it is reported apart as {@code startupSeconds}), and the same run fed from memory
 *       ({@link GeneratedBatchSource}) for comparison.</li>
 * </ol>
 * Every measurement is repeated; the JSON has each repetition and the best.
 *
 * <p>Usage: {@code KafkaStreamingBenchmark [out.json] [minibatches, default 20000] [repetitions, default 3]}
 */
public final class KafkaStreamingBenchmark {
    private static final int ROWS = 8;
    private static final long SEED = 1;

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "results/kafka-streaming.json");
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int repetitions = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Vectors.useFloat64();
        StochasticQuadraticSpec spec = StochasticQuadraticSpec.defaults(SEED);
        StochasticQuadraticProblem problem = spec.problem();

        Map<String, Object> results = new LinkedHashMap<>();
        results.put("benchmark", "Kafka minibatch delivery to stochastic WC-MHGD vs a raw KafkaConsumer; lower-level wait fraction");
        results.put("machine", JsonResults.machine());
        ActorSystem system = ActorSystem.create("kafka-streaming-benchmark");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(); ActorRuntime actors = new ActorRuntime()) {
            // 1. delivery: `count` lower-level minibatches in one topic
            String run = "bench";
            broker.createTopic(Topics.lower(run), 2, false);
            broker.createTopic(Topics.upper(run), 2, false);
            List<Minibatch> batches = new ArrayList<>(count);
            for (int i = 0; i < count; i++) batches.add(spec.generator().lowerBatch(i, ROWS));
            long t0 = System.nanoTime();
            try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
                producer.produce(Topics.lower(run), batches);
            }
            double produceSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("produced %d minibatches of %d samples in %.2f s%n", count, ROWS, produceSeconds);

            List<Map<String, Object>> delivery = new ArrayList<>();
            double bestRaw = 0, bestMobl = 0;
            for (int r = 0; r < repetitions; r++) {
                double raw = rawConsumer(broker.bootstrapServers(), Topics.lower(run), count, "raw-" + r);
                double mobl = moblSource(system, broker.bootstrapServers(), run, count, problem, "mobl-" + r);
                bestRaw = Math.max(bestRaw, raw);
                bestMobl = Math.max(bestMobl, mobl);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("rawConsumerRecordsPerSecond", raw);
                row.put("moblMinibatchesPerSecond", mobl);
                row.put("ratio", mobl / raw);
                System.out.println("delivery " + row);
                delivery.add(row);
            }
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("minibatches", count);
            d.put("rowsPerMinibatch", ROWS);
            d.put("bytesPerRecord", io.mobl.protocol.codec.MinibatchCodec.encodedLength(batches.get(0)));
            d.put("produceSeconds", produceSeconds);
            d.put("repetitions", delivery);
            d.put("bestRatio", bestMobl / bestRaw);
            d.put("target", ">= 0.8");
            results.put("delivery", d);

            // 2. wait fraction of a stochastic WC-MHGD run on data already in Kafka
            StochasticWcMhgdConfig config = StochasticWcMhgdConfig.defaults(problem, 5, 5, ROWS, 1.0, 300, 0)
                    .withBatchTimeout(Duration.ofSeconds(60));
            GeneratedStream.PerIteration per = GeneratedStream.perIteration(config, ROWS);
            String solveRun = "bench-solve";
            broker.createTopic(Topics.lower(solveRun), 2, false);
            broker.createTopic(Topics.upper(solveRun), 2, false);
            try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
                producer.produce(b -> b.isLower() ? Topics.lower(solveRun) : Topics.upper(solveRun),
                        new GeneratedStream(spec.generator(), spec.objectives(), ROWS, per.ratio(), per.rounds(config.maxIterations() + 1L)),
                        MinibatchProducer.Options.once());
            }
            List<Map<String, Object>> waits = new ArrayList<>();
            double bestWait = 1;
            for (int r = 0; r < repetitions; r++) {
                Map<String, Object> row = new LinkedHashMap<>();
                long m0 = System.nanoTime();
                actors.solve(problem, config, GeneratedBatchSource.of(spec, ROWS), new double[] {0.5, 0.5}, "mem",
                        RunListener.NONE).solution().toCompletableFuture().get();
                double memorySeconds = (System.nanoTime() - m0) / 1e9;
                try (KafkaBatchSource source = KafkaBatchSource.start(system, KafkaBatchSource.Settings.of(broker.bootstrapServers(),
                        solveRun, spec.objectives()).withGroupPrefix("solve-" + r), KafkaBatchSource.BatchCheck.of(problem))) {
                    // The consumers join their groups and fetch in the background from start(); a run that starts
                    // at once waits for that first (~0.6 s here), once. Reported apart, as startupSeconds; the
                    // wait fraction is the steady state: the run starts once the first lower batch has arrived.
                    long s0 = System.nanoTime();
                    while (source.stats().lower().fetched() == 0 && System.nanoTime() - s0 < 60_000_000_000L) Thread.sleep(1);
                    double startupSeconds = (System.nanoTime() - s0) / 1e9;
                    long k0 = System.nanoTime();
                    actors.solve(problem, config, source, new double[] {0.5, 0.5}, solveRun, RunListener.NONE)
                            .solution().toCompletableFuture().get();
                    double kafkaSeconds = (System.nanoTime() - k0) / 1e9;
                    KafkaBatchSource.Stats s = source.stats();
                    double lowerWait = s.lowerWaitNanos() / 1e9;
                    double upperWait = s.upperWaitNanos() / 1e9;
                    row.put("iterations", config.maxIterations() + 1);
                    row.put("minibatches", s.handedOut());
                    row.put("startupSeconds", startupSeconds);
                    row.put("kafkaRunSeconds", kafkaSeconds);
                    row.put("inMemoryRunSeconds", memorySeconds);
                    row.put("lowerWaitSeconds", lowerWait);
                    row.put("upperWaitSeconds", upperWait);
                    row.put("lowerWaitFraction", lowerWait / kafkaSeconds);
                    row.put("allWaitFraction", (lowerWait + upperWait) / kafkaSeconds);
                    bestWait = Math.min(bestWait, lowerWait / kafkaSeconds);
                }
                System.out.println("wait " + row);
                waits.add(row);
            }
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("config", "D=" + config.lowerIterations() + " Q=" + config.neumannSteps() + " batch=" + ROWS
                    + " samples, " + per.lower() + " lower + " + per.upperPerObjective() + " per objective minibatches per iteration");
            w.put("repetitions", waits);
            w.put("bestLowerWaitFraction", bestWait);
            w.put("target", "< 0.05");
            results.put("lowerLevelWait", w);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
        JsonResults.write(out, results);
        System.out.println("wrote " + out.toAbsolutePath());
    }

    /** Records per second of a plain KafkaConsumer reading the whole topic (no decoding, no commits). */
    private static double rawConsumer(String bootstrap, String topic, int count, String group) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long n = 0, t0 = 0;
            long bytes = 0;
            while (n < count) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (!records.isEmpty() && t0 == 0) t0 = System.nanoTime();
                for (var r : records) bytes += r.value().length;
                n += records.count();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (bytes == 0) throw new IllegalStateException("no bytes read");
            return count / seconds;
        }
    }

    /**
     * Minibatches per second handed out by KafkaBatchSource and acknowledged, one at a time, as a solver does; with
     * the settings a run gets ({@link KafkaBatchSource.Settings#of}).
     */
    private static double moblSource(ActorSystem system, String bootstrap, String run, int count,
                                     StochasticQuadraticProblem problem, String group) throws Exception {
        try (KafkaBatchSource source = KafkaBatchSource.start(system, KafkaBatchSource.Settings.of(bootstrap, run, 2)
                .withGroupPrefix(group), KafkaBatchSource.BatchCheck.of(problem))) {
            long t0 = 0;
            for (int i = 0; i < count; i++) {
                Minibatch b = source.next(Minibatch.LOWER, Duration.ofSeconds(60));
                if (i == 0) t0 = System.nanoTime();
                source.iterationDone(i, List.of(b));
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            return (count - 1) / seconds;
        }
    }
}
