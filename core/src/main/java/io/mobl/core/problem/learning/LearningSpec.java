package io.mobl.core.problem.learning;

import io.mobl.core.data.CsvFormat;
import io.mobl.core.model.Activation;
import io.mobl.core.model.Precision;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A learning problem as a user configures it ({@code type = learning} in a problem file): which model is trained on
 * which named data sources (the lower level), what the upper-level variable x weighs, and which validation losses
 * are the objectives. {@link LearningProblem#load} reads the data and builds the problem. Every cross-reference is
 * checked here, and an error names the key it is at ({@code objectives[1].source}).
 *
 * @param model                 the network y parametrises
 * @param upper                 what x is
 * @param classes               C ≥ 2; every label lies in 0..C−1
 * @param lowerRegularisation   μ ≥ 0 of the lower level's ℓ2 term (μ/2)‖y‖² (&gt; 0 keeps a logistic lower level
 *                              strongly convex, as WC-MHGD's theory asks)
 * @param initialRegularisation the ℓ2 weight e^{x_0} the {@link UpperVariable#REGULARISATION} variable starts from
 * @param precision             the network's batch products: float64 or float32 (every vector stays float64)
 * @param seed                  the seed of the network's initial parameters y_0
 * @param sources               the named data sets, in order
 * @param train                 the sources the lower level trains on, K ≥ 1 of them
 * @param objectives            S ≥ 1 upper objectives
 */
public record LearningSpec(Model model, UpperVariable upper, int classes, double lowerRegularisation,
                           double initialRegularisation, Precision precision, long seed, Map<String, Data> sources,
                           List<String> train, List<Objective> objectives) {

    /** Which network: one softmax regression, a ReLU/tanh MLP, or a shared trunk with one head per objective. */
    public enum ModelKind {
        LOGISTIC("logistic"), MLP("mlp"), SHARED_TRUNK("shared-trunk");

        private final String label;

        ModelKind(String label) { this.label = label; }

        public String label() { return label; }
    }

    /**
     * What the upper-level variable x is.
     * <ul>
     *   <li>{@code sample-weights}: one logit per training example (p = Σ N_k), its weight σ(x_j);</li>
     *   <li>{@code source-weights}: one logit per training source (p = K), the mixture w = softmax(x);</li>
     *   <li>{@code regularisation}: one number (p = 1), the ℓ2 weight e^x of the lower level.</li>
     * </ul>
     */
    public enum UpperVariable {
        SAMPLE_WEIGHTS("sample-weights"), SOURCE_WEIGHTS("source-weights"), REGULARISATION("regularisation");

        private final String label;

        UpperVariable(String label) { this.label = label; }

        public String label() { return label; }
    }

    /**
     * @param kind       logistic, mlp or shared-trunk
     * @param hidden     the trunk's layer widths: none for logistic, at least one otherwise
     * @param activation the trunk's nonlinearity
     */
    public record Model(ModelKind kind, int[] hidden, Activation activation) {
        public Model {
            Objects.requireNonNull(kind, "model.kind");
            Objects.requireNonNull(activation, "model.activation");
            hidden = hidden.clone();
            if (kind == ModelKind.LOGISTIC && hidden.length > 0) {
                throw new InvalidInputException("model.hidden", Arrays.toString(hidden), "[] for a logistic model (no hidden layers)");
            }
            if (kind != ModelKind.LOGISTIC && hidden.length == 0) {
                throw new InvalidInputException("model.hidden", "[]", "at least one layer width for an " + kind.label() + " model");
            }
            for (int i = 0; i < hidden.length; i++) Checks.atLeast("model.hidden[" + i + "]", hidden[i], 1);
        }

        @Override public int[] hidden() { return hidden.clone(); }

        @Override
        public boolean equals(Object o) {
            return o instanceof Model m && m.kind == kind && Arrays.equals(m.hidden, hidden) && m.activation == activation;
        }

        @Override
        public int hashCode() {
            return Objects.hash(kind, Arrays.hashCode(hidden), activation);
        }

        @Override
        public String toString() {
            return kind.label() + Arrays.toString(hidden) + " " + activation.label();
        }
    }

    /** Where a data source's examples are. */
    public sealed interface Data permits Csv, Idx {}

    /**
     * Examples in a CSV file.
     *
     * @param file   the file (relative paths are resolved against the problem file's directory when loaded)
     * @param layout its header, label column, feature columns and separator
     */
    public record Csv(Path file, CsvFormat.Layout layout) implements Data {}

    /**
     * Images and labels in the IDX format of MNIST (gzipped or not), pixels scaled to [0, 1].
     *
     * @param images the IDX image file (magic 2051)
     * @param labels the IDX label file (magic 2049)
     */
    public record Idx(Path images, Path labels) implements Data {}

    /**
     * One upper objective: the mean cross-entropy of the model (its head s, for a shared trunk) on a source.
     *
     * @param name   shown in tables and reports
     * @param source the validation source
     * @param train  for a shared trunk: the training sources of this objective's head (empty: all of {@code train});
     *               must be empty for one-head models, whose one head trains on every training source
     */
    public record Objective(String name, String source, List<String> train) {
        public Objective {
            train = List.copyOf(train);
        }
    }

    public LearningSpec {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(upper, "upper");
        Objects.requireNonNull(precision, "precision");
        Checks.atLeast("classes", classes, 2);
        Checks.nonNegative("lower-regularisation", lowerRegularisation);
        Checks.positive("initial-regularisation", initialRegularisation);
        Checks.finite("initial-regularisation", initialRegularisation);
        sources = new LinkedHashMap<>(sources);
        train = List.copyOf(train);
        objectives = List.copyOf(objectives);
        if (sources.isEmpty()) throw new InvalidInputException("sources", "{}", "at least one named data source");
        if (train.isEmpty()) throw new InvalidInputException("train", "[]", "at least one training source of " + sources.keySet());
        Set<String> seen = new HashSet<>();
        for (int k = 0; k < train.size(); k++) {
            known("train[" + k + "]", train.get(k), sources);
            if (!seen.add(train.get(k))) throw new InvalidInputException("train[" + k + "]", train.get(k), "each source once");
        }
        if (upper == UpperVariable.SOURCE_WEIGHTS && train.size() < 2) {
            throw new InvalidInputException("train", train, "at least 2 training sources to weigh (upper = source-weights)");
        }
        if (objectives.isEmpty()) throw new InvalidInputException("objectives", "[]", "at least one objective");
        Set<String> names = new HashSet<>();
        for (int s = 0; s < objectives.size(); s++) {
            Objective o = objectives.get(s);
            String at = "objectives[" + s + "]";
            if (o.name() == null || o.name().isBlank()) throw new InvalidInputException(at + ".name", o.name(), "a name");
            if (!names.add(o.name())) throw new InvalidInputException(at + ".name", o.name(), "a name no other objective has");
            known(at + ".source", o.source(), sources);
            if (model.kind() != ModelKind.SHARED_TRUNK && !o.train().isEmpty()) {
                throw new InvalidInputException(at + ".train", o.train(), "no per-objective training sources: a "
                        + model.kind().label() + " model has one head, trained on every source of `train`; use model.kind = "
                        + "shared-trunk for one head per objective");
            }
            for (int k = 0; k < o.train().size(); k++) {
                if (!train.contains(o.train().get(k))) {
                    throw new InvalidInputException(at + ".train[" + k + "]", o.train().get(k), "one of the training sources " + train);
                }
            }
        }
    }

    /** The training sources of objective s's head (all of {@link #train} unless it names its own). */
    public List<String> trainOf(int objective) {
        List<String> own = objectives.get(objective).train();
        return own.isEmpty() ? train : own;
    }

    /** The number of network heads: S for a shared trunk, else 1. */
    public int heads() {
        return model.kind() == ModelKind.SHARED_TRUNK ? objectives.size() : 1;
    }

    /** "mlp[16] relu, x = sample-weights, 2 sources, S = 2". */
    public String describe() {
        return String.format(Locale.ROOT, "learning: %s, x = %s, %d training source(s), S = %d, %s", model, upper.label(),
                train.size(), objectives.size(), precision.label());
    }

    private static void known(String field, String name, Map<String, Data> sources) {
        if (name == null || !sources.containsKey(name)) {
            throw new InvalidInputException(field, name, "one of the sources " + new ArrayList<>(sources.keySet()));
        }
    }
}
