package io.mobl.bench;

import io.mobl.core.algorithm.Budget;
import io.mobl.core.algorithm.Durability;
import io.mobl.core.algorithm.IterativeRun;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.WcMhgdAlgorithm;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.algorithm.WcMhgdState;
import io.mobl.core.checkpoint.FileRunJournal;
import io.mobl.core.checkpoint.RunJournal;
import io.mobl.core.checkpoint.StateImage;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.problem.CountingProblem;
import io.mobl.core.problem.quadratic.QuadraticProblem;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import io.mobl.protocol.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Issue 13's checkpoint cost: time per outer iteration of a durable synchronous run ({@link IterativeRun#runDurably},
 * {@link FileRunJournal}) with a checkpoint every iteration, every 10, every 10 written while the run goes on
 * ({@link FileRunJournal#overlapping}), and none, side by side in one process (the
 * modes take turns round by round, so a shared machine's load hits them alike), for p ∈ {10³, 10⁵, 10⁶}; and the
 * resume time, what a restart after kill -9 adds before it computes again: open the journal, read, verify (CRC-32C)
 * and decode the newest checkpoint, check it against the run, rebuild the state.
 *
 * <p>The problem is cheap on purpose, so that the checkpoint dominates: WC-MHGD with D = 2 lower steps and 2 CG
 * steps on the structured quadratic (diagonal + rank 2, memory O(p + q)) with q = p/10. A checkpoint holds x (p),
 * y and both CG warm starts (q each), i.e. 8·1.3·p bytes, written to a temporary file, fsynced and moved into place,
 * with the telemetry lines fsynced before it. Medians over the rounds; ratios to "none".
 *
 * <p>Usage: {@code CheckpointBenchmark [out.json] [sizes, e.g. 1000,100000,1000000] [rounds, e.g. 3] [dir]}
 */
public final class CheckpointBenchmark {
    private static final double[] PREFERENCE = {0.4, 0.6};
    /** Checkpoint every N iterations (0: none); −10: every 10 with the write overlapping the run. */
    private static final int[] MODES = {0, 10, 1, -10};

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "results/checkpoint.json");
        int[] sizes = Arrays.stream((args.length > 1 ? args[1] : "1000,100000,1000000").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path root = Path.of(args.length > 3 ? args[3] : "target/checkpoint-bench");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int p : sizes) rows.add(measure(p, rounds, root));
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("benchmark", "CheckpointBenchmark");
        results.put("machine", JsonResults.machine());
        results.put("directory", root.toAbsolutePath().toString());
        results.put("rounds", rounds);
        results.put("rows", rows);
        JsonResults.write(out, results);
        System.out.println("wrote " + out);
    }

    private static int iterations(int p) {
        return p >= 1_000_000 ? 60 : p >= 100_000 ? 100 : 400;
    }

    private static Map<String, Object> measure(int p, int rounds, Path root) throws IOException {
        int q = Math.max(10, p / 10);
        QuadraticProblem problem = QuadraticProblems.structured(1, p, q, 2, 2, 4, 0.5);
        WcMhgdConfig config = WcMhgdConfig.defaults(problem, new ConjugateGradient(2), 2, 1.0, 1, 0);
        int k = iterations(p);
        Map<Integer, List<Double>> perIteration = new LinkedHashMap<>();
        for (int every : MODES) perIteration.put(every, new ArrayList<>());
        List<Double> resume = new ArrayList<>();
        long bytes = 0;
        run(problem, config, Math.max(3, k / 10), 0, root.resolve("warm-up")); // JIT and ND4J warm-up, not counted
        for (int round = 0; round < rounds; round++) {
            for (int m = 0; m < MODES.length; m++) {
                int every = MODES[(m + round) % MODES.length];
                Path dir = root.resolve("p" + p + "-every" + every + "-" + round);
                perIteration.get(every).add(run(problem, config, k, every, dir));
                if (every == 1) {
                    bytes = Files.size(FileRunJournal.directory(dir, "bench", 0).resolve(FileRunJournal.CHECKPOINT));
                    resume.add(resumeSeconds(problem, config, dir));
                }
                delete(dir);
            }
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("p", p);
        row.put("q", q);
        row.put("iterations", k);
        row.put("checkpointBytes", bytes);
        double none = median(perIteration.get(0));
        row.put("msPerIterationNone", none * 1e3);
        row.put("msPerIterationEvery10", median(perIteration.get(10)) * 1e3);
        row.put("msPerIterationEvery1", median(perIteration.get(1)) * 1e3);
        row.put("msPerIterationEvery10Overlapping", median(perIteration.get(-10)) * 1e3);
        row.put("ratioEvery10", median(perIteration.get(10)) / none);
        row.put("ratioEvery10Overlapping", median(perIteration.get(-10)) / none);
        row.put("ratioEvery1", median(perIteration.get(1)) / none);
        row.put("msPerCheckpoint", (median(perIteration.get(1)) - none) * (k + 1) / k * 1e3);
        row.put("msResume", median(resume) * 1e3);
        row.put("rounds", perIteration.entrySet().stream().collect(LinkedHashMap::new,
                (map, e) -> map.put(e.getKey() < 0 ? "every" + -e.getKey() + "Overlapping" : "every" + e.getKey(),
                        e.getValue()), Map::putAll));
        System.out.println(JsonResults.line(row));
        return row;
    }

    /** Seconds per outer iteration of one durable run of K iterations checkpointed every {@code every} (0: none). */
    private static double run(QuadraticProblem problem, WcMhgdConfig config, int k, int every, Path dir) {
        WcMhgdAlgorithm algorithm = new WcMhgdAlgorithm(new CountingProblem(problem), config);
        long start = System.nanoTime();
        try (RunJournal journal = every == 0 ? RunJournal.NONE : every < 0
                ? FileRunJournal.overlapping(dir).open("bench", 0) : FileRunJournal.open(dir, "bench", 0)) {
            IterativeRun.runDurably(algorithm, PREFERENCE, problem.initialUpper(), new Budget(k, 0), RunListener.NONE,
                    null, new Durability(journal, Math.abs(every), "bench", 0, Durability.NO_SOURCE));
        } // closing waits for the last checkpoint: the time counts everything
        return (System.nanoTime() - start) / 1e9 / (k + 1);
    }

    /** What a restart does before it computes: open, read, verify, decode and check the newest checkpoint. */
    private static double resumeSeconds(QuadraticProblem problem, WcMhgdConfig config, Path dir) {
        long start = System.nanoTime();
        WcMhgdAlgorithm algorithm = new WcMhgdAlgorithm(new CountingProblem(problem), config);
        try (FileRunJournal journal = FileRunJournal.open(dir, "bench", 0)) {
            Checkpoint c = journal.recover().orElseThrow().requireCompatible(algorithm.name(),
                    algorithm.configuration(), problem.upperDimension(), problem.lowerDimension(),
                    problem.objectiveCount());
            WcMhgdState state = algorithm.stateCodec().decode(StateImage.of(c));
            if (state.x().length() != problem.upperDimension()) throw new IllegalStateException("decoded " + state);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(path);
        }
    }
}
