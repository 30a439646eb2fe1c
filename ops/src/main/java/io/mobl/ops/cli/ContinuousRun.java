package io.mobl.ops.cli;

import io.mobl.streams.kafka.KafkaSourceSettings;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.stochastic.StochasticQuadraticProblem;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mobl.ops.metrics.MetricsServer;
import io.mobl.ops.metrics.MoblMetrics;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.PreferenceKey;
import io.mobl.streams.kafka.ControlTopic;
import io.mobl.streams.kafka.GeneratedStream;
import io.mobl.streams.kafka.KafkaBatchSource;
import io.mobl.streams.kafka.MinibatchProducer;
import io.mobl.actors.ActorRuntime;
import io.mobl.actors.AlgorithmSweepSpec;
import io.mobl.actors.Checkpointing;
import io.mobl.actors.SweepHandle;
import io.mobl.core.algorithm.StochasticWcMhgdAlgorithm;
import io.mobl.core.checkpoint.RunJournal;
import io.mobl.core.stochastic.CountingStochasticProblem;
import io.mobl.streams.kafka.KafkaRunJournal;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code mobl run --continuous}: stochastic WC-MHGD on the run's Kafka topics for as long as data comes (an
 * unbounded stream), on the actor runtime (one {@code StepCoordinator}), telemetry to {@code mobl.telemetry} every
 * iteration and the current Pareto point to {@code mobl.pareto} every N iterations, driven by {@code mobl.control}
 * (set-preference, pause, resume, stop through the run's {@link SweepHandle}), until a control-topic stop or
 * SIGINT/SIGTERM. Either way the shutdown is clean: the iteration in progress finishes, the final checkpoint and
 * its batches' offsets are committed, the sinks are flushed.
 *
 * <p>With {@code --checkpoint-every N} ({@code mobl.checkpoint.every}) the run is durable: its
 * {@link KafkaRunJournal} commits the telemetry, the points, a checkpoint every N iterations and the source's
 * offsets in one transaction each, and starting the same command again resumes from the newest checkpoint,
 * neither skipping nor re-using a minibatch (a kill -9 loses only the iterations since it, which are redone).
 */
final class ContinuousRun {
    /**
     * @param produceRate with {@code produce}, an in-process producer writes the synthetic data at this rate
     *                    (minibatches/s) for as long as the run lasts, so one command shows the whole loop
     */
    record Settings(String run, double[] preference, int paretoEvery, boolean produce, double produceRate,
                    String metricsHost, int metricsPort, int checkpointEvery) {}

    private ContinuousRun() {}

    /**
     * @param data   the problem and its data (the producer, in-process or not, must use the same spec)
     * @param config K and ε as the run should stop by itself ({@link Integer#MAX_VALUE} and 0: only when told)
     * @param rows   samples per minibatch of the in-process producer
     */
    static int run(PrintWriter out, String bootstrapServers, io.mobl.streams.kafka.TopicNames topics,
                   StochasticQuadraticSpec data, StochasticWcMhgdConfig config, int rows, Settings s) throws Exception {
        StochasticQuadraticProblem problem = data.problem();
        CountDownLatch finished = new CountDownLatch(1);
        try (StreamingSession session = StreamingSession.open(bootstrapServers, topics, 2, out)) {
            Thread producerThread = null;
            MinibatchProducer producer = null;
            if (s.produce()) {
                producer = new MinibatchProducer(session.bootstrapServers());
                GeneratedStream.PerIteration per = GeneratedStream.perIteration(config, rows);
                GeneratedStream endless = new GeneratedStream(data.generator(), data.objectives(), rows,
                        per.ratio(), GeneratedStream.FOREVER);
                MinibatchProducer p = producer;
                producerThread = new Thread(() -> p.produce(session.topics(),
                        endless, MinibatchProducer.Options.once().withRate(s.produceRate())), "mobl-continuous-producer");
                producerThread.setDaemon(true);
                producerThread.start();
                out.printf(Locale.ROOT, "producing synthetic data (seed %d) in-process at %.0f minibatches/s%n", data.seed(), s.produceRate());
            }
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            MoblMetrics metrics = MoblMetrics.bindTo(registry);
            Listener listener = new Listener(session, out, metrics);
            try (MetricsEndpoint endpoint = new MetricsEndpoint(MetricsServer.startIfEnabled(registry, s.metricsHost(), s.metricsPort()));
                 KafkaBatchSource source = KafkaBatchSource.start(sourceSettings(session, s, problem.objectiveCount()),
                    KafkaBatchSource.BatchCheck.of(problem));
                 KafkaMeters meters = new KafkaMeters(metrics, source, session.admin(), Duration.ofSeconds(2))) {
                endpoint.server().ifPresent(m -> {
                    m.markReady();
                    out.printf("metrics: http://%s:%d/metrics%n", m.host(), m.port());
                });
                boolean durable = s.checkpointEvery() > 0;
                RunJournal.Factory journals = durable
                        ? KafkaRunJournal.factory(KafkaRunJournal.Settings.of(session.bootstrapServers(), session.topics()))
                        : RunJournal.Factory.NONE;
                AlgorithmSweepSpec spec = new AlgorithmSweepSpec(List.of(new AlgorithmSweepSpec.Part(
                        new StochasticWcMhgdAlgorithm(new CountingStochasticProblem(problem), config, source), source, null)),
                        List.of(s.preference()), config::finished, s.run(), durable ? listener.withoutSinks() : listener,
                        durable ? Checkpointing.every(s.checkpointEvery(), journals) : Checkpointing.NONE, s.paretoEvery(),
                        AlgorithmSweepSpec.StepObserver.NONE);
                Solution last;
                // not Pekko's own JVM hook: the hook above stops the run, and the runtime must live until its final commit
                try (ActorRuntime actors = new ActorRuntime(com.typesafe.config.ConfigFactory.parseString(
                        "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off").withFallback(
                        com.typesafe.config.ConfigFactory.load()))) {
                    SweepHandle running = actors.sweep(spec);
                    Thread hook = new Thread(() -> {
                        running.stop(0); // the iteration in progress finishes, then the final checkpoint is committed
                        try {
                            // the JVM exits when the hook returns: give the iteration in progress and the cleanup time
                            finished.await(config.batchTimeout().toMillis() + 30_000, TimeUnit.MILLISECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }, "mobl-continuous-shutdown");
                    Runtime.getRuntime().addShutdownHook(hook);
                    try (ControlTopic control = ControlTopic.start(session.system(), session.admin(), session.bootstrapServers(),
                            session.topics(), s.run(), ControlTopic.forSweep(running), source.deadLetters())) {
                        out.printf("continuous run %s on %s (actor runtime): reading %s and %s; telemetry to %s every iteration, Pareto points to %s every %d; "
                                        + "%scontrol on %s (key '%s'); Ctrl-C or {\"type\":\"stop\",\"run\":\"%s\"} stops it%n",
                                s.run(), session.bootstrapServers(), session.topics().lower(), session.topics().upper(), session.topics().telemetry(),
                                session.topics().pareto(), s.paretoEvery(),
                                durable ? "checkpoints to " + session.topics().checkpoints() + " every " + s.checkpointEvery()
                                        + " iterations (restart the same command to resume); " : "",
                                session.topics().control(), s.run(), s.run());
                        out.flush();
                        last = running.solutions().toCompletableFuture().get().get(0);
                    } finally {
                        try {
                            Runtime.getRuntime().removeShutdownHook(hook);
                        } catch (IllegalStateException shuttingDown) {
                            // a signal: the hook waits for the cleanup below
                        }
                    }
                }
                KafkaBatchSource.Stats stats = source.stats();
                out.printf("stopped after iteration %d: %,d minibatches used, %d dead-lettered; committing offsets and flushing%n",
                        last.point().iterations(), stats.handedOut(), stats.deadLettered());
                ParetoTable.print(out, List.of(last.point()));
            } finally {
                if (producer != null) {
                    producer.stop();
                    producerThread.join(10_000);
                    producer.close();
                }
                session.telemetry().flush(Duration.ofSeconds(30));
                session.pareto().flush(Duration.ofSeconds(30));
                out.printf("telemetry records sent: %,d; Pareto points sent: %d%n", session.telemetry().sent(), session.pareto().sent());
                out.flush();
            }
        } finally {
            finished.countDown();
        }
        return 0;
    }

    /** The run's source: with checkpoints, only the journal commits its offsets, in each checkpoint's transaction. */
    private static KafkaSourceSettings sourceSettings(StreamingSession session, Settings s, int objectives) {
        KafkaSourceSettings settings = KafkaSourceSettings.of(session.bootstrapServers(), s.run(), objectives)
                .withTopics(session.topics());
        return s.checkpointEvery() > 0 ? settings.withJournalCommits() : settings;
    }

    /** The scrape endpoint, if enabled, closed with the run. */
    private record MetricsEndpoint(java.util.Optional<MetricsServer> server) implements AutoCloseable {
        @Override
        public void close() {
            server.ifPresent(MetricsServer::close);
        }
    }

    /** Telemetry and points to Kafka and the meters; a line on the terminal with every point. */
    private static final class Listener implements RunListener {
        private final StreamingSession session;
        private final PrintWriter out;
        private final MoblMetrics metrics;

        Listener(StreamingSession session, PrintWriter out, MoblMetrics metrics) {
            this(session, out, metrics, true);
        }

        private final boolean sinks;

        private Listener(StreamingSession session, PrintWriter out, MoblMetrics metrics, boolean sinks) {
            this.sinks = sinks;
            this.session = session;
            this.out = out;
            this.metrics = metrics;
        }

        /** The same, but telemetry and points reach Kafka through the run's journal (exactly once), not the sinks. */
        Listener withoutSinks() {
            return new Listener(session, out, metrics, false);
        }

        @Override
        public void onIteration(IterateTelemetry t) {
            if (sinks) session.telemetry().offer(t);
            metrics.onIteration(t);
        }

        @Override
        public void onParetoPoint(ParetoPoint p) {
            if (sinks) session.pareto().offer(p);
            metrics.onParetoPoint(p);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "iteration %6d  %s  φ =", p.iterations(),
                    PreferenceKey.of(p.run(), p.preference())));
            for (double v : p.objectives()) line.append(String.format(Locale.ROOT, " %10.6f", v));
            line.append(String.format(Locale.ROOT, "  gap %.3e", p.stationarity()));
            out.println(line);
            out.flush();
        }
    }
}
