package io.mobl.ops.cli;

import io.mobl.core.data.DataSets;
import io.mobl.core.data.HyperCleaningSplit;
import io.mobl.core.data.ImageMinibatches;
import io.mobl.core.data.LabelledImages;
import io.mobl.core.experiment.HyperCleaningRun;
import io.mobl.core.experiment.StochasticHyperCleaningRun;
import io.mobl.core.experiment.StochasticHyperCleaningSettings;
import io.mobl.core.problem.hypercleaning.CorruptionRateSamples;
import io.mobl.protocol.InvalidInputException;
import io.mobl.core.stochastic.StochasticQuadraticProblem;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.mobl.ops.config.MoblConfig;
import io.mobl.protocol.Minibatch;
import io.mobl.streams.kafka.GeneratedStream;
import io.mobl.streams.kafka.MinibatchProducer;
import io.mobl.streams.kafka.TopicNames;
import io.mobl.streams.kafka.Topics;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Stream a data set into Kafka as minibatches: lower-level data to mobl.<run>.lower and each "
                + "objective's data to mobl.<run>.upper (keyed by objective), in the proportion stochastic WC-MHGD "
                + "uses them.")
public final class ProduceCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin KafkaOptions kafka = new KafkaOptions();
    @Mixin StreamOptions stream = new StreamOptions();

    @Option(names = "--dataset",
            description = "synthetic: the seeded stochastic quadratic problem's samples; mnist, fashion-mnist or both "
                    + "(mnist,fashion-mnist: one objective each): the hyper-cleaning split of the real images (noisy "
                    + "training set to the lower topic, clean first validation set to the upper topic), float32 pixels "
                    + "in [0, 1] with one-hot labels (see io.mobl.core.data.ImageMinibatches). Default: ${DEFAULT-VALUE}.")
    String dataset;

    @Option(names = "--train-size", description = "Images data sets: training set size per data set (FORUM: 5,000). Default: ${DEFAULT-VALUE}.")
    int trainSize;

    @Option(names = "--validation-size", description = "Images data sets: first validation set size (FORUM: 1,000). Default: ${DEFAULT-VALUE}.")
    int validationSize;

    @Option(names = "--corruption", description = "Images data sets: fraction of training labels replaced by another class. Default: ${DEFAULT-VALUE}.")
    double corruption;

    @Option(names = "--format", description = "mnist, fashion-mnist: batches (mobl's binary minibatches of the "
            + "hyper-cleaning split, one-hot labels) or records (per-example JSON records of the stochastic "
            + "hyper-cleaning problem of one data set: each training image with its label at every corruption rate, "
            + "the clean validation images keyed by objective; --count counts the training records; "
            + "./mobl experiment stochastic-hyper-cleaning --bootstrap-servers trains on them). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--run", description = "Write the topics of this run. Default: ${DEFAULT-VALUE}.")
    String run;

    @Option(names = "--topic", description = "Write only this topic: upper-level data when its name ends in .upper, lower-level data otherwise.")
    String topic;

    @Option(names = "--seed", description = "Seed of the synthetic data (the consumer must use the same). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--count", description = "Minibatches to write (ignored with --loop). Default: ${DEFAULT-VALUE}.")
    long count;

    @Option(names = "--rate", description = "At most this many minibatches per second; 0: as fast as the broker takes them. Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--loop", description = "Keep writing new samples until Ctrl-C (continuous training).")
    boolean loop;

    @Option(names = "--partitions", description = "Partitions of the data topics if they must be created. Default: ${DEFAULT-VALUE}.")
    int partitions;

    /** The configuration in force (reference.conf, file, --set, options), read when the command starts. */
    private MoblConfig config;
    private MoblConfig.Produce settings;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        config = Main.config(spec.commandLine());
        settings = config.produce();
        if (settings.format() == MoblConfig.ProduceFormat.RECORDS) {
            if (settings.synthetic()) {
                throw new InvalidInputException("--format", "records", "batches for --dataset synthetic (records are written for mnist or fashion-mnist)");
            }
            return produceRecords(out);
        }
        if (!settings.synthetic()) return produceImages(out);
        MinibatchProducer.Options options = MinibatchProducer.Options.once().withRate(settings.rate());
        StochasticQuadraticSpec data = stream.spec(config.problem().seed());
        StochasticQuadraticProblem problem = data.problem();
        GeneratedStream.PerIteration per = stream.perIteration(problem);
        Function<Minibatch, String> topicOf;
        Iterable<Minibatch> batches;
        long rounds = loop ? GeneratedStream.FOREVER : settings.count();
        if (topic == null) {
            Topics.checkRun(config.run());
            topicOf = b -> b.isLower() ? config.topicsFor(config.run()).lower() : config.topicsFor(config.run()).upper();
            GeneratedStream all = new GeneratedStream(data.generator(), data.objectives(), stream.rows(), per.ratio(),
                    loop ? GeneratedStream.FOREVER : (settings.count() + per.ratio() + data.objectives() - 1) / (per.ratio() + data.objectives()));
            batches = loop ? all : limit(all, settings.count());
        } else {
            boolean upper = topic.endsWith(".upper");
            topicOf = b -> topic;
            batches = oneRole(data, upper, rounds);
        }
        try (StreamingSession session = StreamingSession.open(kafka.bootstrapServers, config.topicsFor(config.run()), config.kafka().partitions(), out)) {
            if (session.embedded() && !loop) {
                out.println("note: the embedded broker stops (and its data goes) when produce ends; use ./mobl broker for one that stays");
            }
            out.printf("producing %s minibatches of %d samples (%s, seed %d, %d lower-level per %d upper) to %s%s%n",
                    loop ? "endless" : Long.toString(settings.count()), stream.rows(), "synthetic", config.problem().seed(), per.ratio(), data.objectives(),
                    topic == null ? config.topicsFor(config.run()).lower() + " and " + config.topicsFor(config.run()).upper() : topic,
                    settings.rate() > 0 ? " at " + settings.rate() + "/s" : "");
            out.flush();
            send(out, session, topicOf, batches, options);
        }
        return 0;
    }

    /**
     * The real data sets: the hyper-cleaning split (same sizes and seeds as {@code ./mobl experiment
     * hyper-cleaning}: data set i is split with seed·31 + i) streamed as {@link ImageMinibatches}, lower-level
     * and upper-level batches in the proportion stochastic WC-MHGD uses them. The sets wrap around, with new batch
     * ids, so {@code --loop} streams for ever.
     */
    private int produceImages(PrintWriter out) throws Exception {
        List<String> names = settings.dataset(); // mnist and/or fashion-mnist, each once (checked with the configuration)
        HyperCleaningSplit.Sizes sizes = new HyperCleaningSplit.Sizes(settings.trainSize(), settings.validationSize(), 0, 0, settings.corruption());
        List<LabelledImages> data = names.stream().map(DataSets::load).toList();
        List<HyperCleaningSplit> splits = HyperCleaningRun.splits(data, sizes, config.problem().seed());
        int ratio = stream.perIteration(stream.spec(config.problem().seed()).problem()).ratio();
        Iterable<Minibatch> all = ImageMinibatches.stream(names, splits, stream.rows(), ratio);
        Function<Minibatch, String> topicOf;
        if (topic == null) {
            Topics.checkRun(config.run());
            topicOf = b -> b.isLower() ? config.topicsFor(config.run()).lower() : config.topicsFor(config.run()).upper();
        } else {
            boolean upper = topic.endsWith(".upper");
            all = filter(all, b -> b.isLower() != upper);
            topicOf = b -> topic;
        }
        Iterable<Minibatch> batches = loop ? all : limit(all, settings.count());
        try (StreamingSession session = StreamingSession.open(kafka.bootstrapServers, config.topicsFor(config.run()), config.kafka().partitions(), out)) {
            if (session.embedded() && !loop) {
                out.println("note: the embedded broker stops (and its data goes) when produce ends; use ./mobl broker for one that stays");
            }
            out.printf("producing %s minibatches of %d images (%s: %d training images, %.0f%% of their labels corrupted, "
                            + "%d validation images each; split seed %d; float32 pixels, one-hot labels; %d lower-level per %d upper) to %s%s%n",
                    loop ? "endless" : Long.toString(settings.count()), stream.rows(), String.join(", ", names), settings.trainSize(),
                    100 * settings.corruption(), settings.validationSize(), config.problem().seed(), ratio, names.size(),
                    topic == null ? config.topicsFor(config.run()).lower() + " and " + config.topicsFor(config.run()).upper() : topic,
                    settings.rate() > 0 ? " at " + settings.rate() + "/s" : "");
            out.flush();
            send(out, session, topicOf, batches, MinibatchProducer.Options.once().withRate(settings.rate()));
        }
        return 0;
    }

    /**
     * The stochastic hyper-cleaning problem's data ({@link StochasticHyperCleaningRun#samples}, the experiment's
     * corruption rates, split with {@code --seed}) as ordinary per-example JSON records
     * ({@link StochasticHyperCleaningExperiment#records}), in the order the in-memory run draws them: training
     * record i is the i-th training example of the endless sequence of epochs, objective s's j-th record its j-th
     * validation example. Beside each training record the upper topic gets what one iteration of stochastic WC-MHGD
     * (the experiment's batch sizes, D = 1: the most validation data per training example) reads per training
     * example, and a quarter more, one record of each objective at a time.
     */
    private int produceRecords(PrintWriter out) throws Exception {
        List<String> names = settings.dataset();
        if (names.size() != 1) {
            throw new InvalidInputException("--dataset", String.join(",", names),
                    "one data set with --format records (the stochastic hyper-cleaning problem of one data set)");
        }
        if (topic != null) throw new InvalidInputException("--topic", topic, "none with --format records (records go to the run's lower and upper topics)");
        var parsed = spec.commandLine().getParseResult();
        if (parsed.hasMatchedOption("--corruption")) {
            throw new InvalidInputException("--corruption", corruption, "none with --format records (each training record carries "
                    + "its label at every corruption rate " + java.util.Arrays.toString(StochasticHyperCleaningSettings.RATES) + ")");
        }
        for (String pacing : List.of("--minibatch-rows", "--batch-size", "--lower-iterations", "--neumann-steps")) {
            if (parsed.hasMatchedOption(pacing)) {
                throw new InvalidInputException(pacing, parsed.matchedOptionValue(pacing, null), "none with --format records (one example "
                        + "per record; the reader batches them, and the validation records keep pace with the experiment's batch sizes)");
            }
        }
        Topics.checkRun(config.run());
        StochasticHyperCleaningSettings hc = StochasticHyperCleaningCommand.withSizes(StochasticHyperCleaningSettings.scaledDefaults(),
                settings.trainSize(), settings.validationSize());
        LabelledImages data = DataSets.load(names.get(0));
        long seed = config.problem().seed();
        CorruptionRateSamples samples = StochasticHyperCleaningRun.samples(hc, data, seed);
        long lowerRecords = loop ? GeneratedStream.FOREVER : settings.count();
        // what an iteration with D = 1 reads (the most validation data per training example), and a quarter more:
        // enough for the experiment at any D, its surplus left unread
        StochasticHyperCleaningSettings leanest = hc.withIterations(hc.iterations(), 1);
        double upperPerLower = 1.25 * leanest.upperRowsPerIteration() / leanest.lowerRowsPerIteration();
        Iterable<Minibatch> examples = exampleSequence(samples, hc.objectives(), lowerRecords, upperPerLower);
        io.mobl.streams.kafka.RecordBatching records = StochasticHyperCleaningExperiment.records(hc, data);
        TopicNames topics = config.topicsFor(config.run());
        try (StreamingSession session = StreamingSession.open(kafka.bootstrapServers, topics, config.kafka().partitions(), out)) {
            if (session.embedded() && !loop) {
                out.println("note: the embedded broker stops (and its data goes) when produce ends; use ./mobl broker for one that stays");
            }
            out.printf(java.util.Locale.ROOT, "producing %s training records of %s (%d training images, labels at corruption rates %s, "
                            + "split seed %d) to %s and %.3f validation records per objective per training record (%d objectives) to %s, as JSON%n",
                    loop ? "endless" : Long.toString(settings.count()), names.get(0), hc.sizes().train(),
                    java.util.Arrays.toString(hc.corruptionRates()), seed, topics.lower(), upperPerLower, hc.objectives(), topics.upper());
            out.flush();
            CountDownLatch done = new CountDownLatch(1);
            try (MinibatchProducer producer = new MinibatchProducer(session.bootstrapServers())) {
                long sent = sendAll(producer, done, () -> producer.produce(b -> b.isLower() ? topics.lower() : topics.upper(), examples,
                        MinibatchProducer.Options.once().withRate(settings.rate()), b -> StochasticHyperCleaningExperiment.encode(records, b)));
                out.printf("produced %d records (%d acknowledged)%n", sent, producer.acknowledged());
            } finally {
                done.countDown();
            }
        }
        return 0;
    }

    /** Training example i (one-row batches) in order, and after each the validation examples that fall due. */
    private static Iterable<Minibatch> exampleSequence(CorruptionRateSamples samples, int objectives, long lowerRecords,
                                                       double upperPerLower) {
        return () -> new java.util.Iterator<>() {
            long lower;
            long upper;
            int objective = objectives; // objectives left to send in the current round (none: a training example is next)
            boolean inRound;

            @Override public boolean hasNext() {
                return lower < lowerRecords || inRound || upper < Math.ceil(lower * upperPerLower);
            }

            @Override public Minibatch next() {
                if (!hasNext()) throw new java.util.NoSuchElementException();
                if (!inRound && upper < Math.ceil(lower * upperPerLower)) {
                    inRound = true;
                    objective = 0;
                }
                if (inRound) {
                    Minibatch b = samples.batch(objective, upper, 1);
                    if (++objective == objectives) {
                        inRound = false;
                        upper++;
                    }
                    return b;
                }
                return samples.batch(Minibatch.LOWER, lower++, 1);
            }
        };
    }

    /** Runs {@code send}; Ctrl-C stops the producer after the record it is sending and waits for the flush. */
    private static long sendAll(MinibatchProducer producer, CountDownLatch done, java.util.function.LongSupplier send) {
        Thread hook = new Thread(() -> {
            producer.stop();
            try {
                done.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "mobl-produce-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return send.getAsLong();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook waits for this thread
            }
        }
    }

    /** Sends the batches; Ctrl-C stops the producer after the record it is sending and waits for the flush. */
    private static void send(PrintWriter out, StreamingSession session, Function<Minibatch, String> topicOf,
                             Iterable<Minibatch> batches, MinibatchProducer.Options options) {
        CountDownLatch done = new CountDownLatch(1);
        try (MinibatchProducer producer = new MinibatchProducer(session.bootstrapServers())) {
            long sent = sendAll(producer, done, () -> producer.produce(topicOf, batches, options));
            out.printf("produced %d minibatches (%d acknowledged)%n", sent, producer.acknowledged());
        } finally {
            done.countDown();
        }
    }

    private static Iterable<Minibatch> filter(Iterable<Minibatch> all, java.util.function.Predicate<Minibatch> keep) {
        return () -> new java.util.Iterator<>() {
            final java.util.Iterator<Minibatch> it = all.iterator();
            Minibatch next;

            @Override public boolean hasNext() {
                while (next == null && it.hasNext()) {
                    Minibatch b = it.next();
                    if (keep.test(b)) next = b;
                }
                return next != null;
            }

            @Override public Minibatch next() {
                if (!hasNext()) throw new java.util.NoSuchElementException();
                Minibatch b = next;
                next = null;
                return b;
            }
        };
    }

    private static Iterable<Minibatch> limit(Iterable<Minibatch> all, long n) {
        return () -> new java.util.Iterator<>() {
            final java.util.Iterator<Minibatch> it = all.iterator();
            long left = n;

            @Override public boolean hasNext() { return left > 0 && it.hasNext(); }

            @Override public Minibatch next() {
                left--;
                return it.next();
            }
        };
    }

    /** One role's batches: lower-level ones, or one of each objective per round. */
    private Iterable<Minibatch> oneRole(StochasticQuadraticSpec data, boolean upper, long n) {
        var generator = data.generator();
        int s = data.objectives();
        return () -> new java.util.Iterator<>() {
            long i;

            @Override public boolean hasNext() { return i < n; }

            @Override public Minibatch next() {
                long k = i++;
                return upper ? generator.upperBatch((int) (k % s), k / s, stream.rows()) : generator.lowerBatch(k, stream.rows());
            }
        };
    }
}
