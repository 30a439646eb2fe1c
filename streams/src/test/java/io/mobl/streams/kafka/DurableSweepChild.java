package io.mobl.streams.kafka;

import io.mobl.actors.ActorRuntime;
import io.mobl.actors.AlgorithmSweepSpec;
import io.mobl.actors.Checkpointing;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.StochasticWcMhgdAlgorithm;
import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.checkpoint.RunJournal;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.protocol.Checkpoint;
import java.util.Optional;
import io.mobl.core.stochastic.CountingStochasticProblem;
import io.mobl.core.stochastic.StochasticQuadraticProblem;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.SourcePosition;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * A durable sweep of stochastic WC-MHGD from Kafka, as its own process for {@link KillNineTest}: two preferences,
 * each reading the whole stream of the data topics with its own consumer groups, journaled to Kafka with a
 * checkpoint every N iterations. It prints {@code iteration <index> <k>} as each iteration is reported (so the test
 * knows when to kill it) and {@code committed <index> <k>} as each checkpoint is committed, and appends {@code <index> <k> <batch ids>} to a history file as each iteration's
 * batches are acknowledged, so the test can check which batches every iteration used, across restarts.
 *
 * <p>Arguments: bootstrap servers, the data's run name, this run's name, K, N, the history file, and optionally
 * {@code cg}: deterministic WC-MHGD with CG hypergradients on a quadratic problem instead (no data, no history; each
 * iteration takes a few milliseconds, as a larger problem's would).
 */
public final class DurableSweepChild {
    static final StochasticQuadraticSpec SPEC = StochasticQuadraticSpec.defaults(5);
    static final StochasticQuadraticProblem PROBLEM = SPEC.problem();
    static final List<double[]> PREFERENCES = List.of(new double[] {0.4, 0.6}, new double[] {0.7, 0.3});

    private DurableSweepChild() {}

    public static void main(String[] args) throws Exception {
        sweep(args, System.out);
        System.out.println("done");
        System.out.flush();
        System.exit(0);
    }

    /** The topics of the data's run: its data topics, and results topics of its own. */
    static TopicNames topics(String data) {
        return TopicNames.defaults(data).withResults(data + ".telemetry", data + ".pareto", data + ".checkpoints");
    }

    /** One-sample batches, D = 1, Q = 1: an iteration reads 3 lower-level minibatches and 1 per objective. */
    static StochasticWcMhgdConfig config(int iterations) {
        return StochasticWcMhgdConfig.defaults(PROBLEM, 1, 1, 1, 1.0, iterations, 0).withBatchTimeout(Duration.ofSeconds(30));
    }

    static void sweep(String[] args, PrintStream out) throws Exception {
        String bootstrap = args[0];
        TopicNames t = topics(args[1]);
        String run = args[2];
        int iterations = Integer.parseInt(args[3]);
        int every = Integer.parseInt(args[4]);
        Path history = Path.of(args[5]);
        StochasticWcMhgdConfig config = config(iterations);
        boolean cg = args.length > 6 && args[6].equals("cg");
        RunListener listener = new RunListener() {
            @Override
            public void onIteration(IterateTelemetry telemetry) {
                int index = telemetry.preference()[0] == PREFERENCES.get(0)[0] ? 0 : 1;
                out.println("iteration " + index + " " + telemetry.iteration());
                out.flush();
                if (cg) {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public void onParetoPoint(ParetoPoint point) {}
        };
        try (Writer log = Files.newBufferedWriter(history, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            List<AlgorithmSweepSpec.Part> parts = new ArrayList<>();
            for (int i = 0; i < PREFERENCES.size() && cg; i++) {
                io.mobl.core.problem.BilevelProblem quadratic = io.mobl.core.problem.quadratic.QuadraticProblems.dense(
                        7, 6, 5, 2, 3, 1.0);
                parts.add(AlgorithmSweepSpec.Part.of(new io.mobl.core.algorithm.WcMhgdAlgorithm(
                        new io.mobl.core.problem.CountingProblem(quadratic), io.mobl.core.algorithm.WcMhgdConfig.defaults(
                                quadratic, new io.mobl.core.hypergradient.ConjugateGradient(5), 5, 1.0, iterations, 0))));
            }
            for (int i = 0; i < PREFERENCES.size() && !cg; i++) {
                KafkaBatchSource source = KafkaBatchSource.start(KafkaSourceSettings.of(bootstrap, run, 2).withTopics(t)
                        .withGroups(ConsumerGroups.forPreference(run, i)).withJournalCommits(),
                        KafkaBatchSource.BatchCheck.of(PROBLEM));
                BatchSource recorded = new History(source, i, log);
                parts.add(new AlgorithmSweepSpec.Part(new StochasticWcMhgdAlgorithm(
                        new CountingStochasticProblem(PROBLEM), config, recorded), recorded, null));
            }
            RunJournal.Factory kafka = KafkaRunJournal.factory(KafkaRunJournal.Settings.of(bootstrap, t)
                    .withGroups(ConsumerGroups.Naming.PER_PREFERENCE).withCommitTimeout(Duration.ofSeconds(60)));
            Checkpointing checkpointing = Checkpointing.every(every, (name, index) -> announcing(kafka.open(name, index),
                    index, out));
            try (ActorRuntime runtime = new ActorRuntime()) {
                runtime.sweep(new AlgorithmSweepSpec(parts, PREFERENCES, AlgorithmSweepSpec.Until.iterations(iterations), run,
                        listener, checkpointing,
                        0, AlgorithmSweepSpec.StepObserver.NONE)).solutions().toCompletableFuture().get(120, TimeUnit.SECONDS);
            }
        }
    }

    /** The journal, printing {@code committed <index> <k>} once each checkpoint's transaction is committed. */
    private static RunJournal announcing(RunJournal journal, int index, PrintStream out) {
        return new RunJournal() {
            @Override public Optional<Checkpoint> recover() { return journal.recover(); }
            @Override public void append(IterateTelemetry telemetry) { journal.append(telemetry); }
            @Override public void append(ParetoPoint point) { journal.append(point); }
            @Override public void close() { journal.close(); }

            @Override
            public void commit(Checkpoint checkpoint) {
                journal.commit(checkpoint);
                if (checkpoint != null) {
                    out.println("committed " + index + " " + checkpoint.iteration());
                    out.flush();
                }
            }
        };
    }

    /**
     * Writes each acknowledged iteration's batch ids; everything else goes to the Kafka source. Each minibatch
     * takes a few milliseconds, as a real step would, so that checkpoints are committed while the run goes on.
     */
    private record History(BatchSource inner, int index, Writer log) implements BatchSource {
        @Override
        public Minibatch next(int objective, Duration timeout) throws InterruptedException, TimeoutException {
            Thread.sleep(4);
            return inner.next(objective, timeout);
        }

        @Override
        public void iterationDone(long iteration, List<Minibatch> used) {
            try {
                synchronized (log) {
                    log.write(index + " " + iteration + " "
                            + used.stream().map(Minibatch::batchId).collect(Collectors.joining(",")) + "\n");
                    log.flush();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            inner.iterationDone(iteration, used);
        }

        @Override public List<SourcePosition> positions() { return inner.positions(); }
        @Override public void resumeAt(List<SourcePosition> positions) { inner.resumeAt(positions); }
        @Override public void close() { inner.close(); }
    }
}
