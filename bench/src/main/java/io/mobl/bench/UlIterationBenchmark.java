package io.mobl.bench;

import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.WcMhgdAlgorithm;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.algorithm.WcMhgdState;
import io.mobl.core.algorithm.forum.Forum;
import io.mobl.core.algorithm.forum.ForumConfig;
import io.mobl.core.algorithm.forum.StochasticForum;
import io.mobl.core.algorithm.forum.StochasticForumConfig;
import io.mobl.core.data.LabelledImages;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.model.MultiHeadNetwork;
import io.mobl.core.model.Precision;
import io.mobl.core.problem.hypercleaning.HyperCleaningProblem;
import io.mobl.core.problem.hypercleaning.SampleWeightHyperCleaningProblem;
import io.mobl.core.problem.hypercleaning.SampleWeightSamples;
import io.mobl.core.stochastic.GeneratedBatchSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * mobl's side of {@code scripts/bench-pytorch.sh} (issue 15): seconds per UL iteration of one method in the FORUM
 * paper's hyper-cleaning setting (784-512-256 shared ReLU trunk, two 10-way heads, float32), the same iteration that
 * {@code bench/pytorch/ul_iteration.py} times in PyTorch:
 * <ul>
 *   <li>{@code forum}: stochastic FORUM ({@link StochasticForum}, Alg. 1 as in §5.1) on 5,000 training and 1,000
 *       validation images per data set: T = 64 SGD steps of η = 0.3 on batches of 100 per data set, q̃ and ∇q̃ on one
 *       such batch, ∇F_i on 100 validation images each, QP (12), momentum, the update with μ_x = 10, μ_y = 0.3;</li>
 *   <li>{@code cg}: WC-MHGD with CG ({@link WcMhgdAlgorithm}, N = 5 steps) on 100 training and 100 validation images per data
 *       set: D = 64 gradient steps of α = 0.3 on the 200 training images, per objective ∇f_s, 1 + 5 HV(g) and one
 *       JV(g), QP (5) and the x step.</li>
 * </ul>
 * Pixels and labels are seeded uniform numbers (the time does not depend on them). The first iteration warms the JIT
 * and is not counted, nor are BENCH_WARMUP more ({@link #warmUp}). Usage: {@code UlIterationBenchmark forum|cg [iterations, default 3] [out.json]}; prints one
 * JSON line.
 */
public final class UlIterationBenchmark {
    public static void main(String[] args) throws Exception {
        String method = args.length > 0 ? args[0] : "forum";
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Vectors.useFloat64();
        MultiHeadNetwork network = new MultiHeadNetwork(784, new int[] {512, 256}, 10, 2).withPrecision(Precision.FLOAT32);
        List<Double> cpu = new ArrayList<>();
        List<Double> seconds = switch (method) {
            case "forum" -> time(forum(network), iterations, cpu);
            case "cg" -> time(cg(network), iterations, cpu);
            default -> throw new IllegalArgumentException("method: forum or cg, not " + method);
        };
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("side", "mobl");
        row.put("method", method);
        row.put("precision", "float32");
        row.put("ompNumThreads", String.valueOf(System.getenv("OMP_NUM_THREADS")));
        row.put("secondsPerIteration", seconds);
        row.put("median", HyperCleaningBenchmark.median(seconds));
        row.put("cpuSecondsPerIteration", cpu);
        row.put("cpuMedian", HyperCleaningBenchmark.median(cpu));
        row.put("peakRssMiB", peakRssMiB());
        row.put("warmUpIterations", 1 + warmUp());
        System.out.println(JsonResults.line(row));
        if (args.length > 2) JsonResults.write(Path.of(args[2]), row);
    }

    /**
     * Wall seconds per iteration, and into cpu the process's CPU seconds per iteration (every thread: GC and JIT
     * count): on a loaded machine the CPU time varies far less than the wall time, and PyTorch's side reports
     * time.process_time() alike.
     */
    private static <S> List<Double> time(Run<S> run, int iterations, List<Double> cpu) {
        S state = run.start();
        List<Double> seconds = new ArrayList<>();
        int warmUp = warmUp();
        for (int i = 0; i < warmUp; i++) state = run.algorithm().step(state).next();
        for (int i = 0; i <= iterations; i++) {
            long start = System.nanoTime();
            long cpuStart = processCpuNanos();
            state = run.algorithm().step(state).next();
            if (i > 0) {
                seconds.add((System.nanoTime() - start) / 1e9);
                cpu.add((processCpuNanos() - cpuStart) / 1e9);
            }
        }
        return seconds;
    }

    /**
     * Iterations run before the timed ones besides the first, from BENCH_WARMUP (the script sets it for both sides,
     * PyTorch's included; default 0): the JIT compiles mobl's loops over the first several iterations, and a run of
     * hundreds of iterations spends its time at the steady state.
     */
    static int warmUp() {
        String value = System.getenv("BENCH_WARMUP");
        return value == null || value.isBlank() ? 0 : Integer.parseInt(value.trim());
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** VmHWM of /proc/self/status (the resident set's peak) in MiB; -1 where there is no /proc. */
    static long peakRssMiB() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private record Run<S>(IterativeAlgorithm<S> algorithm, S start) {}

    private static Run<Forum.State> forum(MultiHeadNetwork network) {
        List<LabelledImages> train = List.of(images("train-0", 5000, 1), images("train-1", 5000, 2));
        List<LabelledImages> validation = List.of(images("val-0", 1000, 3), images("val-1", 1000, 4));
        SampleWeightHyperCleaningProblem problem = new SampleWeightHyperCleaningProblem(network,
                new int[] {5000, 5000}, 0, network.initialParameters(1));
        GeneratedBatchSource source = new GeneratedBatchSource(new SampleWeightSamples(train, validation, 1), 2, 100);
        StochasticForum forum = new StochasticForum(problem, source, new StochasticForumConfig(
                new ForumConfig(64, 0.3, 10, 0.3, 0.5, 0.75, false, ForumConfig.Metric.EUCLIDEAN), 200, 200, 100,
                StochasticForumConfig.DEFAULT_BATCH_TIMEOUT));
        return new Run<>(forum, forum.initialState(new double[] {0.5, 0.5}, problem.initialUpper()));
    }

    private static Run<WcMhgdState> cg(MultiHeadNetwork network) {
        List<HyperCleaningProblem.Task> tasks = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            tasks.add(new HyperCleaningProblem.Task("synthetic-" + i, HyperCleaningBenchmark.randomBatch(100, 100 + i)
                    .in(Precision.FLOAT32), HyperCleaningBenchmark.randomBatch(100, 200 + i).in(Precision.FLOAT32)));
        }
        HyperCleaningProblem problem = new HyperCleaningProblem(network, tasks, 1e-3, network.initialParameters(1));
        WcMhgdAlgorithm algorithm = new WcMhgdAlgorithm(problem,
                new WcMhgdConfig(64, 0.3, 1e3, 0.1, new ConjugateGradient(5), 1000, 0));
        return new Run<>(algorithm, algorithm.initialState(new double[] {0.5, 0.5}, problem.initialUpper()));
    }

    /** n seeded images of uniform pixels with uniform labels in 0..9. */
    static LabelledImages images(String name, int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] pixels = new double[n][784];
        int[] labels = new int[n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < 784; i++) pixels[j][i] = random.nextDouble();
            labels[j] = random.nextInt(10);
        }
        return new LabelledImages(name, pixels, labels, 10);
    }
}
