package io.mobl.ops.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import io.mobl.actors.RuntimeSettings;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * mobl's configuration, validated and typed. Every key, its default and what it may be are documented in
 * {@code ops/src/main/resources/reference.conf}.
 *
 * <p>Load it once at start with {@link #load(Optional, Map)}: {@code --set key=value} overrides win over the
 * {@code --config} file, which wins over the defaults. Any mistake — an unknown key under {@code mobl}, a value
 * of the wrong type, a number out of range, a preference outside the open simplex — stops the run there with an
 * {@link InvalidInputException} that names the full key, the value and what is allowed (and the file and line
 * it came from).
 *
 * @param run        the run's name (metric tags, Kafka keys, per-run topic names)
 * @param problem    which problem, its dimensions and seed
 * @param algorithm  the algorithm and its parameters
 * @param preferences one preference vector, or a sweep of the simplex
 * @param runtime    actors or the synchronous loop
 * @param kafka      the broker (or the embedded one) and topic names
 * @param metrics    where the Prometheus endpoint listens
 * @param output     where Pareto points are written (JSON lines); empty: nowhere, they are only printed
 * @param effective  the merged, resolved configuration (user layers over every {@code reference.conf} on the
 *                   class path); hand it to {@code ActorSystem.create} so that a {@code pekko} block takes effect
 */
public record MoblConfig(
        String run,
        Problem problem,
        Algorithm algorithm,
        PreferencePlan preferences,
        RuntimeMode runtime,
        Kafka kafka,
        Metrics metrics,
        Optional<Path> output,
        Config effective) {

    /** Top-level blocks a user's file or overrides may hold. */
    public static final Set<String> ROOTS = Set.of("mobl", "pekko");

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final Pattern TOPIC = Pattern.compile("(?!\\.{1,2}$)[A-Za-z0-9._-]{1,249}");
    private static final Pattern ANY_TEXT = Pattern.compile("(?s).*");
    private static final Pattern BOOTSTRAP_SERVER =
            Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(\\d{1,5})");
    private static final Pattern OVERRIDE_KEY = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

    public MoblConfig {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(preferences, "preferences");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(effective, "effective");
    }

    /** The built-in defaults alone (reference.conf), validated. */
    public static MoblConfig defaults() {
        return load(Optional.empty(), Map.of());
    }

    /**
     * Loads, layers and validates the configuration.
     *
     * @param configFile a HOCON file ({@code --config}); its keys must lie under {@code mobl} (or {@code pekko})
     * @param overrides  {@code --set} pairs, full key path to value, applied in iteration order. A value is
     *                   taken as text ("200" still reads as a number, "auto" as a word); one that starts with
     *                   {@code [} or <code>{</code> is parsed as HOCON, so lists can be given as
     *                   {@code [0.3, 0.7]} (a comma-separated "0.3,0.7" also works for number lists)
     * @throws InvalidInputException on the first problem found, naming the key, the value and what is allowed
     */
    public static MoblConfig load(Optional<Path> configFile, Map<String, String> overrides) {
        Objects.requireNonNull(configFile, "configFile");
        Objects.requireNonNull(overrides, "overrides");
        Config overrideLayer = parseOverrides(overrides);
        Config fileLayer = configFile.map(MoblConfig::parseFile).orElse(ConfigFactory.empty());
        Config reference = ConfigFactory.defaultReferenceUnresolved();
        Config user = overrideLayer.withFallback(fileLayer);

        checkRoots(user);
        Config merged;
        try {
            merged = user.withFallback(reference).resolve();
        } catch (ConfigException.UnresolvedSubstitution e) {
            var substitution = Pattern.compile("\\$\\{\\??[^}]*}").matcher(e.getMessage());
            throw new InvalidInputException("substitution " + (substitution.find() ? substitution.group() : ""),
                    e.origin() == null ? e.getMessage() : e.origin().description(),
                    "a ${path} that names a key that is set");
        } catch (ConfigException e) {
            throw new InvalidInputException("configuration", e.getMessage(), "a resolvable configuration");
        }
        if (!reference.hasPath("mobl")) {
            throw new IllegalStateException("mobl's reference.conf is not on the class path: the ops jar is incomplete");
        }
        if (user.hasPathOrNull("mobl")) {
            checkKnownKeys("mobl", user.root().get("mobl"), reference.root().get("mobl"));
        }
        MoblConfig config = validate(merged, user);
        checkActorSettings(merged);
        return config;
    }

    /**
     * The actor runtime reads {@code mobl.actors} itself when it starts; read it here too, so that a bad
     * duration fails at start like every other key rather than as a stack trace once the run is under way.
     */
    private static void checkActorSettings(Config merged) {
        if (!merged.hasPath("mobl.actors")) return;
        try {
            RuntimeSettings.fromConfig(merged);
        } catch (ConfigException e) {
            var at = Pattern.compile("at '(?:mobl\\.actors\\.)?([A-Za-z0-9-]+)'").matcher(e.getMessage());
            String key = at.find() ? "mobl.actors." + at.group(1) : null;
            ConfigValue value = key != null && merged.hasPath(key) ? merged.getValue(key) : null;
            throw value == null
                    ? new InvalidInputException("mobl.actors", e.getMessage(), "settings the actor runtime can read")
                    : ConfigReader.fail(key, value, "a duration such as 30s, 5m or 7d (or an integer where one is asked)");
        }
    }

    /** The effective {@code mobl} block as HOCON, for {@code --print-config} and logs. */
    public String describe() {
        return effective.withOnlyPath("mobl").root().render(ConfigRenderOptions.defaults()
                .setOriginComments(false).setComments(false).setJson(false).setFormatted(true));
    }

    // ---------------------------------------------------------------------------------------------------------
    // The typed tree

    /**
     * What to optimise.
     *
     * @param type       built-in quadratic or a file
     * @param file       the problem file, present exactly when {@code type == FILE}
     * @param seed       seed of every random draw
     * @param upperDim   p, dimension of x
     * @param lowerDim   q, dimension of y
     * @param objectives S, number of upper-level objectives
     */
    public record Problem(ProblemType type, Optional<Path> file, long seed, int upperDim, int lowerDim,
                          int objectives) {
        public Problem {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(file, "file");
        }
    }

    /**
     * The algorithm and its parameters, named as in the papers.
     *
     * @param name            which algorithm
     * @param hypergradient   CG or Neumann series
     * @param lowerIterations D, lower-level steps per outer iteration
     * @param lowerStepSize   α; empty = auto
     * @param upperStepSize   β; empty = auto
     * @param cgSteps         N, conjugate-gradient steps per hypergradient
     * @param chebyshevWeight u &gt; 0 of Eq. (5)
     * @param iterations      K, upper-level iterations per preference
     * @param tolerance       ε, the stationarity gap at which a preference stops early
     */
    public record Algorithm(AlgorithmName name, HypergradientMethod hypergradient, int lowerIterations,
                            OptionalDouble lowerStepSize, OptionalDouble upperStepSize, int cgSteps,
                            double chebyshevWeight, int iterations, double tolerance) {
        public Algorithm {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(hypergradient, "hypergradient");
            Objects.requireNonNull(lowerStepSize, "lowerStepSize");
            Objects.requireNonNull(upperStepSize, "upperStepSize");
        }
    }

    /** Which preference vectors to run: one, or a sweep of the simplex. */
    public sealed interface PreferencePlan permits Fixed, Sweep {}

    /** One preference vector r in the open simplex. */
    public record Fixed(double[] preference) implements PreferencePlan {
        public Fixed {
            preference = preference.clone();
        }

        @Override
        public double[] preference() {
            return preference.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Fixed f && Arrays.equals(preference, f.preference);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(preference);
        }

        @Override
        public String toString() {
            return "Fixed" + Arrays.toString(preference);
        }
    }

    /** {@code count} preference vectors spread over the simplex (how is the sweep's business). */
    public record Sweep(int count) implements PreferencePlan {}

    /**
     * @param bootstrapServers host:port pairs; empty = start the embedded broker
     * @param topics           topic names
     */
    public record Kafka(List<String> bootstrapServers, Topics topics) {
        public Kafka {
            bootstrapServers = List.copyOf(bootstrapServers);
            Objects.requireNonNull(topics, "topics");
        }

        /** Whether mobl starts its own in-process broker. */
        public boolean embedded() {
            return bootstrapServers.isEmpty();
        }

        /** The list as Kafka's {@code bootstrap.servers} property wants it. */
        public String bootstrapServersProperty() {
            return String.join(",", bootstrapServers);
        }
    }

    /** Topic names (DESIGN.md §5). */
    public record Topics(String lower, String upper, String telemetry, String pareto, String control,
                         String checkpoints, String dlq) {}

    /**
     * @param host interface to bind
     * @param port 1..65535, {@code 0} = disabled, {@code -1} = any free port (see {@code MetricsServer})
     */
    public record Metrics(String host, int port) {
        public boolean enabled() {
            return port != 0;
        }
    }

    /**
     * Spelled in the configuration in lower case with dashes, as {@code --problem} takes them: the dense
     * quadratic, the structured one (memory O(p+q)), the stochastic quadratic one, the rank-deficient one (lower
     * level convex, not strongly), or a problem file.
     */
    public enum ProblemType {
        QUADRATIC, QUADRATIC_LARGE, STOCHASTIC_QUADRATIC, RANK_DEFICIENT, FILE;

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public enum AlgorithmName {
        WC_MHGD, WC_MHGD_STOCHASTIC, WC_PENALTY, WC_PENALTY_STOCHASTIC, FORUM, MOML, MOCO, LINEAR_SCALARISATION, MGDA;

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public enum HypergradientMethod {
        CG, NS;

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public enum RuntimeMode {
        ACTORS, SYNC;

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Loading

    private static Config parseOverrides(Map<String, String> overrides) {
        Config layer = ConfigFactory.empty("--set");
        for (Map.Entry<String, String> entry : overrides.entrySet()) {
            String key = entry.getKey();
            String text = entry.getValue();
            if (key == null || !OVERRIDE_KEY.matcher(key).matches()) {
                throw new InvalidInputException("--set key", key,
                        "a dotted key path such as mobl.algorithm.iterations");
            }
            if (text == null) throw new InvalidInputException("--set " + key, null, "a value after '='");
            String origin = "--set " + key + "=" + text;
            ConfigValue value;
            String trimmed = text.trim();
            if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
                try {
                    value = ConfigFactory.parseString("v = " + trimmed,
                                    ConfigParseOptions.defaults().setOriginDescription(origin)
                                            .setSyntax(ConfigSyntax.CONF))
                            .resolve().getValue("v");
                } catch (ConfigException e) {
                    throw new InvalidInputException("--set " + key, text, "a HOCON list or object: " + e.getMessage());
                }
            } else {
                value = ConfigValueFactory.fromAnyRef(text, origin);
            }
            layer = layer.withValue(key, value);
        }
        return layer;
    }

    private static Config parseFile(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new InvalidInputException("config file", file, "a readable HOCON file");
        }
        try {
            return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw new InvalidInputException("config file", file, "valid HOCON (" + e.getMessage() + ")");
        }
    }

    private static void checkRoots(Config user) {
        for (Map.Entry<String, ConfigValue> root : user.root().entrySet()) {
            if (!ROOTS.contains(root.getKey())) {
                throw new InvalidInputException(root.getKey(), ConfigReader.render(root.getValue()),
                        "keys under mobl (or a pekko block for the actor system): unknown top-level key"
                                + ConfigReader.where(root.getValue()));
            }
        }
    }

    /** Walks the user's {@code mobl} tree beside the reference's: every key must exist there, objects as objects. */
    private static void checkKnownKeys(String path, ConfigValue user, ConfigValue reference) {
        boolean userObject = user.valueType() == ConfigValueType.OBJECT;
        boolean referenceObject = reference.valueType() == ConfigValueType.OBJECT;
        if (referenceObject && !userObject) {
            if (user.valueType() == ConfigValueType.NULL) return; // reported when the typed value is read
            throw ConfigReader.fail(path, user,
                    "an object with keys " + ((ConfigObject) reference).keySet().stream().sorted().toList());
        }
        if (!referenceObject) {
            if (userObject) throw ConfigReader.fail(path, user, "a single value, not an object");
            return;
        }
        ConfigObject known = (ConfigObject) reference;
        for (Map.Entry<String, ConfigValue> child : ((ConfigObject) user).entrySet()) {
            String childPath = path + "." + child.getKey();
            ConfigValue referenceChild = known.get(child.getKey());
            if (referenceChild == null) {
                throw new InvalidInputException(childPath, ConfigReader.render(child.getValue()),
                        "a key mobl knows; this is an unknown key" + ConfigReader.where(child.getValue())
                                + ", and the keys under " + path + " are " + new TreeSet<>(known.keySet()));
            }
            checkKnownKeys(childPath, child.getValue(), referenceChild);
        }
    }

    private static MoblConfig validate(Config merged, Config user) {
        ConfigReader read = new ConfigReader(merged);
        String run = read.string("mobl.run", NAME, "letters, digits, '.', '_' or '-', 1 to 100 characters");

        ProblemType type = read.oneOf("mobl.problem.type", ProblemType.values(), ProblemType::configName);
        String fileText = read.string("mobl.problem.file", ANY_TEXT, "a path, or empty");
        Optional<Path> file = Optional.empty();
        if (type == ProblemType.FILE) {
            if (fileText.isBlank()) {
                throw read.fail("mobl.problem.file", "the path of a readable problem file (mobl.problem.type = file)");
            }
            Path path = path(read, "mobl.problem.file", fileText);
            if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                throw read.fail("mobl.problem.file", "a readable problem file (relative paths start at "
                        + Path.of("").toAbsolutePath() + ")");
            }
            file = Optional.of(path);
        } else if (!fileText.isEmpty()) {
            throw read.fail("mobl.problem.file", "empty unless mobl.problem.type = file (the quadratic problem reads no file)");
        }
        Problem problem = new Problem(type, file,
                read.integer("mobl.problem.seed", Long.MIN_VALUE, Long.MAX_VALUE),
                read.integer("mobl.problem.upper-dim", 1, 100_000_000),
                read.integer("mobl.problem.lower-dim", 1, 100_000_000),
                read.integer("mobl.problem.objectives", 2, 1000));

        Algorithm algorithm = new Algorithm(
                read.oneOf("mobl.algorithm.name", AlgorithmName.values(), AlgorithmName::configName),
                read.oneOf("mobl.algorithm.hypergradient", HypergradientMethod.values(), HypergradientMethod::configName),
                read.integer("mobl.algorithm.lower-iterations", 1, 1_000_000),
                read.positiveOrAuto("mobl.algorithm.lower-step-size"),
                read.positiveOrAuto("mobl.algorithm.upper-step-size"),
                read.integer("mobl.algorithm.cg-steps", 1, 1_000_000),
                read.positive("mobl.algorithm.chebyshev-weight"),
                read.integer("mobl.algorithm.iterations", 1, 100_000_000),
                read.positive("mobl.algorithm.tolerance"));

        PreferencePlan preferences = preferences(read, user, problem.objectives());
        RuntimeMode runtime = read.oneOf("mobl.runtime", RuntimeMode.values(), RuntimeMode::configName);
        Kafka kafka = new Kafka(bootstrapServers(read), topics(read));
        String host = read.string("mobl.metrics.host", Pattern.compile("[A-Za-z0-9.:-]+|\\[[0-9A-Fa-f:.]+]"),
                "a host name or IP address, e.g. 127.0.0.1 (0.0.0.0 exposes metrics on every interface)");
        Metrics metrics = new Metrics(host,
                read.integer("mobl.metrics.port", -1, 65535));
        String outputText = read.string("mobl.output", ANY_TEXT, "a file path, or empty");
        if (!outputText.isEmpty() && outputText.isBlank()) throw read.fail("mobl.output", "a file path, or empty");
        Optional<Path> output = outputText.isEmpty() ? Optional.empty()
                : Optional.of(path(read, "mobl.output", outputText));
        return new MoblConfig(run, problem, algorithm, preferences, runtime, kafka, metrics, output, merged);
    }

    private static PreferencePlan preferences(ConfigReader read, Config user, int objectives) {
        double[] preference = read.numbers("mobl.preference");
        int sweep = read.integer("mobl.sweep", 1, 100_000);
        if (preference.length == 0) return new Sweep(sweep);
        if (user.hasPathOrNull("mobl.sweep")) {
            throw read.fail("mobl.sweep", "unset when mobl.preference is given: run one preference or a sweep, not both");
        }
        if (preference.length != objectives) {
            throw read.fail("mobl.preference", "one entry per objective (mobl.problem.objectives = " + objectives + ")");
        }
        try {
            Checks.preference("mobl.preference", preference, objectives);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(e.field(), e.value(), e.expected() + read.where("mobl.preference"));
        }
        return new Fixed(preference);
    }

    private static List<String> bootstrapServers(ConfigReader read) {
        String expected = "empty (embedded broker) or a comma-separated list of host:port, e.g. kafka-1:9092,kafka-2:9092";
        String text = read.string("mobl.kafka.bootstrap-servers", ANY_TEXT, expected).trim();
        if (text.isEmpty()) return List.of();
        List<String> servers = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String server = part.trim();
            var match = BOOTSTRAP_SERVER.matcher(server);
            if (!match.matches()) throw read.fail("mobl.kafka.bootstrap-servers", expected);
            int port = Integer.parseInt(match.group(3));
            if (port < 1 || port > 65535) throw read.fail("mobl.kafka.bootstrap-servers", expected + " (ports 1..65535)");
            servers.add(server);
        }
        return servers;
    }

    private static Topics topics(ConfigReader read) {
        String expected = "a Kafka topic name: letters, digits, '.', '_' or '-', 1 to 249 characters, not . or ..";
        Map<String, String> names = new LinkedHashMap<>();
        for (String topic : List.of("lower", "upper", "telemetry", "pareto", "control", "checkpoints", "dlq")) {
            String path = "mobl.kafka.topics." + topic;
            String name = read.string(path, TOPIC, expected);
            for (Map.Entry<String, String> earlier : names.entrySet()) {
                if (earlier.getValue().equals(name)) {
                    throw read.fail(path, "a topic distinct from mobl.kafka.topics." + earlier.getKey()
                            + " (each topic carries one kind of record)");
                }
            }
            names.put(topic, name);
        }
        return new Topics(names.get("lower"), names.get("upper"), names.get("telemetry"), names.get("pareto"),
                names.get("control"), names.get("checkpoints"), names.get("dlq"));
    }

    private static Path path(ConfigReader read, String key, String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw read.fail(key, "a valid file path (" + e.getReason() + ")");
        }
    }
}
