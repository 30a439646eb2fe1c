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
import java.util.ArrayList;
import java.util.List;

/**
 * A preference sweep of stochastic WC-MHGD fed from Kafka on the actor runtime (each preference's lower-level
 * solver and hypergradient workers read their roles' batches from its {@link KafkaBatchSource}): each preference
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
        RunListener listener = new RunListener() {
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
        long t0 = System.nanoTime();
        List<Solution> solutions;
        try (ActorRuntime actors = new ActorRuntime()) {
            solutions = actors.sweep(problem, config, preferences, i -> {
                KafkaBatchSource source = KafkaBatchSource.start(KafkaSourceSettings.of(
                                session.bootstrapServers(), run, problem.objectiveCount()).withGroups(ConsumerGroups.forPreference(run, i)).withTopics(session.topics()),
                        KafkaBatchSource.BatchCheck.of(problem));
                sources.add(source);
                return source;
            }, run, listener).solutions().toCompletableFuture().get();
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
