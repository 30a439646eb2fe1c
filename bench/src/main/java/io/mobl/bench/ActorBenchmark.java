package io.mobl.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mobl.actors.ActorRuntime;
import io.mobl.actors.RuntimeSettings;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.SynchronousSolver;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.quadratic.QuadraticProblem;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import io.mobl.protocol.IterateTelemetry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Issue 3's benchmark: the actor runtime against the synchronous solver on the same structured quadratic problem,
 * in one process, the runtimes alternating run by run so that a noisy (shared) machine hits both alike; medians.
 * <ul>
 *   <li><b>ratio</b>: actor time / synchronous time for one preference, K iterations, per (p, S); the actor
 *       runtime computes the S hypergradients concurrently on its math dispatcher (one thread per core);</li>
 *   <li><b>messaging overhead</b>: the same run with a math dispatcher of one thread (so nothing runs
 *       concurrently and the math is the synchronous solver's), minus the synchronous time, per iteration, in µs;</li>
 *   <li><b>worker speed-up</b>: the hypergradient phase (its wall time from the telemetry) with S concurrent
 *       workers on the default dispatcher over the same phase with a one-thread dispatcher (the S workers one
 *       after the other), per (p, S); on a c-core machine its limit is min(S, c);</li>
 *   <li><b>messaging overhead on a tiny problem</b> (p = 16, q = 5, dense: the math is tiny), where
 *       the difference between the runtimes is nearly all messages and thread hand-offs: (actor − synchronous)
 *       time per iteration, with the default pool and with one math thread.</li>
 * </ul>
 * Both runtimes call the same core code, and the final iterates are checked to be equal bit for bit, so a
 * speed-up can never come from doing different work.
 *
 * <p>Usage: {@code ActorBenchmark [out.json] [sizes, e.g. 1000,100000,1000000, or none] [objectives, e.g. 2,4,8]
 * [repeats, e.g. 5] [tiny: yes (default) or no]}
 */
public final class ActorBenchmark {
    private static final int LOWER_ITERATIONS = 10;
    private static final int CG_STEPS = 5;
    private static final int RANK = 4;

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "results/actors.json");
        int[] sizes = parse(args.length > 1 ? args[1] : "1000,100000,1000000");
        int[] objectiveCounts = parse(args.length > 2 ? args[2] : "2,4,8");
        int repeats = Integer.parseInt(args.length > 3 ? args[3] : "5");
        boolean tinyRows = !(args.length > 4 && args[4].equals("no"));
        Vectors.useFloat64();

        Map<String, Object> results = new LinkedHashMap<>();
        results.put("benchmark", "actor runtime vs synchronous solver, wc-mhgd deterministic, structured quadratic"
                + " (diag + rank " + RANK + "), D=" + LOWER_ITERATIONS + ", CG N=" + CG_STEPS
                + "; runtimes alternate within one process; medians over " + repeats + " repeats");
        results.put("machine", JsonResults.machine());
        results.put("ompNumThreads", String.valueOf(System.getenv("OMP_NUM_THREADS")));
        results.put("matmul", MachinePeak.matmul(1000, 5));
        Config base = ConfigFactory.load();
        RuntimeSettings settings = RuntimeSettings.fromConfig(base);
        List<Map<String, Object>> rows = new ArrayList<>();
        results.put("rows", rows);
        List<Map<String, Object>> tiny = new ArrayList<>();
        results.put("messagingOverheadTinyProblem", tiny);
        try (ActorRuntime concurrent = new ActorRuntime(settings, base);
             ActorRuntime oneThread = new ActorRuntime(settings, oneMathThread(base))) {
            for (int size : sizes) {
                for (int s : objectiveCounts) {
                    Map<String, Object> row = compare(concurrent, oneThread, size, s, repeats);
                    System.out.println(JsonResults.line(row));
                    rows.add(row);
                    JsonResults.write(out, results); // after every row: a long run that is stopped keeps its rows
                }
            }
        }
        if (tinyRows) {
            try (ActorRuntime concurrent = new ActorRuntime(settings, base);
                 ActorRuntime oneThread = new ActorRuntime(settings, oneMathThread(base))) {
                for (int s : objectiveCounts) {
                    Map<String, Object> row = tinyOverhead(concurrent, oneThread, s, repeats);
                    System.out.println(JsonResults.line(row));
                    tiny.add(row);
                    JsonResults.write(out, results);
                }
            }
        }
        JsonResults.write(out, results);
        System.out.println("wrote " + out);
    }

    /** The same Pekko configuration with a math dispatcher of exactly one thread. */
    static Config oneMathThread(Config base) {
        return ConfigFactory.parseString(RuntimeSettings.MATH_DISPATCHER + ".thread-pool-executor {"
                + " core-pool-size-min = 1, core-pool-size-max = 1 }").withFallback(base);
    }

    private static Map<String, Object> compare(ActorRuntime concurrent, ActorRuntime oneThread, int size,
                                               int objectives, int repeats) throws Exception {
        QuadraticProblem problem = QuadraticProblems.structured(7, size, size, objectives, RANK, 10, 0.5);
        int iterations = size >= 1_000_000 ? 3 : size >= 100_000 ? 8 : 40;
        WcMhgdConfig config = WcMhgdConfig.defaults(problem, new ConjugateGradient(CG_STEPS), LOWER_ITERATIONS, 1.0,
                iterations, 0);
        double[] preference = io.mobl.core.metrics.PreferenceGrid.balanced(objectives);

        // one untimed run of each first (JIT, thread start-up, first-touch of the problem's memory)
        Solution reference = SynchronousSolver.solve(problem, config, preference, "bench", RunListener.NONE);
        actor(concurrent, problem, config, preference, reference);
        actor(oneThread, problem, config, preference, reference);

        double[] sync = new double[repeats];
        double[] actors = new double[repeats];
        double[] actorsOneThread = new double[repeats];
        double[] hyperConcurrent = new double[repeats];
        double[] hyperOneThread = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            // rotate the order each repeat, so that no runtime always runs right after another
            for (int turn = 0; turn < 3; turn++) {
                switch ((r + turn) % 3) {
                    case 0 -> {
                        long start = System.nanoTime();
                        SynchronousSolver.solve(problem, config, preference, "bench", RunListener.NONE);
                        sync[r] = (System.nanoTime() - start) / 1e6;
                    }
                    case 1 -> {
                        Timed t = actor(concurrent, problem, config, preference, reference);
                        actors[r] = t.millis;
                        hyperConcurrent[r] = t.hypergradientMillis;
                    }
                    default -> {
                        Timed t = actor(oneThread, problem, config, preference, reference);
                        actorsOneThread[r] = t.millis;
                        hyperOneThread[r] = t.hypergradientMillis;
                    }
                }
            }
        }
        int evaluations = iterations + 1; // K updates evaluate K + 1 points (SynchronousSolver's contract)
        double[] ratios = new double[repeats];
        double[] overheads = new double[repeats];
        double[] speedUps = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            ratios[r] = actors[r] / sync[r];
            overheads[r] = (actorsOneThread[r] - sync[r]) * 1e3 / evaluations;
            speedUps[r] = hyperOneThread[r] / hyperConcurrent[r];
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("p", size);
        row.put("q", size);
        row.put("S", objectives);
        row.put("iterationsPerRun", evaluations);
        row.put("msSynchronousMedian", median(sync));
        row.put("msActorsMedian", median(actors));
        row.put("msActorsOneMathThreadMedian", median(actorsOneThread));
        row.put("actorOverSynchronousMedian", median(ratios));
        row.put("actorOverSynchronousAll", ratios);
        row.put("messagingOverheadMicrosPerIterationMedian", median(overheads));
        row.put("msHypergradientPhaseConcurrentMedian", median(hyperConcurrent) / evaluations);
        row.put("msHypergradientPhaseOneThreadMedian", median(hyperOneThread) / evaluations);
        row.put("workerSpeedUpMedian", median(speedUps));
        row.put("workerSpeedUpAll", speedUps);
        return row;
    }

    /** (actor − synchronous) per iteration on a problem whose math is negligible: the cost of the messages. */
    private static Map<String, Object> tinyOverhead(ActorRuntime concurrent, ActorRuntime oneThread, int objectives,
                                                    int repeats) throws Exception {
        // p > S: with S ≥ p gradients 0 can lie in their convex hull, the gap is 0 and the run ends at once
        QuadraticProblem problem = QuadraticProblems.dense(3, 16, 5, objectives, 3, 1.0);
        int iterations = 300;
        WcMhgdConfig config = WcMhgdConfig.defaults(problem, new ConjugateGradient(CG_STEPS), LOWER_ITERATIONS, 1.0,
                iterations, 0);
        double[] preference = io.mobl.core.metrics.PreferenceGrid.balanced(objectives);
        Solution reference = SynchronousSolver.solve(problem, config, preference, "bench", RunListener.NONE);
        if (reference.point().iterations() != iterations) {
            throw new IllegalStateException("the tiny run ended at iteration " + reference.point().iterations()
                    + " instead of " + iterations + ": the overhead per iteration would be wrong");
        }
        double[] sync = new double[repeats];
        double[] pool = new double[repeats];
        double[] single = new double[repeats];
        for (int r = -1; r < repeats; r++) { // r = −1 warms up
            for (int turn = 0; turn < 3; turn++) {
                int which = Math.floorMod(r + turn, 3);
                long start = System.nanoTime();
                if (which == 0) SynchronousSolver.solve(problem, config, preference, "bench", RunListener.NONE);
                else actor(which == 1 ? concurrent : oneThread, problem, config, preference, reference);
                double micros = (System.nanoTime() - start) / 1e3 / (iterations + 1);
                if (r >= 0) (which == 0 ? sync : which == 1 ? pool : single)[r] = micros;
            }
        }
        double[] overheadPool = new double[repeats];
        double[] overheadSingle = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            overheadPool[r] = pool[r] - sync[r];
            overheadSingle[r] = single[r] - sync[r];
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("p", problem.upperDimension());
        row.put("q", problem.lowerDimension());
        row.put("S", objectives);
        row.put("iterationsPerRun", iterations + 1);
        row.put("microsPerIterationSynchronousMedian", median(sync));
        row.put("microsPerIterationActorsMedian", median(pool));
        row.put("microsPerIterationActorsOneMathThreadMedian", median(single));
        row.put("messagingOverheadMicrosPerIterationMedian", median(overheadPool));
        row.put("messagingOverheadOneMathThreadMicrosPerIterationMedian", median(overheadSingle));
        // On a loaded machine a run is only ever slowed down, never sped up, so the fastest run of each runtime
        // is the least disturbed one; their difference is the steadier estimate of the messages' own cost.
        row.put("microsPerIterationSynchronousMin", min(sync));
        row.put("microsPerIterationActorsMin", min(pool));
        row.put("microsPerIterationActorsOneMathThreadMin", min(single));
        row.put("messagingOverheadMicrosPerIterationFromMins", min(pool) - min(sync));
        row.put("messagingOverheadOneMathThreadMicrosPerIterationFromMins", min(single) - min(sync));
        return row;
    }

    private record Timed(double millis, double hypergradientMillis) {}

    private static Timed actor(ActorRuntime runtime, QuadraticProblem problem, WcMhgdConfig config,
                               double[] preference, Solution reference) throws Exception {
        HypergradientTimes times = new HypergradientTimes();
        long start = System.nanoTime();
        Solution solution = runtime.solve(problem, config, preference, "bench", times).solution()
                .toCompletableFuture().get(30, TimeUnit.MINUTES);
        double millis = (System.nanoTime() - start) / 1e6;
        if (!Arrays.equals(solution.x().toDoubleVector(), reference.x().toDoubleVector())
                || !Arrays.equals(solution.point().objectives(), reference.point().objectives())) {
            throw new IllegalStateException("the actor runtime's iterate differs from the synchronous one: the"
                    + " benchmark would compare different work");
        }
        return new Timed(millis, times.nanos / 1e6);
    }

    /** Sums the hypergradient phase's wall time over a run (listener calls of one run come in order). */
    private static final class HypergradientTimes implements RunListener {
        private volatile long nanos;

        @Override
        public void onIteration(IterateTelemetry telemetry) {
            nanos += telemetry.phaseNanos().getOrDefault("hypergradient", 0L);
        }
    }

    static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    private static int[] parse(String csv) {
        if (csv.equals("none")) return new int[0];
        String[] parts = csv.split(",");
        int[] values = new int[parts.length];
        for (int i = 0; i < parts.length; i++) values[i] = Integer.parseInt(parts[i].trim());
        return values;
    }

    private ActorBenchmark() {}
}
