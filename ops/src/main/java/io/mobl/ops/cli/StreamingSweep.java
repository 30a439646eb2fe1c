package io.mobl.ops.cli;

import io.mobl.streams.kafka.KafkaSourceSettings;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.stochastic.StochasticBilevelProblem;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;
import io.mobl.streams.kafka.ConsumerGroups;
import io.mobl.streams.kafka.KafkaBatchSource;
import io.mobl.actors.ActorRuntime;
import io.mobl.actors.AlgorithmSweepSpec;
import io.mobl.actors.Checkpointing;
import io.mobl.core.algorithm.StochasticWcMhgdAlgorithm;
import io.mobl.core.stochastic.CountingStochasticProblem;
import io.mobl.streams.kafka.KafkaRunJournal;
import java.util.ArrayList;
import java.util.List;

/**
 * A preference sweep of stochastic WC-MHGD fed from Kafka on the actor runtime (each preference a step coordinator
 * whose steps read their roles' batches from its {@link KafkaBatchSource}): each preference
 * reads the run's data topics with its own consumer groups ({@code mobl.<run>.p<i>.lower/upper}), so every preference sees the whole stream, and
 * reports telemetry and Pareto points to the session's Kafka sinks (and to {@code extra}).
 */
final class StreamingSweep {
    /** What the sweep did: one solution per preference, and the minibatches and dead letters it counted. */
    record Result(List<Solution> solutions, long minibatches, long deadLettered, double lowerWaitFraction) {
        List<ParetoPoint> points() {
            return solutions.stream().map(Solution::point).toList();
        }
    }

    private StreamingSweep() {}

    static Result run(StreamingSession session, String run, StochasticBilevelProblem problem, StochasticWcMhgdConfig config,
                      List<double[]> preferences, RunListener extra) throws Exception {
        return run(session, run, problem, config, preferences, extra, 0);
    }

    /**
     * @param checkpointEvery N ≥ 1: each preference journals to Kafka ({@link KafkaRunJournal}, exactly-once: its
     *                        telemetry, points, a checkpoint every N iterations and its groups' offsets in one
     *                        transaction each), and the same sweep started again resumes every preference from its
     *                        newest checkpoint; 0: the telemetry and points go to the session's sinks, nothing durable
     */
    static Result run(StreamingSession session, String run, StochasticBilevelProblem problem, StochasticWcMhgdConfig config,
                      List<double[]> preferences, RunListener extra, int checkpointEvery) throws Exception {
        boolean durable = checkpointEvery > 0;
        RunListener listener = durable ? extra : new RunListener() {
            @Override
            public void onIteration(IterateTelemetry t) {
                session.telemetry().offer(t);
                extra.onIteration(t);
            }

            @Override
            public void onParetoPoint(ParetoPoint p) {
                session.pareto().offer(p);
                extra.onParetoPoint(p);
            }
        };
        List<KafkaBatchSource> sources = new ArrayList<>();
        List<AlgorithmSweepSpec.Part> parts = new ArrayList<>();
        try {
            for (int i = 0; i < preferences.size(); i++) {
                KafkaSourceSettings settings = KafkaSourceSettings.of(session.bootstrapServers(), run, problem.objectiveCount())
                        .withTopics(session.topics()).withGroups(ConsumerGroups.forPreference(run, i));
                KafkaBatchSource source = KafkaBatchSource.start(durable ? settings.withJournalCommits() : settings,
                        KafkaBatchSource.BatchCheck.of(problem));
                sources.add(source);
                parts.add(new AlgorithmSweepSpec.Part(new StochasticWcMhgdAlgorithm(new CountingStochasticProblem(problem),
                        config, source), source, null));
            }
        } catch (RuntimeException e) {
            sources.forEach(KafkaBatchSource::close);
            throw e;
        }
        Checkpointing checkpointing = durable ? Checkpointing.every(checkpointEvery, KafkaRunJournal.factory(
                KafkaRunJournal.Settings.of(session.bootstrapServers(), session.topics())
                        .withGroups(ConsumerGroups.Naming.PER_PREFERENCE))) : Checkpointing.NONE;
        long t0 = System.nanoTime();
        List<Solution> solutions;
        try (ActorRuntime actors = new ActorRuntime()) {
            solutions = actors.sweep(new AlgorithmSweepSpec(parts, preferences, config::finished, run, listener,
                    checkpointing, 0, AlgorithmSweepSpec.StepObserver.NONE)).solutions().toCompletableFuture().get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long minibatches = 0, dead = 0, waitNanos = 0;
        for (KafkaBatchSource source : sources) {
            source.close(); // the runtime closes them too; closing twice is harmless, and the stats stay
            KafkaBatchSource.Stats stats = source.stats();
            minibatches += stats.handedOut();
            dead += stats.deadLettered();
            waitNanos += stats.lowerWaitNanos();
        }
        // the preferences' lower-level solvers run at once: their waits add up over preferences × wall time
        return new Result(solutions, minibatches, dead, waitNanos / 1e9 / (seconds * preferences.size()));
    }
}
