package io.mobl.bench;

import io.mobl.actors.ActorRuntime;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.StochasticSolver;
import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.algorithm.SynchronousSolver;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.quadratic.QuadraticProblem;
import io.mobl.core.stochastic.GeneratedBatchSource;
import io.mobl.core.stochastic.StochasticQuadraticGenerator;
import io.mobl.core.stochastic.StochasticQuadraticProblem;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.mobl.protocol.OracleCalls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Issue 4's algorithm figures: stochastic WC-MHGD (Alg. 2/3) on the built-in stochastic quadratic problem
 * ({@code StochasticQuadraticSpec.defaults(21)}), for several batch sizes: the RMS distance of x_K to the exact
 * weighted-Chebyshev solution of the mean problem over independent data streams, the oracle calls (per sample)
 * of one run, and the wall time per iteration of the synchronous loop and of the actor runtime on the same data
 * (side by side in one process, as a ratio). The exact solution is deterministic WC-MHGD on the mean problem
 * run to a gap of 1e-20 (the core tests check it against an independent closed form).
 *
 * <p>Usage: {@code StochasticBenchmark [out.json] [batch sizes, e.g. 4,16,64,256] [iterations K] [streams]}
 */
public final class StochasticBenchmark {
    private static final double[] PREFERENCE = {0.65, 0.35};
    private static final int LOWER_ITERATIONS = 5;
    private static final int NEUMANN_STEPS = 12;

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "results/stochastic.json");
        int[] batches = java.util.Arrays.stream((args.length > 1 ? args[1] : "4,16,64,256").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int streams = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        Vectors.useFloat64();

        StochasticQuadraticSpec spec = StochasticQuadraticSpec.defaults(21);
        StochasticQuadraticProblem problem = spec.problem();
        QuadraticProblem mean = problem.mean();
        INDArray exact = SynchronousSolver.solve(mean, WcMhgdConfig.defaults(mean, new ConjugateGradient(6), 30, 1.0,
                3000, 1e-20), PREFERENCE, "exact", RunListener.NONE).x();
        double start = Vectors.norm(problem.initialUpper().sub(exact));

        Map<String, Object> results = new LinkedHashMap<>();
        results.put("benchmark", "stochastic wc-mhgd (Alg. 2/3), stochastic quadratic p=4 q=6 S=2, D=" + LOWER_ITERATIONS
                + ", Q=" + NEUMANN_STEPS + ", Theorem 5.7 steps, K=" + iterations + ", preference 0.65,0.35");
        results.put("machine", JsonResults.machine());
        results.put("startDistance", start);
        List<Map<String, Object>> rows = new ArrayList<>();
        try (ActorRuntime runtime = new ActorRuntime()) {
            for (int batch : batches) {
                StochasticWcMhgdConfig config = StochasticWcMhgdConfig.defaults(problem, LOWER_ITERATIONS,
                        NEUMANN_STEPS, batch, 1.0, iterations, 0);
                int rows4 = Math.max(1, batch / 4);
                double squared = 0;
                OracleCalls calls = null;
                long syncNanos = 0;
                for (long stream = 0; stream < streams; stream++) {
                    long t0 = System.nanoTime();
                    Solution s = StochasticSolver.solve(problem, config, source(spec, stream, rows4), PREFERENCE, "b",
                            RunListener.NONE);
                    syncNanos += System.nanoTime() - t0;
                    squared += Math.pow(Vectors.norm(s.x().sub(exact)), 2);
                    calls = s.point().oracleCalls();
                }
                long t0 = System.nanoTime();
                Solution actors = runtime.solve(problem, config, source(spec, 0, rows4), PREFERENCE, "b", RunListener.NONE)
                        .solution().toCompletableFuture().get(1, TimeUnit.HOURS);
                long actorNanos = System.nanoTime() - t0;
                Solution sync0 = StochasticSolver.solve(problem, config, source(spec, 0, rows4), PREFERENCE, "b",
                        RunListener.NONE);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("batchSize", batch);
                row.put("minibatchRows", rows4);
                row.put("hessianBatchSizes", config.hessianBatchSizes());
                row.put("rmsDistanceToExact", Math.sqrt(squared / streams));
                row.put("relativeRmsDistance", Math.sqrt(squared / streams) / start);
                row.put("oracleCallsPerRun", Map.of("Gc(f)", calls.upperGradients(), "Gc(g)", calls.lowerGradients(),
                        "JV(g)", calls.jacobianVectorProducts(), "HV(g)", calls.hessianVectorProducts()));
                row.put("syncMillisPerIteration", syncNanos / 1e6 / streams / (iterations + 1));
                row.put("actorMillisPerIteration", actorNanos / 1e6 / (iterations + 1));
                row.put("actorOverSyncTime", (double) actorNanos / (syncNanos / (double) streams));
                row.put("actorEqualsSyncBitForBit", actors.point().equals(sync0.point()));
                System.out.println(row);
                rows.add(row);
            }
        }
        results.put("byBatchSize", rows);
        JsonResults.write(out, results);
        System.out.println("wrote " + out.toAbsolutePath());
    }

    /** Stream {@code stream} of the spec's data: batch i of a role is the generator's batch i + stream·2³². */
    private static GeneratedBatchSource source(StochasticQuadraticSpec spec, long stream, int rows) {
        StochasticQuadraticGenerator generator = spec.generator();
        return new GeneratedBatchSource((objective, index, n) -> generator.batch(objective, index + (stream << 32), n),
                spec.objectives(), rows);
    }
}
