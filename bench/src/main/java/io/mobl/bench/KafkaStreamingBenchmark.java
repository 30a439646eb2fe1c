package io.mobl.bench;

import io.mobl.streams.kafka.KafkaSourceSettings;
import io.mobl.streams.kafka.TopicNames;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.stochastic.GeneratedBatchSource;
import io.mobl.core.stochastic.StochasticQuadraticProblem;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.codec.MinibatchCodec;
import io.mobl.streams.kafka.EmbeddedKafkaBroker;
import io.mobl.streams.kafka.GeneratedStream;
import io.mobl.streams.kafka.KafkaBatchSource;
import io.mobl.streams.kafka.MinibatchProducer;
import io.mobl.actors.ActorRuntime;
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

/**
 * Issue 4's benchmark, on one embedded broker and one topic, side by side in one run:
 * <ol>
 *   <li><b>delivery ratio</b>: minibatches per second that {@link KafkaBatchSource} hands to a solver (decoded,
 *       checked, acknowledged with {@code iterationDone}, offsets committed) divided by records per second of a
 *       raw {@link KafkaConsumer} polling the same topic with the same {@code max.poll.records} and decoding each
 *       record as mobl does (target ≥ 0.8); the ratio to a raw consumer that only touches the bytes is reported
 *       beside it, and so is the ratio to raw decoding consumers with mobl's parallelism: mobl reads each
 *       partition with its own consumer (each keeps a fetch in flight), so one raw consumer per partition, each on
 *       its own thread, is the like-for-like baseline. mobl hands the lower-level batches out in (offset,
 *       partition) order, the same sequence whatever the timing (the raw readers take whatever arrives). Each
 *       reader reads the whole topic from the start with its own consumer group;</li>
 *   <li><b>wait fraction</b>: the share of a stochastic WC-MHGD run's wall time (one preference on the actor
 *       runtime) that the LowerLevelSolver spends blocked in {@code next} for data, with the data already in
 *       Kafka (target &lt; 5 %), counted from the arrival of the first lower batch (the consumers' group join
 *       before it is reported apart as {@code startupSeconds}), and the same run fed from memory
 *       ({@link GeneratedBatchSource}) for comparison.</li>
 * </ol>
 * Every measurement is repeated after a warm-up that is not counted (the JIT makes the first run of each reader
 * up to twice as slow); the JSON has each repetition, the medians and the load average around them.
 *
 * <p>Usage: {@code KafkaStreamingBenchmark [out.json] [minibatches, default 100000] [repetitions, default 3]
 * [max.poll.records list, default 500,2000]}
 */
