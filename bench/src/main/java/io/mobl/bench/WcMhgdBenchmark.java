package io.mobl.bench;

import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.SynchronousSolver;
import io.mobl.core.algorithm.WcMhgd;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.algorithm.WcMhgdState;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.hypergradient.HypergradientEstimate;
import io.mobl.core.hypergradient.HypergradientMethod;
import io.mobl.core.hypergradient.NeumannSeries;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.lower.LowerSolution;
import io.mobl.core.problem.CountingProblem;
import io.mobl.core.problem.quadratic.QuadraticProblem;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import io.mobl.core.weights.ChebyshevWeights;
import io.mobl.core.weights.MinNormWeights;
import io.mobl.core.weights.SimplexQpSolution;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Issue 2's benchmark: time per outer iteration and per phase (lower level, hypergradients, QP, update) of
 * deterministic WC-MHGD on structured quadratic problems for p = q ∈ sizes and S ∈ objectives; oracle calls to
 * reach ε = 1e-6; and the ND4J matmul peak of the same machine.
 *
 * <p>Usage: {@code WcMhgdBenchmark [out.json] [sizes, e.g. 1000,100000,1000000] [objectives, e.g. 2,4,8,16]
 * [iterations measured per row, 0 for 20/5/3 by size] [epsilon sizes, e.g. 1000; "none" skips those rows]}
 */
