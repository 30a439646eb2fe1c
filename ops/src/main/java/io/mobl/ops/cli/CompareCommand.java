package io.mobl.ops.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.mobl.core.algorithm.AlgorithmPlan;
import io.mobl.core.algorithm.DivergenceGuard;
import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.StepSizes;
import io.mobl.core.algorithm.IterativeRun;
import io.mobl.core.algorithm.StepReport;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.metrics.Hypervolume;
import io.mobl.core.metrics.InvertedGenerationalDistance;
import io.mobl.core.metrics.PreferenceGrid;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.CountingProblem;
import io.mobl.core.problem.quadratic.ExactFronts;
import io.mobl.core.weights.MinNormWeights;
import io.mobl.ops.config.MoblConfig;
import io.mobl.protocol.OracleCalls;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mobl compare}: several algorithms on the same problem, from the same starting points and preferences,
 * with the same budget of outer iterations, side by side in one table (printed and written as JSON).
 *
 * <p>Run i (of {@code --points}) starts every algorithm from x_0 + ξ_i, ξ_i ~ N(0, I) drawn from
 * {@code --start-seed} (ξ_0 = 0), with the i-th preference of the grid (algorithms without a preference ignore
 * it). The front of an algorithm is its N final points. Where the problem's true objectives Φ(x) = F(x, y*(x))
 * are known in closed form (the quadratic family) the front is measured with them, so that every algorithm is
 * judged on the bilevel objective itself and not on its own lower-level estimate; otherwise with the objectives
 * the algorithm reports at its final (x, y), next to its feasibility. Hypervolume uses one reference point for
 * all algorithms (the worst value of each objective over all fronts and the true one, plus 10% of the range);
 * IGD is measured against the true front where it is known.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Run several algorithms on the same problem, starting points, preferences and budget; print and write a table.")
