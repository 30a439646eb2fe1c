package io.mobl.ops.cli;

import io.mobl.core.data.DataSets;
import io.mobl.core.data.LabelledImages;
import io.mobl.core.experiment.DataMixtureRun;
import io.mobl.core.experiment.DataMixtureSettings;
import io.mobl.ops.report.ParetoReport;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.ParetoPoint;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code mobl experiment data-mixture}: data-mixture curation on Fashion-MNIST (the WC-Penalty poster's task scaled
 * to a CPU). For each preference r — one that favours each validation criterion k (r_k = 0.8, the others share
 * 0.2) and the balanced one — every method runs over the seeds; the report gives the final mixture and the test
 * accuracy and macro-F1 on each criterion's test set, as DIR/results.json and a table. The seed-0 runs of those
 * preferences are a sweep: their validation losses (the UL objectives), one series per method, are the Pareto front
 * drawn in DIR/pareto.png (S = 3 criteria: the three pairwise projections).
 */
final class DataMixtureExperiment {
    private final DataMixtureSettings settings;
    private final List<String> methods;
    private final int seeds;
    private final Path out;
    private final List<ParetoPoint> front = new ArrayList<>();

    DataMixtureExperiment(DataMixtureSettings settings, List<String> methods, int seeds, Path out) {
        for (String m : methods) {
            if (!DataMixtureSettings.METHODS.contains(m)) {
                throw new InvalidInputException("method", m, "one of " + DataMixtureSettings.METHODS
                        + " for data-mixture (cg and ns are WC-MHGD's options)");
            }
        }
        this.settings = settings;
        this.methods = List.copyOf(methods);
        this.seeds = seeds;
        this.out = out;
    }

    /** The preferences: one favouring each criterion, then the balanced one. */
    static List<double[]> preferences(int criteria) {
        List<double[]> list = new ArrayList<>();
        for (int k = 0; k < criteria; k++) {
            double[] r = new double[criteria];
            Arrays.fill(r, 0.2 / (criteria - 1));
            r[k] = 0.8;
            list.add(r);
        }
        double[] balanced = new double[criteria];
        Arrays.fill(balanced, 1.0 / criteria);
        list.add(balanced);
        return list;
    }

    static String preferenceLabel(double[] r) {
        StringBuilder s = new StringBuilder("r=(");
        for (int i = 0; i < r.length; i++) s.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.2f", r[i]));
        return s.append(')').toString();
    }