public final class KafkaStreamingBenchmark {
    private static final int ROWS = 8;
    private static final long SEED = 1;
    /** mobl's default max.poll.records ({@link KafkaSourceSettings#of}) and a larger poll, for comparison. */
    private static final String DEFAULT_POLL_SIZES = "500,2000";

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "results/kafka-streaming.json");
        // 100,000 records of ~1.1 kB are ~110 fetches of 1 MB: with 20,000 (22 fetches) the first, cold fetches
        // dominated and a single raw consumer read 31,000 records/s at 500 a poll against ~90,000 at steady state.
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int repetitions = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int[] pollSizes = java.util.Arrays.stream((args.length > 3 ? args[3] : DEFAULT_POLL_SIZES).split(","))
                .mapToInt(Integer::parseInt).toArray();
        Vectors.useFloat64();
        StochasticQuadraticSpec spec = StochasticQuadraticSpec.defaults(SEED);
        StochasticQuadraticProblem problem = spec.problem();

        Map<String, Object> results = new LinkedHashMap<>();
        results.put("benchmark", "Kafka minibatch delivery to stochastic WC-MHGD vs a raw KafkaConsumer; lower-level wait fraction");
        results.put("machine", JsonResults.machine());
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(); ActorRuntime actors = new ActorRuntime()) {
            // 1. delivery: `count` lower-level minibatches in one topic
            String run = "bench";
            broker.createTopic(TopicNames.defaults(run).lower(), 2, false);
            broker.createTopic(TopicNames.defaults(run).upper(), 2, false);
            List<Minibatch> batches = new ArrayList<>(count);
            var generator = spec.generator();
            for (int i = 0; i < count; i++) batches.add(generator.lowerBatch(i, ROWS));
            long t0 = System.nanoTime();
            try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
                producer.produce(TopicNames.defaults(run).lower(), batches);
            }
            double produceSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("produced %d minibatches of %d samples in %.2f s%n", count, ROWS, produceSeconds);

            long bytesPerRecord = MinibatchCodec.encodedLength(batches.get(0));
            batches = null; // not kept alive (and copied by every young GC) through the measurements

            Map<String, Object> d = new LinkedHashMap<>();
            d.put("minibatches", count);
            d.put("rowsPerMinibatch", ROWS);
            d.put("bytesPerRecord", bytesPerRecord);
            d.put("produceSeconds", produceSeconds);
            d.put("method", "per max.poll.records (the same for all three readers): one warm-up round not counted, then "
                    + repetitions + " rounds; in each round the three readers run one after another, the order rotating"
                    + " round by round so that load and JIT state hit all alike; each reads the whole topic with its own"
                    + " consumer group and is timed from its first record; medians over rounds");
            List<Map<String, Object>> configs = new ArrayList<>();
            for (int maxPoll : pollSizes) {
                configs.add(delivery(broker.bootstrapServers(), run, count, problem, maxPoll, repetitions));
            }
            d.put("byMaxPollRecords", configs);
            d.put("target", ">= 0.8 (moblOverRawDecodingMedian)");
            results.put("delivery", d);

            // 2. wait fraction of a stochastic WC-MHGD run on data already in Kafka
            StochasticWcMhgdConfig config = StochasticWcMhgdConfig.defaults(problem, 5, 5, ROWS, 1.0, 300, 0)
                    .withBatchTimeout(Duration.ofSeconds(60));
            GeneratedStream.PerIteration per = GeneratedStream.perIteration(config, ROWS);
            String solveRun = "bench-solve";
            broker.createTopic(TopicNames.defaults(solveRun).lower(), 2, false);
            broker.createTopic(TopicNames.defaults(solveRun).upper(), 2, false);
            try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
                producer.produce(TopicNames.defaults(solveRun),
                        new GeneratedStream(spec.generator(), spec.objectives(), ROWS, per.ratio(), per.rounds(config.maxIterations() + 1L)),
                        MinibatchProducer.Options.once());
            }
            List<Map<String, Object>> waits = new ArrayList<>();
            double[] lowerWaitFractions = new double[repetitions];
            double loadBefore = load();
            for (int r = -1; r < repetitions; r++) { // run -1 warms the JIT up and is not counted
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("run", r < 0 ? "warm-up" : Integer.toString(r));
                long m0 = System.nanoTime();
                actors.solve(problem, config, GeneratedBatchSource.of(spec, ROWS), new double[] {0.5, 0.5}, "mem",
                        RunListener.NONE).solution().toCompletableFuture().get();
                double memorySeconds = (System.nanoTime() - m0) / 1e9;
                try (KafkaBatchSource source = KafkaBatchSource.start(KafkaSourceSettings.of(broker.bootstrapServers(),
                        solveRun, spec.objectives()).withGroupPrefix("solve" + r), KafkaBatchSource.BatchCheck.of(problem))) {
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
                    row.put("loadAverage1m", load());
                    if (r >= 0) lowerWaitFractions[r] = lowerWait / kafkaSeconds;
                }
                System.out.println("wait " + JsonResults.line(row));
                waits.add(row);
            }
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("config", "D=" + config.lowerIterations() + " Q=" + config.neumannSteps() + " batch=" + ROWS
                    + " samples, " + per.lower() + " lower + " + per.upperPerObjective() + " per objective minibatches per iteration");
            w.put("repetitions", waits);
            w.put("lowerWaitFractionMedian", ActorBenchmark.median(lowerWaitFractions));
            w.put("lowerWaitFractionBest", java.util.Arrays.stream(lowerWaitFractions).min().orElse(Double.NaN));
            w.put("loadAverage1mBefore", loadBefore);
            w.put("loadAverage1mAfter", load());
            w.put("target", "< 0.05 (lowerWaitFractionMedian)");
            results.put("lowerLevelWait", w);
        }
        JsonResults.write(out, results);
        System.out.println("wrote " + out.toAbsolutePath());
    }

    /** The three readers of the delivery measurement. */
    private enum Reader { RAW_BYTES, RAW_DECODING, RAW_DECODING_PER_PARTITION, MOBL }

    /** One max.poll.records: rounds of the three readers, the order rotating; medians. */
    private static Map<String, Object> delivery(String bootstrap, String run, int count,
                                                StochasticQuadraticProblem problem, int maxPoll, int repetitions) throws Exception {
        Reader[] readers = Reader.values();
        double[] rawBytes = new double[repetitions], rawDecoding = new double[repetitions], mobl = new double[repetitions];
        double[] rawPerPartition = new double[repetitions], overPerPartition = new double[repetitions];
        double[] overDecoding = new double[repetitions], overBytes = new double[repetitions];
        List<Map<String, Object>> rounds = new ArrayList<>();
        double loadBefore = load();
        for (int r = -1; r < repetitions; r++) { // round -1 warms the JIT up and is not counted
            Map<String, Object> row = new LinkedHashMap<>();
            List<String> order = new ArrayList<>();
            double[] rate = new double[readers.length];
            for (int k = 0; k < readers.length; k++) {
                Reader reader = readers[Math.floorMod(r + k, readers.length)];
                String group = "p" + maxPoll + "-" + reader.name().toLowerCase(java.util.Locale.ROOT) + "-" + r;
                order.add(reader.name());
                rate[reader.ordinal()] = switch (reader) {
                    case RAW_BYTES -> rawConsumer(bootstrap, TopicNames.defaults(run).lower(), count, group, maxPoll, false);
                    case RAW_DECODING -> rawConsumer(bootstrap, TopicNames.defaults(run).lower(), count, group, maxPoll, true);
                    case RAW_DECODING_PER_PARTITION -> rawConsumerPerPartition(bootstrap, TopicNames.defaults(run).lower(), count, group, maxPoll);
                    case MOBL -> moblSource(bootstrap, run, count, problem, group, maxPoll);
                };
            }
            row.put("round", r < 0 ? "warm-up" : Integer.toString(r));
            row.put("order", order);
            row.put("rawBytesRecordsPerSecond", rate[Reader.RAW_BYTES.ordinal()]);
            row.put("rawDecodingRecordsPerSecond", rate[Reader.RAW_DECODING.ordinal()]);
            row.put("rawDecodingPerPartitionRecordsPerSecond", rate[Reader.RAW_DECODING_PER_PARTITION.ordinal()]);
            row.put("moblMinibatchesPerSecond", rate[Reader.MOBL.ordinal()]);
            row.put("moblOverRawDecoding", rate[Reader.MOBL.ordinal()] / rate[Reader.RAW_DECODING.ordinal()]);
            row.put("moblOverRawBytes", rate[Reader.MOBL.ordinal()] / rate[Reader.RAW_BYTES.ordinal()]);
            row.put("moblOverRawDecodingPerPartition", rate[Reader.MOBL.ordinal()] / rate[Reader.RAW_DECODING_PER_PARTITION.ordinal()]);
            row.put("loadAverage1m", load());
            System.out.println("delivery max.poll.records=" + maxPoll + " " + JsonResults.line(row));
            rounds.add(row);
            if (r < 0) continue;
            rawBytes[r] = rate[Reader.RAW_BYTES.ordinal()];
            rawDecoding[r] = rate[Reader.RAW_DECODING.ordinal()];
            mobl[r] = rate[Reader.MOBL.ordinal()];
            overDecoding[r] = mobl[r] / rawDecoding[r];
            overBytes[r] = mobl[r] / rawBytes[r];
            rawPerPartition[r] = rate[Reader.RAW_DECODING_PER_PARTITION.ordinal()];
            overPerPartition[r] = mobl[r] / rawPerPartition[r];
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("maxPollRecords", maxPoll);
        c.put("rawBytesRecordsPerSecondMedian", ActorBenchmark.median(rawBytes));
        c.put("rawDecodingRecordsPerSecondMedian", ActorBenchmark.median(rawDecoding));
        c.put("moblMinibatchesPerSecondMedian", ActorBenchmark.median(mobl));
        c.put("moblOverRawDecodingMedian", ActorBenchmark.median(overDecoding));
        c.put("moblOverRawBytesMedian", ActorBenchmark.median(overBytes));
        c.put("rawDecodingPerPartitionRecordsPerSecondMedian", ActorBenchmark.median(rawPerPartition));
        c.put("moblOverRawDecodingPerPartitionMedian", ActorBenchmark.median(overPerPartition));
        c.put("loadAverage1mBefore", loadBefore);
        c.put("loadAverage1mAfter", load());
        c.put("rounds", rounds);
        return c;
    }

    private static double load() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /**
     * Records per second of a plain KafkaConsumer polling the whole topic in a loop (no commits), timed from its
     * first non-empty poll; with {@code decode}, each record's value is decoded into a Minibatch as mobl does.
     */
    private static double rawConsumer(String bootstrap, String topic, int count, String group, int maxPoll, boolean decode) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPoll);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long n = 0, t0 = 0;
            long check = 0;
            while (n < count) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (!records.isEmpty() && t0 == 0) t0 = System.nanoTime();
                for (var r : records) check += decode ? MinibatchCodec.decode(r.value()).rows() : r.value().length;
                n += records.count();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (check == 0) throw new IllegalStateException("no bytes read");
            return count / seconds;
        }
    }

    /**
     * Records per second of one plain KafkaConsumer per partition of the topic, each assigned its partition and
     * polling and decoding on its own thread (mobl's parallelism), timed from the first non-empty poll of any.
     */
    private static double rawConsumerPerPartition(String bootstrap, String topic, int count, String group, int maxPoll) throws Exception {
        int partitions;
        try (KafkaConsumer<byte[], byte[]> probe = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            partitions = probe.partitionsFor(topic).size();
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(partitions);
        java.util.concurrent.atomic.AtomicLong read = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong start = new java.util.concurrent.atomic.AtomicLong();
        // Every consumer finds its start position (committed offset lookup, offset reset) before any polls for
        // records: otherwise the one that comes up second spends the first's run setting up, and the rate measures
        // consumer start-up, not delivery (35,000 against 200,000 records/s for a single consumer on 20,000 records).
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(partitions);
        try {
            List<java.util.concurrent.Future<Long>> readers = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition(topic, p);
                readers.add(pool.submit(() -> {
                    Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                            ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPoll);
                    long check = 0;
                    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                        consumer.assign(List.of(tp));
                        consumer.position(tp, Duration.ofSeconds(30));
                        ready.countDown();
                        ready.await();
                        while (read.get() < count) {
                            ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(20));
                            if (!records.isEmpty()) start.compareAndSet(0, System.nanoTime());
                            for (var r : records) check += MinibatchCodec.decode(r.value()).rows();
                            read.addAndGet(records.count());
                        }
                    }
                    return check;
                }));
            }
            long check = 0;
            for (var f : readers) check += f.get();
            if (check == 0) throw new IllegalStateException("no rows decoded");
            return count / ((System.nanoTime() - start.get()) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Minibatches per second handed out by KafkaBatchSource and acknowledged, one at a time, as a solver does; with
     * the settings a run gets ({@link KafkaSourceSettings#of}) but {@code maxPoll} records a poll.
     */
    private static double moblSource(String bootstrap, String run, int count,
                                     StochasticQuadraticProblem problem, String group, int maxPoll) throws Exception {
        try (KafkaBatchSource source = KafkaBatchSource.start(KafkaSourceSettings.of(bootstrap, run, 2)
                .withGroupPrefix(group).withMaxPollRecords(maxPoll), KafkaBatchSource.BatchCheck.of(problem))) {
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
