package io.mobl.bench;

import io.mobl.core.algorithm.WcMhgd;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.algorithm.WcMhgdState;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.hypergradient.HypergradientMethod;
import io.mobl.core.hypergradient.NeumannSeries;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.model.Batch;
import io.mobl.core.model.MultiHeadNetwork;
import io.mobl.core.problem.hypercleaning.HyperCleaningProblem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Issue 6's benchmark: time per UL iteration of WC-MHGD (CG and NS options) on multi-objective data
 * hyper-cleaning in the FORUM paper's setting (784-512-256 shared ReLU trunk, two 10-way heads, batch 100 per
 * data set, T = D = 64 lower-level steps), and the lower-level loop's achieved GFLOP/s as a fraction of the ND4J
 * float64 matmul peak measured in the same run. Also the setting of {@code mobl experiment hyper-cleaning}
 * (logistic regression, 5,000 samples per data set, D = 10). Data are seeded uniform pixels and labels: timing
 * does not depend on their values.
 *
 * <p>Usage: {@code HyperCleaningBenchmark [out.json] [measured iterations, default 2]
 * [settings, default forum-mlp,experiment-logistic] [methods, default cg,ns]}
 */
public final class HyperCleaningBenchmark {
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "results/hyper-cleaning-bench.json");
        int measured = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        List<String> settings = List.of((args.length > 2 ? args[2] : "forum-mlp,experiment-logistic").split(","));
        List<String> methods = List.of((args.length > 3 ? args[3] : "cg,ns").split(","));
        Vectors.useFloat64();
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("benchmark", "hyper-cleaning, WC-MHGD per UL iteration; lower-level GFLOP/s vs ND4J matmul peak");
        results.put("machine", JsonResults.machine());
        results.put("ompNumThreads", String.valueOf(System.getenv("OMP_NUM_THREADS")));
        Map<String, Object> peak = MachinePeak.matmul(1000, 3);
        results.put("matmul", peak);
        double peakGflops = (double) peak.get("float64GflopsBest");

        List<Map<String, Object>> rows = new ArrayList<>();
        MultiHeadNetwork mlp = new MultiHeadNetwork(784, new int[] {512, 256}, 10, 2);
        MultiHeadNetwork logistic = MultiHeadNetwork.logistic(784, 10, 2);
        for (String name : methods) {
            HypergradientMethod method = name.equals("ns") ? new NeumannSeries() : new ConjugateGradient(5);
            if (settings.contains("forum-mlp")) rows.add(time("forum-mlp", mlp, 100, 64, 0.3, method, measured, peakGflops));
            if (settings.contains("experiment-logistic")) {
                rows.add(time("experiment-logistic", logistic, 5000, 10, 0.2, method, measured, peakGflops));
            }
        }
        results.put("perIteration", rows);
        JsonResults.write(out, results);
        System.out.println("wrote " + out);
    }

    static Map<String, Object> time(String setting, MultiHeadNetwork network, int batch, int lowerIterations,
                                    double lowerStep, HypergradientMethod method, int measured, double peakGflops) {
        List<HyperCleaningProblem.Task> tasks = new ArrayList<>();
        for (int i = 0; i < network.heads(); i++) {
            tasks.add(new HyperCleaningProblem.Task("synthetic-" + i, randomBatch(batch, 100 + i), randomBatch(batch, 200 + i)));
        }
        HyperCleaningProblem problem = new HyperCleaningProblem(network, tasks, 1e-3, network.initialParameters(1));
        WcMhgd algorithm = new WcMhgd(problem, new WcMhgdConfig(lowerIterations, lowerStep, 1e3, 0.1, method, 1000, 0));
        WcMhgdState state = algorithm.initialState(new double[] {0.5, 0.5});
        double total = 0, lower = 0;
        for (int i = 0; i < measured + 1; i++) {
            WcMhgd.Iteration iteration = algorithm.iterate(state);
            if (i > 0) { // the first warms ND4J and the JIT
                total += (iteration.times().lowerNanos() + iteration.times().hypergradientNanos() + iteration.times().weightsNanos()) / 1e9;
                lower += iteration.times().lowerNanos() / 1e9;
            }
            state = iteration.next();
        }
        double lowerFlops = (double) lowerIterations * network.heads() * gradientFlops(network, batch);
        double gflops = lowerFlops * measured / lower / 1e9;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("setting", setting);
        row.put("model", network.describe());
        row.put("batchPerTask", batch);
        row.put("lowerIterations", lowerIterations);
        row.put("method", method.name());
        row.put("secondsPerIteration", total / measured);
        row.put("lowerSecondsPerIteration", lower / measured);
        row.put("lowerGflops", gflops);
        row.put("lowerFractionOfPeak", gflops / peakGflops);
        System.out.println(row);
        return row;
    }

    /**
     * Matmul flops of one weighted gradient on n samples for one head: forward (2n·in·out per layer),
     * weight gradients (the same) and back-propagated deltas (the same, except into the input).
     */
    static double gradientFlops(MultiHeadNetwork network, int n) {
        int[] hidden = network.hidden();
        double forward = 0, deltas = 0;
        int in = network.inputs();
        for (int width : hidden) {
            forward += 2.0 * n * in * width;
            if (in != network.inputs()) deltas += 2.0 * n * in * width;
            in = width;
        }
        forward += 2.0 * n * in * network.classes();
        if (hidden.length > 0) deltas += 2.0 * n * in * network.classes();
        return 2 * forward + deltas;
    }

    static Batch randomBatch(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[n][784];
        int[] y = new int[n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < 784; i++) x[j][i] = random.nextDouble();
            y[j] = random.nextInt(10);
        }
        return Batch.of(Nd4j.create(x), y, 10);
    }
}