public final class CompareCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ProblemOptions problem = new ProblemOptions();
    @Mixin AlgorithmOptions algorithm = new AlgorithmOptions();

    @Option(names = "--algorithms", description = "Comma-separated algorithms to compare (of wc-mhgd, wc-penalty, wc-penalty-stochastic, forum, moml, moco, linear-scalarisation, mgda). Default: ${DEFAULT-VALUE}.")
    String algorithms;

    @Option(names = "--budget", description = "K, outer iterations for every algorithm and run. Default: ${DEFAULT-VALUE}.")
    int budget;

    @Option(names = "--points", description = "N, runs per algorithm (starting points and preferences). Default: ${DEFAULT-VALUE}.")
    int points;

    @Option(names = "--start-seed", description = "Seed of the starting points. Default: ${DEFAULT-VALUE}.")
    long startSeed;

    @Option(names = "--out", description = "Where the JSON table goes. Default: ${DEFAULT-VALUE}.")
    Path out;

    /** The settings in force (the typed configuration's, command line included), read when the command starts. */
    private MoblConfig.Compare settings;

    /** One algorithm's row. */
    record Row(String algorithm, String measureName, double[][] front, double hypervolume, Double igd, double medianMeasure,
               double worstMeasure, Double worstFeasibility, Double exactStationarity, double secondsPerIteration,
               long peakWorkingBytes, long heapBytesPerIteration, OracleCalls callsPerRun) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        settings = Main.config(spec.commandLine()).compare();
        List<String> names = settings.algorithms();
        BilevelProblem built = problem.build();
        // names, oracles and step sizes, before anything runs; the problem's constants are estimated once for every
        // algorithm, and WC-Penalty's schedule is set for the horizon K
        StepSizes steps = StepSizes.of(built);
        Map<String, AlgorithmPlan> plans = new LinkedHashMap<>();
        for (String name : names) plans.put(name, algorithm.plan(name, built, steps, settings.budget()));
        int s = built.objectiveCount();
        List<double[]> preferences = preferences(s);
        List<INDArray> starts = starts(built);
        stdout.printf("mobl compare: %s, p=%d q=%d S=%d, budget K=%d, %d run(s) per algorithm: %s%n", problem.describe(),
                built.upperDimension(), built.lowerDimension(), s, settings.budget(), settings.points(), String.join(", ", names));
        for (AlgorithmPlan plan : plans.values()) stdout.printf("steps of %s: %s%n", plan.name(), plan.describeSteps());

        List<RunResult> all = new ArrayList<>();
        Map<String, List<RunResult>> byAlgorithm = new LinkedHashMap<>();
        for (String name : names) {
            List<RunResult> results = new ArrayList<>();
            for (int i = 0; i < settings.points(); i++) {
                CountingProblem counted = new CountingProblem(built);
                results.add(runOnce(plans.get(name).on(counted), preferences.get(i), starts.get(i), plans.get(name).guard()));
            }
            byAlgorithm.put(name, results);
            all.addAll(results);
        }
        Optional<double[][]> truth = ExactFronts.of(built, 50);
        double[] reference = referencePoint(all, truth, s);
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, List<RunResult>> e : byAlgorithm.entrySet()) rows.add(row(e.getKey(), e.getValue(), truth, reference));
        print(stdout, rows, truth.isPresent());
        write(rows, reference, truth, names, built);
        stdout.println("wrote " + settings.out());
        return 0;
    }

    private record RunResult(double[] front, IterativeRun.Outcome outcome, Double exactStationarity) {}

    private <S> RunResult runOnce(IterativeAlgorithm<S> iterative, double[] preference, INDArray start,
                                  DivergenceGuard guard) {
        IterativeRun.Outcome outcome = IterativeRun.run(iterative, iterative.initialState(preference, start), settings.budget(),
                r -> {}, guard);
        StepReport last = outcome.last();
        double[] front = ExactFronts.trueObjectives(iterative.problem(), last.x()).orElse(last.objectives());
        Double exact = ExactFronts.trueHypergradients(iterative.problem(), last.x()).map(g -> {
            double[][] gram = new double[g.size()][g.size()];
            for (int a = 0; a < g.size(); a++) for (int b = 0; b < g.size(); b++) gram[a][b] = Vectors.dot(g.get(a), g.get(b));
            return MinNormWeights.stationarityGap(gram);
        }).orElse(null);
        return new RunResult(front, outcome, exact);
    }

    private List<double[]> preferences(int s) {
        if (s == 1) return java.util.Collections.nCopies(settings.points(), new double[] {1.0});
        return List.of(PreferenceGrid.of(s, settings.points()));
    }

    private List<INDArray> starts(BilevelProblem built) {
        SplittableRandom random = new SplittableRandom(settings.startSeed());
        List<INDArray> starts = new ArrayList<>();
        for (int i = 0; i < settings.points(); i++) {
            double[] x0 = built.initialUpper().toDoubleVector();
            if (i > 0) for (int j = 0; j < x0.length; j++) x0[j] += random.nextGaussian();
            starts.add(Vectors.of(x0));
        }
        return starts;
    }

    private static double[] referencePoint(List<RunResult> all, Optional<double[][]> truth, int s) {
        double[] lo = new double[s];
        double[] hi = new double[s];
        Arrays.fill(lo, Double.POSITIVE_INFINITY);
        Arrays.fill(hi, Double.NEGATIVE_INFINITY);
        List<double[]> points = new ArrayList<>();
        for (RunResult r : all) points.add(r.front());
        truth.ifPresent(t -> points.addAll(List.of(t)));
        for (double[] p : points) {
            for (int i = 0; i < s; i++) {
                lo[i] = Math.min(lo[i], p[i]);
                hi[i] = Math.max(hi[i], p[i]);
            }
        }
        double[] reference = new double[s];
        for (int i = 0; i < s; i++) {
            double range = hi[i] - lo[i];
            reference[i] = hi[i] + 0.1 * (range > 0 ? range : Math.max(Math.abs(hi[i]), 1));
        }
        return reference;
    }

    private Row row(String name, List<RunResult> results, Optional<double[][]> truth, double[] reference) {
        double[][] front = results.stream().map(RunResult::front).toArray(double[][]::new);
        double hv = Hypervolume.of(front, reference);
        Double igd = truth.map(t -> InvertedGenerationalDistance.igd(front, t)).orElse(null);
        double[] measures = results.stream().mapToDouble(r -> r.outcome().last().measure()).sorted().toArray();
        double worstFeasibility = results.stream().mapToDouble(r -> r.outcome().last().feasibility()).max().orElse(Double.NaN);
        Double exact = results.get(0).exactStationarity() == null ? null
                : results.stream().mapToDouble(RunResult::exactStationarity).max().orElseThrow();
        double seconds = results.stream().mapToDouble(r -> r.outcome().secondsPerIteration()).average().orElseThrow();
        long peak = results.stream().mapToLong(r -> r.outcome().peakWorkingBytes()).max().orElseThrow();
        long heap = (long) results.stream().mapToDouble(r -> r.outcome().allocatedBytes() / (settings.budget() + 1.0)).average().orElseThrow();
        OracleCalls total = OracleCalls.NONE;
        for (RunResult r : results) total = total.plus(r.outcome().calls());
        OracleCalls perRun = new OracleCalls(total.upperGradients() / settings.points(), total.lowerGradients() / settings.points(),
                total.jacobianVectorProducts() / settings.points(), total.hessianVectorProducts() / settings.points());
        return new Row(name, results.get(0).outcome().last().measureName(), front, hv, igd, measures[measures.length / 2],
                measures[measures.length - 1], Double.isNaN(worstFeasibility) ? null : worstFeasibility, exact, seconds, peak,
                heap, perRun);
    }

    private static String orDash(Double v, String format) {
        return v == null ? "-" : String.format(Locale.ROOT, format, v);
    }

    private static void print(PrintWriter out, List<Row> rows, boolean truthKnown) {
        out.printf(Locale.ROOT, "%-11s %11s %10s %-12s %10s %10s %10s %10s %11s %10s %8s %8s %8s %8s%n", "algorithm", "hypervolume",
                truthKnown ? "IGD" : "IGD(n/a)", "measure", "median", "worst", "feasib.", "exact-gap", "ms/iter", "KiB/iter",
                "Gc(f)", "Gc(g)", "JV(g)", "HV(g)");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-11s %11.5g %10s %-12s %10.3e %10.3e %10s %10s %11.3f %10.1f %8d %8d %8d %8d%n", r.algorithm(),
                    r.hypervolume(), orDash(r.igd(), "%.4g"), r.measureName(), r.medianMeasure(), r.worstMeasure(),
                    orDash(r.worstFeasibility(), "%.2e"), orDash(r.exactStationarity(), "%.2e"), r.secondsPerIteration() * 1e3,
                    r.peakWorkingBytes() / 1024.0, r.callsPerRun().upperGradients(), r.callsPerRun().lowerGradients(),
                    r.callsPerRun().jacobianVectorProducts(), r.callsPerRun().hessianVectorProducts());
        }
        out.println("measure: stationarity = min_λ‖Ĝλ‖² on the algorithm's hypergradients; kkt = FORUM's 𝒦(z) or WC-Penalty's ‖𝒦‖²."
                + " feasib.: FORUM's q̃(z), WC-Penalty's ‖∇_y g‖. exact-gap: min_λ‖∇Φ(x)λ‖² with the closed-form hypergradients."
                + " KiB/iter: vectors held at the step's peak. Oracle calls per run.");
    }

    private void write(List<Row> rows, double[] reference, Optional<double[][]> truth, List<String> names,
                       BilevelProblem built) throws Exception {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("problem", problem.describe());
        json.put("dimensions", Map.of("p", built.upperDimension(), "q", built.lowerDimension(), "S", built.objectiveCount()));
        json.put("algorithms", names);
        json.put("budget", settings.budget());
        json.put("points", settings.points());
        json.put("startSeed", settings.startSeed());
        json.put("hypervolumeReference", reference);
        json.put("trueFront", truth.orElse(null));
        List<Map<String, Object>> table = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("algorithm", r.algorithm());
            m.put("hypervolume", r.hypervolume());
            m.put("igd", r.igd());
            m.put("measure", r.measureName());
            m.put("medianMeasure", r.medianMeasure());
            m.put("worstMeasure", r.worstMeasure());
            m.put("worstFeasibility", r.worstFeasibility());
            m.put("exactStationarity", r.exactStationarity());
            m.put("secondsPerIteration", r.secondsPerIteration());
            m.put("peakWorkingBytesPerIteration", r.peakWorkingBytes());
            m.put("heapBytesAllocatedPerIteration", r.heapBytesPerIteration());
            m.put("oracleCallsPerRun", r.callsPerRun());
            m.put("front", r.front());
            table.add(m);
        }
        json.put("rows", table);
        Path parent = settings.out().toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValue(settings.out().toFile(), json);
    }
}
