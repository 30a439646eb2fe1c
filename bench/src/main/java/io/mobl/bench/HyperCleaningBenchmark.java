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
import io.mobl.core.model.Precision;
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
 * matmul peak (1000×1000 square, the definition) measured in the same run, in float64 and float32 (the
 * network's {@link Precision}; each row is compared with the peak of its own precision). Also the rate of bare
 * OpenBLAS on exactly the products of one gradient at that batch size, the fair ceiling for such small shapes, and
 * the setting of {@code mobl experiment hyper-cleaning} (logistic regression, 5,000 samples per data set, D = 10).
 * Data are seeded uniform pixels and labels: timing does not depend on their values.
 *
 * <p>Usage: {@code HyperCleaningBenchmark [out.json] [measured iterations, default 2]
 * [settings, default forum-mlp,experiment-logistic] [methods, default cg,ns] [precisions, default float64,float32]}
 */
public final class HyperCleaningBenchmark {
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "results/hyper-cleaning-bench.json");
        int measured = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        List<String> settings = List.of((args.length > 2 ? args[2] : "forum-mlp,experiment-logistic").split(","));
        List<String> methods = List.of((args.length > 3 ? args[3] : "cg,ns").split(","));
        List<Precision> precisions = new ArrayList<>();
        for (String p : (args.length > 4 ? args[4] : "float64,float32").split(",")) precisions.add(Precision.of(p));
        Vectors.useFloat64();
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("benchmark", "hyper-cleaning, WC-MHGD per UL iteration; lower-level GFLOP/s vs ND4J matmul peak");
        results.put("machine", JsonResults.machine());
        results.put("ompNumThreads", String.valueOf(System.getenv("OMP_NUM_THREADS")));
        Map<String, Object> before = MachinePeak.matmul(1000, 10);
        MultiHeadNetwork mlp = new MultiHeadNetwork(784, new int[] {512, 256}, 10, 2);
        MultiHeadNetwork logistic = MultiHeadNetwork.logistic(784, 10, 2);
        Map<String, Object> shapes = MachinePeak.gemmRate(gradientGemms(mlp, 100), 20);
        Map<String, Object> logisticShapes = MachinePeak.gemmRate(gradientGemms(logistic, 5000), 10);

        List<Map<String, Object>> rows = new ArrayList<>();
        for (String name : methods) {
            HypergradientMethod method = name.equals("ns") ? new NeumannSeries() : new ConjugateGradient(5);
            if (settings.contains("forum-mlp")) rows.addAll(time("forum-mlp", mlp, precisions, 100, 64, 0.3, method, measured));
            if (settings.contains("experiment-logistic")) {
                rows.addAll(time("experiment-logistic", logistic, precisions, 5000, 10, 0.2, method, measured));
            }
        }
        // the machine is shared: the square peak is measured before and after the rows, and the better of the two
        // (the least disturbed) is the reference; both are kept
        Map<String, Object> after = MachinePeak.matmul(1000, 10);
        Map<String, Object> peak = new LinkedHashMap<>();
        peak.put("shape", "1000×1000 · 1000×1000, ND4J mmul, best of 10, before and after the rows");
        for (String key : new String[] {"float64GflopsBest", "float32GflopsBest"}) {
            peak.put(key, Math.max((double) before.get(key), (double) after.get(key)));
        }
        peak.put("before", before);
        peak.put("after", after);
        results.put("matmul", peak);
        shapes.put("what", "the " + gradientGemms(mlp, 100).size() + " products of one gradient of one head of "
                + mlp.describe() + " at batch 100, bare OpenBLAS cblas_?gemm on preallocated memory, best of 20");
        results.put("gradientShapesPeak", shapes);
        logisticShapes.put("what", "the " + gradientGemms(logistic, 5000).size() + " products of one gradient of one head of "
                + logistic.describe() + " at batch 5000 (experiment-logistic), bare OpenBLAS, best of 10");
        results.put("logisticGradientShapesPeak", logisticShapes);
        for (Map<String, Object> row : rows) {
            String key = row.get("precision").equals("float32") ? "float32GflopsBest" : "float64GflopsBest";
            double gflops = (double) row.get("lowerGflops");
            row.put("lowerFractionOfPeak", gflops / (double) peak.get(key));
            Map<String, Object> own = row.get("setting").equals("forum-mlp") ? shapes : logisticShapes;
            row.put("lowerFractionOfShapePeak", gflops / (double) own.get(key));
            System.out.println(JsonResults.line(row));
        }
        results.put("perIteration", rows);
        results.put("loadAverage1mAtEnd", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        JsonResults.write(out, results);
        System.out.println("wrote " + out);
    }

    /**
     * One row per precision; their iterations alternate (float64, float32, float64, …) so that a shared machine's
     * load falls on all of them alike.
     */
    static List<Map<String, Object>> time(String setting, MultiHeadNetwork architecture, List<Precision> precisions,
                                          int batch, int lowerIterations, double lowerStep, HypergradientMethod method,
                                          int measured) {
        List<WcMhgd> algorithms = new ArrayList<>();
        List<WcMhgdState> states = new ArrayList<>();
        for (Precision precision : precisions) {
            MultiHeadNetwork network = architecture.withPrecision(precision);
            List<HyperCleaningProblem.Task> tasks = new ArrayList<>();
            for (int i = 0; i < network.heads(); i++) {
                tasks.add(new HyperCleaningProblem.Task("synthetic-" + i, randomBatch(batch, 100 + i), randomBatch(batch, 200 + i)));
            }
            HyperCleaningProblem problem = new HyperCleaningProblem(network, tasks, 1e-3, network.initialParameters(1));
            WcMhgd algorithm = new WcMhgd(problem, new WcMhgdConfig(lowerIterations, lowerStep, 1e3, 0.1, method, 1000, 0));
            algorithms.add(algorithm);
            states.add(algorithm.initialState(new double[] {0.5, 0.5}));
        }
        double[] total = new double[precisions.size()];
        double[] lower = new double[precisions.size()];
        for (int i = 0; i < measured + 1; i++) {
            for (int p = 0; p < precisions.size(); p++) {
                WcMhgd.Iteration iteration = algorithms.get(p).iterate(states.get(p));
                if (i > 0) { // the first warms ND4J and the JIT
                    total[p] += (iteration.times().lowerNanos() + iteration.times().hypergradientNanos()
                            + iteration.times().weightsNanos()) / 1e9;
                    lower[p] += iteration.times().lowerNanos() / 1e9;
                }
                states.set(p, iteration.next());
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        double lowerFlops = (double) lowerIterations * architecture.heads() * gradientFlops(architecture, batch);
        for (int p = 0; p < precisions.size(); p++) {
            double gflops = lowerFlops * measured / lower[p] / 1e9;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("setting", setting);
            row.put("model", architecture.describe());
            row.put("precision", precisions.get(p).label());
            row.put("batchPerTask", batch);
            row.put("lowerIterations", lowerIterations);
            row.put("method", method.name());
            row.put("secondsPerIteration", total[p] / measured);
            row.put("lowerSecondsPerIteration", lower[p] / measured);
            row.put("lowerGflops", gflops);
            System.out.println(JsonResults.line(row));
            rows.add(row);
        }
        return rows;
    }

    /**
     * The matrix products of one weighted gradient on n samples for one head, as the network runs them: forward
     * A_{l−1}·W_l per layer (n×in·in×out), weight gradients A_{l−1}ᵀ·∂Z_l (in×n·n×out), and back-propagated
     * ∂Z_l·W_lᵀ (n×out·out×in) for every layer but the first (nothing flows into the input).
     */
    static List<MachinePeak.Gemm> gradientGemms(MultiHeadNetwork network, int n) {
        int[] hidden = network.hidden();
        int[] widths = new int[hidden.length + 2];
        widths[0] = network.inputs();
        System.arraycopy(hidden, 0, widths, 1, hidden.length);
        widths[hidden.length + 1] = network.classes();
        List<MachinePeak.Gemm> gemms = new ArrayList<>();
        for (int l = 1; l < widths.length; l++) gemms.add(new MachinePeak.Gemm(n, widths[l], widths[l - 1], false, false));
        for (int l = widths.length - 1; l >= 1; l--) {
            gemms.add(new MachinePeak.Gemm(widths[l - 1], widths[l], n, true, false));
            if (l > 1) gemms.add(new MachinePeak.Gemm(n, widths[l - 1], widths[l], false, true));
        }
        return gemms;
    }

    /** Matmul flops of one weighted gradient on n samples for one head: Σ 2mnk over {@link #gradientGemms}. */
    static double gradientFlops(MultiHeadNetwork network, int n) {
        return gradientGemms(network, n).stream().mapToDouble(MachinePeak.Gemm::flops).sum();
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
