package io.mobl.ops.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.mobl.core.data.CsvFormat;
import io.mobl.core.model.Activation;
import io.mobl.core.model.Precision;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.learning.LearningProblem;
import io.mobl.core.problem.learning.LearningSpec;
import io.mobl.core.problem.quadratic.QuadraticProblemFile;
import io.mobl.protocol.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A problem file ({@code --problem-file F.conf} or {@code F.json}: HOCON or JSON, the same keys), of either type:
 * <ul>
 *   <li>{@code type = quadratic}: the quadratic family, {@link QuadraticProblemFile}'s keys;</li>
 *   <li>{@code type = learning}: a {@link LearningProblem} from named data sources:</li>
 * </ul>
 * <pre>
 *   type = learning
 *   classes = 3                      # C ≥ 2: labels are 0..C−1
 *   upper = sample-weights           # sample-weights | source-weights | regularisation
 *   model { kind = mlp, hidden = [16], activation = relu }   # logistic | mlp | shared-trunk; relu | tanh
 *   lower-regularisation = 1e-3      # μ ≥ 0 (default 1e-3)
 *   initial-regularisation = 0.01    # e^{x_0} for upper = regularisation (default 0.01)
 *   precision = float64              # float64 | float32 (default float64)
 *   seed = 1                         # y_0's seed (default 1)
 *   sources {
 *     a  { format = csv, file = "a.csv" }        # header = true, label = "label", features = [] (all others), delimiter = ","
 *     va { format = idx, images = "va-images.idx.gz", labels = "va-labels.idx.gz" }
 *   }
 *   train = [a, b]                   # the lower level's sources
 *   objectives = [ { name = first, source = va }, { name = second, source = vb, train = [b] } ]
 * </pre>
 * Relative data paths are read from the problem file's directory. An unknown key, a missing one or a bad value
 * stops at start, naming its path ({@code sources.a.delimiter}, {@code objectives[1].train[0]}), the value as
 * written, what is allowed and where in the file it was set.
 */
public final class ProblemFile {
    private static final Set<String> TOP = Set.of("type", "classes", "upper", "model", "lower-regularisation",
            "initial-regularisation", "precision", "seed", "sources", "train", "objectives");
    private static final Set<String> MODEL = Set.of("kind", "hidden", "activation");
    private static final Set<String> CSV = Set.of("format", "file", "header", "label", "features", "delimiter");
    private static final Set<String> IDX = Set.of("format", "images", "labels");
    private static final Set<String> OBJECTIVE = Set.of("name", "source", "train");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final Pattern ANY = Pattern.compile("(?s).+");

    /** The defaults of the optional keys of {@code type = learning}. */
    static final double DEFAULT_LOWER_REGULARISATION = 1e-3;
    static final double DEFAULT_INITIAL_REGULARISATION = 0.01;
    static final long DEFAULT_SEED = 1;

    private ProblemFile() {}

    /** Reads and builds the problem of a file (its data too, for a learning problem). */
    public static BilevelProblem read(Path file) {
        Config config = parse(file);
        String type = new ConfigReader(config).string("type", Pattern.compile("quadratic|learning"), "quadratic or learning");
        if (type.equals("quadratic")) {
            return QuadraticProblemFile.parse(config.root().render(ConfigRenderOptions.concise()));
        }
        Path directory = file.toAbsolutePath().getParent();
        return LearningProblem.load(learning(config), directory);
    }

    /** The typed spec of a {@code type = learning} file's text (HOCON or JSON), without reading its data. */
    public static LearningSpec learning(String text, ConfigSyntax syntax) {
        return learning(parseText(text, syntax));
    }