public final class WcMhgdBenchmark {
    private static final int LOWER_ITERATIONS = 10;
    private static final int CG_STEPS = 5;
    private static final int RANK = 4;

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "results/wc-mhgd.json");
        int[] sizes = parse(args.length > 1 ? args[1] : "1000,100000,1000000");
        int[] objectiveCounts = parse(args.length > 2 ? args[2] : "2,4,8,16");
        int measuredIterations = Integer.parseInt(args.length > 3 ? args[3] : "0");
        String epsilonSizes = args.length > 4 ? args[4] : "1000";
        Vectors.useFloat64();

        Map<String, Object> results = new LinkedHashMap<>();
        results.put("benchmark", "wc-mhgd deterministic, structured quadratic (diag + rank " + RANK + "), D="
                + LOWER_ITERATIONS + ", CG N=" + CG_STEPS);
        results.put("machine", JsonResults.machine());
        results.put("matmul", MachinePeak.matmul(1000, 5));
        List<Map<String, Object>> iterations = new ArrayList<>();
        results.put("perIteration", iterations);
        List<Map<String, Object>> toEpsilon = new ArrayList<>();
        results.put("oracleCallsToEpsilon", toEpsilon);
        for (int size : sizes) {
            for (int s : objectiveCounts) {
                Map<String, Object> row = timeIterations(size, s, measuredIterations);
                System.out.println(row);
                iterations.add(row);
                JsonResults.write(out, results); // after every row: a long run that is stopped keeps its rows
            }
        }
        for (int size : epsilonSizes.equals("none") ? new int[0] : parse(epsilonSizes)) {
            for (HypergradientMethod method : new HypergradientMethod[] {new ConjugateGradient(CG_STEPS), new NeumannSeries()}) {
                for (int s : new int[] {2, 4}) {
                    Map<String, Object> row = callsToTolerance(method, size, s, 1e-6);
                    System.out.println(row);
                    toEpsilon.add(row);
                    JsonResults.write(out, results);
                }
            }
        }
        JsonResults.write(out, results);
        System.out.println("wrote " + out);
    }

    private static Map<String, Object> timeIterations(int size, int objectives, int measuredIterations) {
        QuadraticProblem problem = QuadraticProblems.structured(7, size, size, objectives, RANK, 10, 0.5);
        WcMhgdConfig config = WcMhgdConfig.defaults(problem, new ConjugateGradient(CG_STEPS), LOWER_ITERATIONS, 1.0, 1000, 0);
        WcMhgd algorithm = new WcMhgd(problem, config);
        double[] preference = io.mobl.core.metrics.PreferenceGrid.balanced(objectives);
        WcMhgdState state = algorithm.initialState(preference);
        int warmup = 2;
        int measured = measuredIterations > 0 ? measuredIterations : size >= 1_000_000 ? 3 : size >= 100_000 ? 5 : 20;
        double lower = 0, hyper = 0, qp = 0, update = 0;
        for (int i = 0; i < warmup + measured; i++) {
            long t0 = System.nanoTime();
            LowerSolution lowerSolution = algorithm.lowerPhase(state.iteration(), state.x(), state.lower());
            long t1 = System.nanoTime();
            List<HypergradientEstimate> estimates = new ArrayList<>();
            for (int s = 0; s < objectives; s++) {
                estimates.add(algorithm.hypergradientPhase(state.iteration(), s, state.x(), lowerSolution, state.warmStart(s)));
            }
            long t2 = System.nanoTime();
            double[][] gram = WcMhgd.gram(state.iteration(), estimates);
            SimplexQpSolution weights = ChebyshevWeights.solve(gram, preference, WcMhgd.values(estimates), 1.0);
            double gap = MinNormWeights.solve(gram).objective();
            long t3 = System.nanoTime();
            var step = algorithm.update(state.iteration(), state.x(), preference, estimates, weights, gap);
            long t4 = System.nanoTime();
            state = state.advance(lowerSolution, estimates, step);
            if (i >= warmup) {
                lower += (t1 - t0) / 1e6;
                hyper += (t2 - t1) / 1e6;
                qp += (t3 - t2) / 1e6;
                update += (t4 - t3) / 1e6;
            }
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("p", size);
        row.put("q", size);
        row.put("S", objectives);
        row.put("iterationsMeasured", measured);
        row.put("msPerIteration", (lower + hyper + qp + update) / measured);
        row.put("msLower", lower / measured);
        row.put("msHypergradients", hyper / measured);
        row.put("msGramAndQp", qp / measured);
        row.put("msUpdate", update / measured);
        // Flops of the hot loop: a structured product costs about 2·n·(2k+1); per iteration the lower level does
        // D gradients (A·y and B·x), each objective 1 + N HVs, 1 JV and an O(p) gradient.
        double productFlops = 2.0 * size * (2 * RANK + 1);
        double lowerFlops = LOWER_ITERATIONS * 2 * productFlops;
        double hypergradientFlops = objectives * ((1 + CG_STEPS + 1) * productFlops + 6.0 * size);
        double flops = lowerFlops + hypergradientFlops;
        row.put("estimatedGflopPerIteration", flops / 1e9);
        row.put("achievedGflops", flops / 1e9 / ((lower + hyper) / measured / 1e3));
        row.put("gflopsLower", lowerFlops / 1e9 / (lower / measured / 1e3));
        row.put("gflopsHypergradients", hypergradientFlops / 1e9 / (hyper / measured / 1e3));
        return row;
    }

    private static Map<String, Object> callsToTolerance(HypergradientMethod method, int size, int objectives, double epsilon) {
        QuadraticProblem problem = QuadraticProblems.structured(11, size, size, objectives, RANK, 10, 0.5);
        WcMhgdConfig config = WcMhgdConfig.defaults(problem, method, LOWER_ITERATIONS * 3, 1.0, 20_000, epsilon);
        double[] preference = io.mobl.core.metrics.PreferenceGrid.balanced(objectives);
        long start = System.nanoTime();
        Solution solution = SynchronousSolver.solve(problem, config, preference, "bench", RunListener.NONE);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("method", method.name());
        row.put("p", size);
        row.put("S", objectives);
        row.put("epsilon", epsilon);
        row.put("reached", solution.point().stationarity() <= epsilon);
        row.put("iterations", solution.point().iterations());
        row.put("oracleCalls", solution.point().oracleCalls());
        row.put("seconds", (System.nanoTime() - start) / 1e9);
        return row;
    }

    private static int[] parse(String csv) {
        String[] parts = csv.split(",");
        int[] values = new int[parts.length];
        for (int i = 0; i < parts.length; i++) values[i] = Integer.parseInt(parts[i].trim());
        return values;
    }

    private WcMhgdBenchmark() {}
}