    int run(PrintWriter console) {
        LabelledImages data = DataSets.load("fashion-mnist");
        front.clear();
        int criteria = settings.sizes().sources();
        console.printf(Locale.ROOT, "data-mixture: fashion-mnist, %d class-skewed sources of %d images (skew %.2f), "
                        + "%d criteria, logistic regression on %d×%d-pooled images; WC-MHGD K = %d, D = %d, μ = %s; "
                        + "WC-Penalty T = %d, η₀ = %s, c₀ = %s, warm start J = %d, μ = 0; %d seed(s)%n", criteria,
                settings.sizes().sourceSize(), settings.sizes().skew(), criteria, settings.pool(), settings.pool(),
                settings.iterations(), settings.lowerIterations(), settings.regularisation(), settings.penaltyIterations(),
                settings.penaltyStep(), settings.penaltyScale(), settings.penaltyLowerIterations(), seeds);
        Map<String, Object> results = new LinkedHashMap<>();
        List<Map<String, Object>> runs = new ArrayList<>();
        List<String[]> rows = new ArrayList<>();
        for (double[] r : preferences(criteria)) {
            Map<String, Object> byMethod = new LinkedHashMap<>();
            for (String method : methods) {
                List<DataMixtureRun.Outcome> outcomes = new ArrayList<>();
                for (int seed = 0; seed < seeds; seed++) {
                    DataMixtureRun.Outcome o = DataMixtureRun.run(settings, data, method, r, seed);
                    outcomes.add(o);
                    if (seed == 0) front.add(o.point());
                    runs.add(runRecord(method, r, seed, o));
                    console.printf(Locale.ROOT, "  %s %s seed %d: mixture %s, test accuracy %s, ‖∇_y g‖ = %.2e (%.0f s)%n",
                            DataMixtureSettings.label(method), preferenceLabel(r), seed, format(o.mixture(), 1),
                            format(accuracies(o), 100), o.lowerResidual(), o.seconds());
                    console.flush();
                }
                byMethod.put(DataMixtureSettings.label(method), summary(outcomes, criteria));
                rows.add(row(preferenceLabel(r), DataMixtureSettings.label(method), outcomes, criteria));
            }
            results.put(preferenceLabel(r), byMethod);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("experiment", "data-mixture");
        json.put("note", "Fashion-MNIST (train + test, 70,000 images) cut into " + criteria + " class-skewed sources; "
                + "criterion k = validation loss on a slice skewed like source k; accuracy and macroF1 (percent, mean "
                + "and std over seeds) are on test slice k. WC-Penalty solves the merely convex lower level (μ = 0); "
                + "WC-MHGD needs a strongly convex one and runs with μ = " + settings.regularisation() + ".");
        json.put("settings", settingsRecord());
        json.put("results", results);
        json.put("runs", runs);
        json.put("pareto", front.stream().map(p -> Map.of("run", p.run(), "preference", p.preference(),
                "objectives", p.objectives())).toList());
        write(json);
        console.println();
        console.printf("%-22s %-14s %-24s %s%n", "preference", "method", "mixture w (mean)",
                "test accuracy per criterion (%, mean ± std)");
        for (String[] row : rows) console.printf("%-22s %-14s %-24s %s%n", (Object[]) row);
        console.println("wrote " + out.resolve("results.json") + " and " + out.resolve("pareto.png"));
        return 0;
    }

    /** The front of the last {@link #run}: seed 0 of each preference and method, in run order. */
    ParetoReport paretoReport() {
        return ParetoReport.of(front);
    }

    private static double[] accuracies(DataMixtureRun.Outcome o) {
        return o.test().stream().mapToDouble(c -> c.accuracy()).toArray();
    }

    private static String format(double[] values, double scale) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < values.length; i++) {
            s.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, scale == 1 ? "%.2f" : "%.1f", scale * values[i]));
        }
        return s.append(')').toString();
    }

    private static String[] row(String preference, String method, List<DataMixtureRun.Outcome> outcomes, int criteria) {
        double[] mixture = new double[criteria];
        for (DataMixtureRun.Outcome o : outcomes) for (int i = 0; i < criteria; i++) mixture[i] += o.mixture()[i] / outcomes.size();
        StringBuilder acc = new StringBuilder();
        for (int k = 0; k < criteria; k++) {
            final int c = k;
            Map<String, Double> m = ExperimentCommand.meanStd(outcomes.stream()
                    .mapToDouble(o -> 100 * o.test().get(c).accuracy()).toArray());
            acc.append(String.format(Locale.ROOT, "%6.2f ± %-5.2f", m.get("mean"), m.get("std")));
        }
        return new String[] {preference, method, format(mixture, 1), acc.toString()};
    }

    private static Map<String, Object> summary(List<DataMixtureRun.Outcome> outcomes, int criteria) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int k = 0; k < criteria; k++) {
            final int c = k;
            Map<String, Object> criterion = ExperimentCommand.meanScores(outcomes.stream().map(o -> o.test().get(c)).toList());
            criterion.put("mixtureWeight", ExperimentCommand.meanStd(outcomes.stream()
                    .mapToDouble(o -> o.mixture()[c]).toArray()));
            m.put("criterion-" + k, criterion);
        }
        m.put("seeds", outcomes.size());
        m.put("secondsPerRun", outcomes.stream().mapToDouble(DataMixtureRun.Outcome::seconds).average().orElse(0));
        return m;
    }

    private static Map<String, Object> runRecord(String method, double[] r, int seed, DataMixtureRun.Outcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", DataMixtureSettings.label(method));
        m.put("preference", r);
        m.put("seed", seed);
        m.put("iterations", o.iterations());
        m.put("seconds", o.seconds());
        m.put("mixture", o.mixture());
        m.put("validationLosses", o.validationLosses());
        ExperimentCommand.putTestScores(m, o.test());
        m.put("lowerResidual", o.lowerResidual());
        return m;
    }

    private Map<String, Object> settingsRecord() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sources", settings.sizes().sources());
        m.put("sourceSize", settings.sizes().sourceSize());
        m.put("validation", settings.sizes().validation());
        m.put("test", settings.sizes().test());
        m.put("skew", settings.sizes().skew());
        m.put("pool", settings.pool());
        m.put("regularisationWcMhgd", settings.regularisation());
        m.put("lowerIterations", settings.lowerIterations());
        m.put("lowerStepSize", settings.lowerStepSize());
        m.put("upperStepSize", settings.upperStepSize());
        m.put("chebyshevWeight", settings.chebyshevWeight());
        m.put("cgSteps", settings.cgSteps());
        m.put("iterations", settings.iterations());
        m.put("penaltyIterations", settings.penaltyIterations());
        m.put("penaltyStep", settings.penaltyStep());
        m.put("penaltyScale", settings.penaltyScale());
        m.put("penaltyLowerIterations", settings.penaltyLowerIterations());
        return m;
    }

    private void write(Map<String, Object> json) {
        ExperimentCommand.writeResults(out, json);
        boolean three = front.get(0).objectives().length == 3; // three 400×400 panels, one per pair of criteria
        paretoReport().write(out.resolve("pareto.png"), three ? 1200 : 800, three ? 400 : 600);
    }
}