    static LearningSpec learning(Config config) {
        ConfigReader read = new ConfigReader(config);
        known("", config.root(), TOP);
        if (!read.isString("type", "learning")) throw read.fail("type", "learning");
        int classes = read.integer("classes", 2, 1_000_000);
        LearningSpec.UpperVariable upper = read.oneOf("upper", LearningSpec.UpperVariable.values(),
                LearningSpec.UpperVariable::label);
        LearningSpec.Model model = model(config);
        double mu = config.hasPath("lower-regularisation") ? read.nonNegative("lower-regularisation") : DEFAULT_LOWER_REGULARISATION;
        double initial = config.hasPath("initial-regularisation") ? read.positive("initial-regularisation")
                : DEFAULT_INITIAL_REGULARISATION;
        Precision precision = config.hasPath("precision")
                ? read.oneOf("precision", Precision.values(), Precision::label) : Precision.FLOAT64;
        long seed = config.hasPath("seed") ? read.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE) : DEFAULT_SEED;
        Map<String, LearningSpec.Data> sources = sources(config);
        List<String> train = names(config, "train");
        List<LearningSpec.Objective> objectives = objectives(config);
        return new LearningSpec(model, upper, classes, mu, initial, precision, seed, sources, train, objectives);
    }

    private static LearningSpec.Model model(Config config) {
        ConfigObject object = object(config, "model");
        known("model.", object, MODEL);
        Config model = object.toConfig();
        ConfigReader read = new ConfigReader(model);
        LearningSpec.ModelKind kind = prefixed("model.", () -> read.oneOf("kind", LearningSpec.ModelKind.values(),
                LearningSpec.ModelKind::label));
        int[] hidden = new int[0];
        if (model.hasPath("hidden")) {
            double[] widths = prefixed("model.", () -> read.numbers("hidden"));
            hidden = new int[widths.length];
            for (int i = 0; i < widths.length; i++) {
                if (widths[i] != Math.rint(widths[i]) || widths[i] < 1 || widths[i] > 1_000_000) {
                    throw ConfigReader.fail("model.hidden[" + i + "]", ((ConfigList) model.getValue("hidden")).get(i),
                            "a layer width, an integer in [1, 1000000]");
                }
                hidden[i] = (int) widths[i];
            }
        }
        Activation activation = model.hasPath("activation")
                ? prefixed("model.", () -> read.oneOf("activation", Activation.values(), Activation::label)) : Activation.RELU;
        return new LearningSpec.Model(kind, hidden, activation);
    }

    private static Map<String, LearningSpec.Data> sources(Config config) {
        ConfigObject all = object(config, "sources");
        Map<String, LearningSpec.Data> sources = new LinkedHashMap<>();
        for (String name : new TreeSet<>(all.keySet())) {
            String at = "sources." + name;
            if (!NAME.matcher(name).matches()) {
                throw new InvalidInputException(at, name, "a source name of letters, digits, '.', '_' and '-'");
            }
            ConfigObject source = object(all.toConfig(), quoted(name), at);
            Config c = source.toConfig();
            ConfigReader read = new ConfigReader(c);
            String format = prefixed(at + ".", () -> read.string("format", Pattern.compile("csv|idx"), "csv or idx"));
            if (format.equals("csv")) {
                known(at + ".", source, CSV);
                boolean header = !c.hasPath("header") || bool(c, "header", at + ".header");
                Optional<String> label = c.hasPath("label")
                        ? Optional.of(prefixed(at + ".", () -> read.string("label", ANY, "a column name or position"))) : Optional.empty();
                List<String> features = c.hasPath("features") ? names(c, "features", at + ".features", ANY) : List.of();
                char delimiter = ',';
                if (c.hasPath("delimiter")) {
                    String text = prefixed(at + ".", () -> read.string("delimiter", Pattern.compile("(?s)."), "one character"));
                    delimiter = text.charAt(0);
                }
                Path file = Path.of(prefixed(at + ".", () -> read.string("file", ANY, "the CSV file's path")));
                char separator = delimiter;
                CsvFormat.Layout layout = prefixed(at + ".", () -> new CsvFormat.Layout(header, label, features, separator));
                sources.put(name, new LearningSpec.Csv(file, layout));
            } else {
                known(at + ".", source, IDX);
                Path images = Path.of(prefixed(at + ".", () -> read.string("images", ANY, "the IDX image file's path")));
                Path labels = Path.of(prefixed(at + ".", () -> read.string("labels", ANY, "the IDX label file's path")));
                sources.put(name, new LearningSpec.Idx(images, labels));
            }
        }
        return sources; // by name: HOCON objects have no order (the training order is `train`'s)
    }

    private static List<LearningSpec.Objective> objectives(Config config) {
        if (!config.hasPath("objectives")) throw new InvalidInputException("objectives", "(missing)", "a list of {name, source}");
        ConfigValue value = config.getValue("objectives");
        if (!(value instanceof ConfigList list)) {
            throw ConfigReader.fail("objectives", value, "a list of {name, source[, train]} objects");
        }
        List<LearningSpec.Objective> objectives = new ArrayList<>();
        for (int s = 0; s < list.size(); s++) {
            String at = "objectives[" + s + "]";
            if (!(list.get(s) instanceof ConfigObject object)) {
                throw ConfigReader.fail(at, list.get(s), "an object {name, source[, train]}");
            }
            known(at + ".", object, OBJECTIVE);
            Config c = object.toConfig();
            ConfigReader read = new ConfigReader(c);
            String name = prefixed(at + ".", () -> read.string("name", NAME, "a name of letters, digits, '.', '_' and '-'"));
            String source = prefixed(at + ".", () -> read.string("source", NAME, "the name of a source"));
            List<String> train = c.hasPath("train") ? names(c, "train", at + ".train", NAME) : List.of();
            objectives.add(new LearningSpec.Objective(name, source, train));
        }
        return objectives;
    }

    private static List<String> names(Config config, String path) {
        return names(config, path, path, NAME);
    }

    private static List<String> names(Config config, String path, String field, Pattern pattern) {
        if (!config.hasPath(path)) throw new InvalidInputException(field, "(missing)", "a list of names");
        ConfigValue value = config.getValue(path);
        if (!(value instanceof ConfigList list)) throw ConfigReader.fail(field, value, "a list of names, e.g. [a, b]");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            ConfigValue item = list.get(i);
            String text = item.valueType() == ConfigValueType.STRING || item.valueType() == ConfigValueType.NUMBER
                    ? String.valueOf(item.unwrapped()) : null;
            if (text == null || !pattern.matcher(text).matches()) throw ConfigReader.fail(field + "[" + i + "]", item, "a name");
            names.add(text);
        }
        return names;
    }

    private static ConfigObject object(Config config, String path) {
        return object(config, path, path);
    }

    private static ConfigObject object(Config config, String path, String field) {
        if (!config.hasPath(path)) throw new InvalidInputException(field, "(missing)", "an object { … }");
        ConfigValue value = config.getValue(path);
        if (!(value instanceof ConfigObject object)) throw ConfigReader.fail(field, value, "an object { … }");
        return object;
    }

    private static boolean bool(Config config, String path, String field) {
        ConfigValue value = config.getValue(path);
        if (value.valueType() == ConfigValueType.BOOLEAN) return (Boolean) value.unwrapped();
        throw ConfigReader.fail(field, value, "true or false");
    }

    /** Rejects a key of {@code object} that is not in {@code allowed}, naming its full path and the allowed keys. */
    private static void known(String prefix, ConfigObject object, Set<String> allowed) {
        for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
            if (!allowed.contains(entry.getKey())) {
                throw ConfigReader.fail(prefix + entry.getKey(), entry.getValue(),
                        "one of the keys " + new TreeSet<>(allowed) + " (this key is unknown)");
            }
        }
    }

    /** Runs a read of a nested object's key, putting the object's path in front of the key an error names. */
    private static <T> T prefixed(String prefix, java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (InvalidInputException e) {
            if (e.field().startsWith(prefix)) throw e;
            throw new InvalidInputException(prefix + e.field(), e.value(), e.expected());
        }
    }

    private static String quoted(String key) {
        return "\"" + key + "\"";
    }

    private static Config parse(Path file) {
        if (!Files.isRegularFile(file)) throw new InvalidInputException("problem-file", file, "an existing problem file (.json or .conf: JSON or HOCON)");
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        ConfigSyntax syntax = name.endsWith(".json") ? ConfigSyntax.JSON : ConfigSyntax.CONF;
        try {
            return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setSyntax(syntax).setAllowMissing(false))
                    .resolve();
        } catch (ConfigException e) {
            throw new InvalidInputException("problem-file", file, "valid " + (syntax == ConfigSyntax.JSON ? "JSON" : "HOCON")
                    + " (" + e.getMessage() + ")");
        }
    }

    private static Config parseText(String text, ConfigSyntax syntax) {
        try {
            return ConfigFactory.parseString(text, ConfigParseOptions.defaults().setSyntax(syntax)).resolve();
        } catch (ConfigException e) {
            throw new InvalidInputException("problem-file", "text", "valid " + syntax + " (" + e.getMessage() + ")");
        }
    }
}
