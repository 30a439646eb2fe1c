package io.mobl.bench;

import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.StepReport;
import io.mobl.core.algorithm.WcMhgdAlgorithm;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.algorithm.baseline.HypergradientDescent;
import io.mobl.core.algorithm.baseline.HypergradientDescentConfig;
import io.mobl.core.algorithm.baseline.Moco;
import io.mobl.core.algorithm.baseline.MocoConfig;
import io.mobl.core.algorithm.forum.Forum;
import io.mobl.core.algorithm.forum.ForumConfig;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.lower.LowerLevelDescent;
import io.mobl.core.lower.LowerSolution;
import io.mobl.core.problem.quadratic.QuadraticProblem;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.memory.AllocationsTracker;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The FORUM paper's Fig. 1 measured here: time and memory per upper-level iteration against the number of
 * lower-level steps T and the lower-level size q, for MOML, MoCo (reverse mode through the unrolled lower level),
 * FORUM (first order) and WC-MHGD with CG (implicit), on structured quadratic problems (p = 100 upper variables,
 * S = 2 objectives, diag + rank-4 matrices, so every vector operation is O(q)).
 *
 * <p>Memory is measured two ways, both reported:
 * <ul>
 *   <li>{@code retainedBytes}: ND4J's live off-heap bytes (the first counter that sees a test allocation of
 *       8 MB: ND4J's AllocationsTracker, its MemoryManager, javacpp's totalBytes, or the process RSS; the JSON
 *       says which) still held after the lower-level phase of one
 *       iteration, with the phase's result kept alive as the algorithm keeps it for its next phase — the whole
 *       trajectory y^0 … y^{T−1} for the unrolled methods, only y^T for FORUM and CG — measured as the difference
 *       to the same counter before the phase, each after a full GC. This is the memory the paper's O(qT) vs
 *       O(q) claim is about;</li>
 *   <li>{@code workingBytes}: the vectors the whole step held at its peak, counted from the structures the
 *       step actually kept ({@link StepReport#workingBytes()}).</li>
 * </ul>
 * Time is the median wall time of 3 whole outer iterations (after one warm-up). With RSS as the counter, run with
 * {@code MALLOC_MMAP_THRESHOLD_=65536} so that glibc serves every vector of 8192 doubles or more by mmap and returns it
 * to the system when ND4J frees it (otherwise freed memory stays resident and is reused, and RSS deltas say
 * little); the retained bytes are the median of 3 measurements. Small q then measure nothing: use q ≥ 10⁴.
 *
 * <p>Usage: {@code ForumFigureOneBenchmark [out.json] [lower sizes, e.g. 10000,100000] [T values, e.g. 8,16,32,64,128]}
 */
public final class ForumFigureOneBenchmark {
    private static final int UPPER = 100;
    private static final int OBJECTIVES = 2;
    private static final int RANK = 4;

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "results/forum-fig1.json");
        int[] sizes = parse(args.length > 1 ? args[1] : "10000,100000");
        int[] steps = parse(args.length > 2 ? args[2] : "8,16,32,64,128");
        Vectors.useFloat64();
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("benchmark", "FORUM paper Fig. 1: time and memory per UL iteration vs LL steps T and LL size q;"
                + " structured quadratic, p=" + UPPER + ", S=" + OBJECTIVES + ", rank " + RANK);
        results.put("machine", JsonResults.machine());
        results.put("counterCheck", counterCheck());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int q : sizes) {
            QuadraticProblem problem = QuadraticProblems.structured(3, UPPER, q, OBJECTIVES, RANK, 10, 0.5);
            for (int t : steps) {
                for (String name : List.of("moml", "moco", "forum", "wc-mhgd-cg")) {
                    Map<String, Object> row = measure(problem, name, t);
                    System.out.println(row);
                    rows.add(row);
                }
            }
        }
        results.put("rows", rows);
        results.put("fits", fits(rows));
        JsonResults.write(out, results);
        System.out.println("wrote " + out);
    }

    /** Candidate counters of live off-heap bytes, in order of preference. */
    private static final Map<String, LongSupplier> COUNTERS = new LinkedHashMap<>();
    static {
        COUNTERS.put("nd4j AllocationsTracker", () -> AllocationsTracker.getInstance().bytesOnDevice(0));
        COUNTERS.put("nd4j MemoryManager.allocatedMemory", () -> Nd4j.getMemoryManager().allocatedMemory(0));
        COUNTERS.put("javacpp Pointer.totalBytes", Pointer::totalBytes);
        COUNTERS.put("process RSS (javacpp Pointer.physicalBytes)", Pointer::physicalBytes);
    }
    private static String counterName;
    private static LongSupplier counter;

    /**
     * Picks the first counter that sees ND4J's buffers: allocating (and holding) one vector of 10⁶ doubles must
     * add 8 MB ± 10%. Every candidate's reading is reported.
     */
    private static Map<String, Object> counterCheck() {
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("vectorBytes", 8_000_000L);
        for (Map.Entry<String, LongSupplier> c : COUNTERS.entrySet()) {
            counter = c.getValue();
            long before = settledBytes();
            INDArray v = Vectors.zeros(1_000_000).addi(1.0); // written, so that its pages are resident
            long after = settledBytes();
            v.putScalar(0, 1.0); // keep it alive until after the second reading
            long delta = after - before;
            check.put(c.getKey(), delta);
            if (counterName == null && Math.abs(delta - 8_000_000L) < 800_000L) counterName = c.getKey();
        }
        if (counterName == null) throw new IllegalStateException("no counter sees ND4J's allocations: " + check);
        counter = COUNTERS.get(counterName);
        check.put("counterUsed", counterName);
        return check;
    }

    private static IterativeAlgorithm<?> algorithm(QuadraticProblem problem, String name, int t) {
        double alpha = 1.0 / problem.smoothness().orElseThrow().lowerLipschitz();
        double beta = WcMhgdConfig.theoremUpperStep(problem.smoothness().orElseThrow());
        return switch (name) {
            case "moml" -> new HypergradientDescent(problem, HypergradientDescentConfig.moml(t, alpha, beta));
            case "moco" -> new Moco(problem, MocoConfig.defaults(t, alpha, beta));
            case "forum" -> new Forum(problem, ForumConfig.of(t, alpha, beta, 0.1));
            case "wc-mhgd-cg" -> new WcMhgdAlgorithm(problem, new WcMhgdConfig(t, alpha, beta, 1.0, new ConjugateGradient(5), 1000, 0));
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static Map<String, Object> measure(QuadraticProblem problem, String name, int t) {
        IterativeAlgorithm<?> algorithm = algorithm(problem, name, t);
        double[] preference = {0.5, 0.5};
        TimedRun timed = time(algorithm, preference, 3);
        boolean keepsTrajectory = name.equals("moml") || name.equals("moco");
        long[] samples = new long[3];
        for (int i = 0; i < samples.length; i++) samples[i] = retainedAfterLowerPhase(problem, t, keepsTrajectory);
        Arrays.sort(samples);
        long retained = samples[1];
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("algorithm", name);
        row.put("q", problem.lowerDimension());
        row.put("p", problem.upperDimension());
        row.put("T", t);
        row.put("msPerIteration", timed.medianMs());
        row.put("msPerIterationAll", Arrays.toString(timed.ms()));
        row.put("retainedBytes", retained);
        row.put("retainedBytesIfTrajectoryKept", keepsTrajectory ? 8L * t * problem.lowerDimension() : 0L);
        row.put("workingBytes", timed.workingBytes());
        return row;
    }

    private record TimedRun(double medianMs, double[] ms, long workingBytes) {}

    private static <S> TimedRun time(IterativeAlgorithm<S> algorithm, double[] preference, int measured) {
        S state = algorithm.initialState(preference, algorithm.problem().initialUpper());
        state = algorithm.step(state).next(); // warm-up
        double[] ms = new double[measured];
        long working = 0;
        for (int i = 0; i < measured; i++) {
            long start = System.nanoTime();
            IterativeAlgorithm.Step<S> step = algorithm.step(state);
            ms[i] = (System.nanoTime() - start) / 1e6;
            working = Math.max(working, step.report().workingBytes());
            state = step.next();
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        return new TimedRun(sorted[measured / 2], ms, working);
    }

    /**
     * Runs the T lower-level steps of one iteration as the algorithm does (keeping the trajectory or not), holds
     * the result, and measures the off-heap bytes it retains.
     */
    private static long retainedAfterLowerPhase(QuadraticProblem problem, int t, boolean keepTrajectory) {
        INDArray x = problem.initialUpper();
        INDArray y0 = problem.initialLower();
        double alpha = 1.0 / problem.smoothness().orElseThrow().lowerLipschitz();
        long before = settledBytes();
        LowerSolution lower = LowerLevelDescent.descend(problem, x, y0, t, alpha, keepTrajectory);
        long after = settledBytes();
        if (lower.trajectory().size() != (keepTrajectory ? t : 0)) throw new IllegalStateException("trajectory");
        return after - before;
    }

    /** The chosen counter's reading after garbage collection has run and ND4J's deallocator caught up. */
    private static long settledBytes() {
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long now = counter.getAsLong();
            if (now == last) return now;
            last = now;
        }
        return last;
    }

    /** Least-squares slope of retained bytes against T, per algorithm and q, in bytes per LL step and per q·T. */
    private static List<Map<String, Object>> fits(List<Map<String, Object>> rows) {
        Map<String, List<double[]>> groups = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) {
            String key = r.get("algorithm") + "@" + r.get("q");
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(new double[] {
                    ((Number) r.get("T")).doubleValue(), ((Number) r.get("retainedBytes")).doubleValue(),
                    ((Number) r.get("msPerIteration")).doubleValue(), ((Number) r.get("q")).doubleValue()});
        }
        List<Map<String, Object>> fits = new ArrayList<>();
        for (Map.Entry<String, List<double[]>> e : groups.entrySet()) {
            List<double[]> g = e.getValue();
            double q = g.get(0)[3];
            Map<String, Object> fit = new LinkedHashMap<>();
            fit.put("series", e.getKey());
            double bytesPerStep = slope(g, 1);
            fit.put("retainedBytesPerLowerStep", bytesPerStep);
            fit.put("retainedBytesPerLowerStepPerCoordinate", bytesPerStep / q);
            fit.put("msPerLowerStep", slope(g, 2));
            fit.put("memoryGrowsWithT", bytesPerStep / q > 4); // ≈ 8 bytes per coordinate per step when the trajectory is kept
            fits.add(fit);
        }
        return fits;
    }

    private static double slope(List<double[]> points, int column) {
        double mx = 0, my = 0;
        for (double[] p : points) {
            mx += p[0];
            my += p[column];
        }
        mx /= points.size();
        my /= points.size();
        double sxy = 0, sxx = 0;
        for (double[] p : points) {
            sxy += (p[0] - mx) * (p[column] - my);
            sxx += (p[0] - mx) * (p[0] - mx);
        }
        return sxx == 0 ? 0 : sxy / sxx;
    }

    private static int[] parse(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

    private ForumFigureOneBenchmark() {}
}
