package io.mobl.ops.cli;

import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.stochastic.StochasticBilevelProblem;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;
import io.mobl.streams.kafka.KafkaBatchSource;
import io.mobl.streams.kafka.StreamingRun;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A preference sweep of stochastic WC-MHGD fed from Kafka: each preference reads the run's data topics with its
 * own consumer groups ({@code mobl.<run>.p<i>.lower/upper}), so every preference sees the whole stream, and
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
                      List<double[]> preferences, int threads, RunListener extra) throws Exception {
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
        AtomicLong minibatches = new AtomicLong();
        AtomicLong dead = new AtomicLong();
        AtomicLong waitNanos = new AtomicLong();
        AtomicLong runNanos = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, preferences.size())));
        try {
            List<Future<Solution>> futures = new ArrayList<>();
            for (int i = 0; i < preferences.size(); i++) {
                double[] preference = preferences.get(i);
                KafkaBatchSource.Settings settings = KafkaBatchSource.Settings.of(session.bootstrapServers(), run,
                        problem.objectiveCount()).withGroupPrefix("mobl." + run + ".p" + i);
                futures.add(pool.submit(() -> {
                    try (KafkaBatchSource source = KafkaBatchSource.start(session.system(), settings,
                            KafkaBatchSource.BatchCheck.of(problem))) {
                        long t0 = System.nanoTime();
                        Solution s = new StreamingRun(problem, config, source, preference, run, listener,
                                Math.max(1, config.maxIterations())).run();
                        runNanos.addAndGet(System.nanoTime() - t0);
                        KafkaBatchSource.Stats stats = source.stats();
                        minibatches.addAndGet(stats.handedOut());
                        dead.addAndGet(stats.deadLettered());
                        waitNanos.addAndGet(stats.lowerWaitNanos());
                        return s;
                    }
                }));
            }
            List<Solution> solutions = new ArrayList<>();
            for (Future<Solution> f : futures) solutions.add(f.get());
            return new Result(solutions, minibatches.get(), dead.get(),
                    runNanos.get() == 0 ? 0 : (double) waitNanos.get() / runNanos.get());
        } finally {
            pool.shutdownNow();
        }
    }
}
