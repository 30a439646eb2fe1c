package io.mobl.ops.cli;

import io.mobl.core.stochastic.StochasticQuadraticProblem;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import io.mobl.streams.kafka.GeneratedStream;
import io.mobl.streams.kafka.MinibatchProducer;
import io.mobl.streams.kafka.Topics;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Stream a data set into Kafka as minibatches: lower-level data to mobl.<run>.lower and each "
                + "objective's data to mobl.<run>.upper (keyed by objective), in the proportion stochastic WC-MHGD "
                + "uses them.")
public final class ProduceCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin KafkaOptions kafka = new KafkaOptions();
    @Mixin StreamOptions stream = new StreamOptions();

    @Option(names = "--dataset", defaultValue = "synthetic",
            description = "synthetic: the seeded stochastic quadratic problem's samples. Default: ${DEFAULT-VALUE}.")
    String dataset;

    @Option(names = "--run", defaultValue = "run", description = "Write the topics of this run. Default: ${DEFAULT-VALUE}.")
    String run;

    @Option(names = "--topic", description = "Write only this topic: upper-level data when its name ends in .upper, lower-level data otherwise.")
    String topic;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the synthetic data (the consumer must use the same). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--count", defaultValue = "10000", description = "Minibatches to write (ignored with --loop). Default: ${DEFAULT-VALUE}.")
    long count;

    @Option(names = "--rate", defaultValue = "0", description = "At most this many minibatches per second; 0: as fast as the broker takes them. Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--loop", description = "Keep writing new samples until Ctrl-C (continuous training).")
    boolean loop;

    @Option(names = "--partitions", defaultValue = "2", description = "Partitions of the data topics if they must be created. Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!dataset.equals("synthetic")) {
            throw new InvalidInputException("--dataset", dataset, "synthetic (fashion-mnist and mnist need the data set loaders, not in this build yet)");
        }
        if (count < 1) throw new InvalidInputException("--count", count, "an integer >= 1");
        MinibatchProducer.Options options = MinibatchProducer.Options.once().withRate(rate);
        StochasticQuadraticSpec data = stream.spec(seed);
        StochasticQuadraticProblem problem = data.problem();
        GeneratedStream.PerIteration per = stream.perIteration(problem);
        Function<Minibatch, String> topicOf;
        Iterable<Minibatch> batches;
        long rounds = loop ? GeneratedStream.FOREVER : count;
        if (topic == null) {
            Topics.checkRun(run);
            topicOf = b -> b.isLower() ? Topics.lower(run) : Topics.upper(run);
            GeneratedStream all = new GeneratedStream(data.generator(), data.objectives(), stream.rows, per.ratio(),
                    loop ? GeneratedStream.FOREVER : (count + per.ratio() + data.objectives() - 1) / (per.ratio() + data.objectives()));
            batches = loop ? all : limit(all, count);
        } else {
            boolean upper = topic.endsWith(".upper");
            topicOf = b -> topic;
            batches = oneRole(data, upper, rounds);
        }
        try (StreamingSession session = StreamingSession.open(kafka.bootstrapServers, run, partitions, out)) {
            if (session.embedded() && !loop) {
                out.println("note: the embedded broker stops (and its data goes) when produce ends; use ./mobl broker for one that stays");
            }
            out.printf("producing %s minibatches of %d samples (%s, seed %d, %d lower-level per %d upper) to %s%s%n",
                    loop ? "endless" : Long.toString(count), stream.rows, dataset, seed, per.ratio(), data.objectives(),
                    topic == null ? Topics.lower(run) + " and " + Topics.upper(run) : topic,
                    rate > 0 ? " at " + rate + "/s" : "");
            out.flush();
            CountDownLatch done = new CountDownLatch(1);
            try (MinibatchProducer producer = new MinibatchProducer(session.bootstrapServers())) {
                Thread hook = new Thread(() -> {
                    producer.stop();
                    try {
                        done.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "mobl-produce-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
                long sent;
                try {
                    sent = producer.produce(topicOf, batches, options);
                } finally {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException shuttingDown) {
                        // Ctrl-C: the hook waits for this thread
                    }
                }
                out.printf("produced %d minibatches (%d acknowledged)%n", sent, producer.acknowledged());
            } finally {
                done.countDown();
            }
        }
        return 0;
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
                return upper ? generator.upperBatch((int) (k % s), k / s, stream.rows) : generator.lowerBatch(k, stream.rows);
            }
        };
    }
}
