package io.mobl.ops.config;

import com.typesafe.config.Config;
import io.mobl.streams.kafka.TopicNames;
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
 * @param baselines  the parameters of the algorithms other than WC-MHGD (FORUM's ρ, WC-Penalty's schedule)
 * @param stochastic stochastic WC-MHGD's batches and data (Alg. 2/3)
 * @param continuous {@code run --continuous}'s publishing and in-process producer
 * @param checkpoints how often a run checkpoints and where its journals go
 * @param demo       {@code mobl demo}'s smaller run
 * @param produce    {@code mobl produce}'s data set and pace
 * @param compare    {@code mobl compare}'s algorithms and budget
 * @param report     {@code mobl report}'s picture and Kafka wait
 * @param experiments the real-data experiments' seeds, outputs and choices
 * @param node       {@code mobl node}'s cluster membership (checked further by {@code NodeSettings})
 * @param effective  the merged, resolved configuration (user layers over every {@code reference.conf} on the
 *                   class path); hand it to {@code ActorSystem.create} so that a {@code pekko} block takes effect
 * @param keys       every key that was read, with what it may be ({@code "an integer in [1, 64]"}): the keys a test
 *                   checks against reference.conf and the command line
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
        Baselines baselines,
        Stochastic stochastic,
        Continuous continuous,
        Checkpoints checkpoints,
        Demo demo,
        Produce produce,
        Compare compare,
        Report report,
        Experiments experiments,
        Node node,
        Config effective,
        Map<String, String> keys) {

    /** Top-level blocks a user's file or overrides may hold. */
    public static final Set<String> ROOTS = Set.of("mobl", "pekko");

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final Pattern TOPIC = Pattern.compile("(?!\\.{1,2}$)[A-Za-z0-9._-]{1,249}");
    private static final Pattern ANY_TEXT = Pattern.compile("(?s).*");
    private static final Pattern NON_BLANK = Pattern.compile("(?s).*\\S.*");
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
        Objects.requireNonNull(baselines, "baselines");
        Objects.requireNonNull(stochastic, "stochastic");
        Objects.requireNonNull(continuous, "continuous");
        Objects.requireNonNull(checkpoints, "checkpoints");
        Objects.requireNonNull(demo, "demo");
        Objects.requireNonNull(produce, "produce");
        Objects.requireNonNull(compare, "compare");
        Objects.requireNonNull(report, "report");
        Objects.requireNonNull(experiments, "experiments");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(effective, "effective");
        keys = Map.copyOf(keys);
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
        return load(configFile, overrides, List.of());
    }

    /**
     * One value given on the command line, for the top layer: {@code key} as the option reads it, the option's
     * {@code name} ("--objectives"), and its {@code text} as typed (list options comma-separated).
     */
    public record OptionValue(String key, String name, String text) {
        public OptionValue {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * {@link #load(Optional, Map)} with the command line's options as the top layer, so that what an option gives
     * passes the very checks its key does (one range per input) and the typed tree holds the values in force; a
     * wrong value fails naming the option ({@code --objectives = 65: expected an integer in [1, 64]}).
     */
    public static MoblConfig load(Optional<Path> configFile, Map<String, String> overrides, List<OptionValue> options) {
        Objects.requireNonNull(configFile, "configFile");
        Objects.requireNonNull(overrides, "overrides");
        Objects.requireNonNull(options, "options");
        Config optionLayer = ConfigFactory.empty("command line");
        for (OptionValue option : options) {
            optionLayer = optionLayer.withValue(option.key(),
                    ConfigValueFactory.fromAnyRef(option.text(), ConfigReader.OPTION_ORIGIN + option.name()));
        }
        Config overrideLayer = parseOverrides(overrides);
        Config fileLayer = configFile.map(MoblConfig::parseFile).orElse(ConfigFactory.empty());
        return load(ConfigFactory.defaultReferenceUnresolved(), optionLayer.withFallback(overrideLayer.withFallback(fileLayer)));
    }

    /** Validates {@code user} (command line, --set and file, in that order) over {@code reference}. */
    static MoblConfig load(Config reference, Config user) {
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
        } catch (ConfigException.Missing e) {
            var missing = Pattern.compile("key '(?:mobl\\.actors\\.)?([A-Za-z0-9-]+)'").matcher(e.getMessage());
            throw new InvalidInputException(missing.find() ? "mobl.actors." + missing.group(1) : "mobl.actors", "(missing)",
                    "a value (a key of the actor runtime: see actors/src/main/resources/reference.conf)");
        } catch (ConfigException e) {
            var at = Pattern.compile("at '(?:mobl\\.actors\\.)?([A-Za-z0-9-]+)'").matcher(e.getMessage());
            String key = at.find() ? "mobl.actors." + at.group(1) : null;
            ConfigValue value = key != null && merged.hasPath(key) ? merged.getValue(key) : null;
            throw value == null
                    ? new InvalidInputException("mobl.actors", e.getMessage(), "settings the actor runtime can read")
                    : ConfigReader.fail(key, value, "a duration such as 30s, 5m or 7d (or an integer where one is asked)");
        }
    }

    /**
     * The topic names for the run {@code run} (the demo's, say) rather than {@link #run()}: the data topics
     * follow the run as reference.conf's {@code mobl.<run>.lower/upper} do, unless a user named them; the shared
     * topics are the same for every run.
     *
     * @throws InvalidInputException when {@code run} is not a run name
     */
    public TopicNames topicsFor(String run) {
        if (run == null || !NAME.matcher(run).matches()) {
            throw new InvalidInputException("run", run, "letters, digits, '.', '_' or '-', 1 to 100 characters");
        }
        Config reference = ConfigFactory.defaultReferenceUnresolved()
                .withValue("mobl.run", ConfigValueFactory.fromAnyRef(run)).resolve();
        TopicNames t = kafka.topics();
        return new TopicNames(followsRun("mobl.kafka.topics.lower") ? reference.getString("mobl.kafka.topics.lower") : t.lower(),
                followsRun("mobl.kafka.topics.upper") ? reference.getString("mobl.kafka.topics.upper") : t.upper(),
                t.telemetry(), t.pareto(), t.control(), t.checkpoints(), t.dlq());
    }

    private boolean followsRun(String key) {
        var origin = effective.getValue(key).origin();
        return origin != null && origin.description() != null && origin.description().contains("reference.conf");
    }

    /**
     * How the value of {@code key} is named to the user: the option that gave it ("--preference"), or the key
     * itself when a file, --set or reference.conf did.
     */
    public String nameOf(String key) {
        return new ConfigReader(effective).name(key);
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
                          int objectives, OracleSet oracles) {
        public Problem {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(oracles, "oracles");
        }

        /** A problem with all its oracles. */
        public Problem(ProblemType type, Optional<Path> file, long seed, int upperDim, int lowerDim, int objectives) {
            this(type, file, seed, upperDim, lowerDim, objectives, OracleSet.ALL);
        }
    }

    /**
     * FORUM's ρ and WC-Penalty's schedule η = η₀K^(−1/4), u = v = c₀K^(1/4), and the minibatches of its stochastic
     * variant.
     *
     * @param rho          FORUM's ρ &gt; 0 of the dynamic barrier
     * @param penaltyStep  η₀ &gt; 0; empty = auto (η = 1/L_P derived from the problem, {@code StepSizes})
     * @param penaltyScale c₀ &gt; 0
     * @param penaltyBatch lower-level rows per minibatch of wc-penalty-stochastic
     * @param penaltySeed  the seed of its draws
     */
    public record Baselines(double rho, OptionalDouble penaltyStep, double penaltyScale, int penaltyBatch, long penaltySeed) {}

    /**
     * Stochastic WC-MHGD (Alg. 2/3) on the built-in stochastic quadratic problem.
     *
     * @param batchSize     samples per batch (|𝒯_t|, |𝒟_G|, |𝒟_F^s|)
     * @param neumannSteps  Q, the terms of Alg. 3's Neumann series
     * @param minibatchRows samples per minibatch of the data source
     * @param noise         standard deviation of the gradient noise, ≥ 0
     */
    public record Stochastic(int batchSize, int neumannSteps, int minibatchRows, double noise) {}

    /**
     * @param paretoEvery publish the current Pareto point every this many iterations
     * @param rate        minibatches per second of the in-process producer ({@code --produce})
     */
    public record Continuous(int paretoEvery, double rate) {}

    /**
     * @param every     N: checkpoint before every N-th iteration and at the end; 0: no checkpoints (unless the run
     *                  is resumed, which keeps its journal up to date at the end)
     * @param directory where the synchronous runtime's file journals go: {@code directory/RUN/PREFERENCE/}
     */
    public record Checkpoints(int every, Path directory) {
        /** Whether a run writes checkpoints. */
        public boolean enabled() {
            return every > 0;
        }
    }

    /**
     * The streaming demo's run: its name, K, and stochastic WC-MHGD's D, batch size, Q and minibatch rows; produce
     * writes minibatches in the proportion these read them.
     */
    public record Demo(String run, int iterations, int lowerIterations, int batchSize, int neumannSteps, int minibatchRows) {}

    /**
     * @param dataset        "synthetic", or one or more of "mnist", "fashion-mnist" (one objective each)
     * @param trainSize      training images per data set of the hyper-cleaning split
     * @param validationSize first validation images per data set
     * @param corruption     fraction of training labels replaced by another class, in [0, 1)
     * @param count          minibatches to write (without --loop)
     * @param rate           at most this many minibatches per second; 0: no limit
     */
    public record Produce(List<String> dataset, int trainSize, int validationSize, double corruption, long count,
                          double rate, ProduceFormat format) {
        public static final List<String> DATASETS = List.of("synthetic", "mnist", "fashion-mnist");

        public Produce {
            dataset = List.copyOf(dataset);
        }

        public boolean synthetic() {
            return dataset.equals(List.of("synthetic"));
        }
    }

    /**
     * @param algorithms the algorithms side by side (names as {@code mobl.algorithm.name} spells them)
     * @param budget     K, outer iterations for every algorithm and run
     * @param points     N, runs per algorithm
     * @param startSeed  seed of the starting points
     * @param out        the JSON table's file
     */
    public record Compare(List<String> algorithms, int budget, int points, long startSeed, Path out) {
        public static final List<String> ALGORITHMS = List.of("wc-mhgd", "wc-penalty", "wc-penalty-stochastic", "forum",
                "moml", "moco", "linear-scalarisation", "mgda");

        public Compare {
            algorithms = List.copyOf(algorithms);
            Objects.requireNonNull(out, "out");
        }
    }

    /**
     * @param width              one panel's width in pixels
     * @param height             its height
     * @param kafkaTimeoutSeconds how long the broker may take to answer and hand over a topic
     */
    public record Report(int width, int height, int kafkaTimeoutSeconds) {}

    /**
     * A cluster member's seeds (host:port), discovery method (empty: none), canonical host and port, roles and Pekko
     * Management port, as the keys give them; {@code io.mobl.ops.cluster.NodeSettings} checks how they go together
     * (seeds or discovery, not both; the seeds' syntax; the roles' names).
     */
    public record Node(List<String> seedNodes, String discoveryMethod, String host, int port, List<String> roles,
                       int managementPort) {
        public Node {
            seedNodes = List.copyOf(seedNodes);
            roles = List.copyOf(roles);
        }
    }

    /** The real-data experiments ({@code mobl experiment ...}). */
    public record Experiments(HyperCleaning hyperCleaning, StochasticHyperCleaning stochasticHyperCleaning,
                              DataMixture dataMixture) {}

    /**
     * The FORUM paper's hyper-cleaning (§5.1).
     *
     * @param methods cg, ns (WC-MHGD's options), moml, forum, swc (stochastic WC-MHGD), forum-stochastic and
     *                moml-stochastic (the FORUM paper's minibatch FORUM and MOML)
     * @param sweep   preferences in the Pareto sweep: 0 (none) or at least 2
     */
    public record HyperCleaning(int seeds, Path out, List<String> methods, Model model, Dtype dtype, int sweep) {
        /** The deterministic methods of the experiment, swc, and the FORUM paper's minibatch methods. */
        public static final List<String> METHODS = java.util.stream.Stream.of(
                io.mobl.core.experiment.HyperCleaningSettings.METHODS.stream(), java.util.stream.Stream.of("swc"),
                io.mobl.core.experiment.MinibatchHyperCleaningRun.METHODS.stream())
                .flatMap(m -> m).toList();

        public HyperCleaning {
            methods = List.copyOf(methods);
        }
    }

    /** The WC-MHGD paper's stochastic hyper-cleaning at five corruption rates (§6 b). */
    public record StochasticHyperCleaning(int seeds, Path out, Model model) {}

    /**
     * Data-mixture curation.
     *
     * @param methods wc-penalty, and cg or ns (WC-MHGD's options)
     */
    public record DataMixture(int seeds, Path out, List<String> methods) {
        public static final List<String> METHODS = io.mobl.core.experiment.DataMixtureSettings.METHODS;

        public DataMixture {
            methods = List.copyOf(methods);
        }
    }

    /** Whether a problem shows all its oracles or hides the second-order ones (HV(g), JV(g)). */
    public enum OracleSet {
        ALL, FIRST_ORDER;

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** The experiments' lower-level model: one logistic regression per task, or the paper's MLP. */
    /**
     * What {@code mobl produce} writes for an image data set: mobl's binary minibatches (the FORUM hyper-cleaning
     * split, one-hot labels), or ordinary per-example JSON records of the stochastic hyper-cleaning problem, which
     * {@code mobl experiment stochastic-hyper-cleaning --bootstrap-servers} trains on.
     */
    public enum ProduceFormat {
        BATCHES, RECORDS;

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public enum Model {
        LOGISTIC, MLP;

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The number format of the network's batch products. */
    public enum Dtype {
        FLOAT64, FLOAT32;

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
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

    /**
     * {@code count} preference vectors spread over the simplex (how is the sweep's business).
     *
     * @param chosen whether a user asked for this sweep (false: reference.conf's, so a command that runs one
     *               preference by nature, {@code run --continuous}, may take its own)
     */
    public record Sweep(int count, boolean chosen) implements PreferencePlan {
        public Sweep(int count) {
            this(count, false);
        }
    }

    /**
     * @param bootstrapServers host:port pairs; empty = start the embedded broker
     * @param topics           topic names
     * @param batchTimeout     how long a run waits for one minibatch before it ends
     * @param partitions       partitions of a run's data topics when mobl creates them
     */
    public record Kafka(List<String> bootstrapServers, TopicNames topics, java.time.Duration batchTimeout, int partitions) {
        public Kafka {
            bootstrapServers = List.copyOf(bootstrapServers);
            Objects.requireNonNull(topics, "topics");
            Objects.requireNonNull(batchTimeout, "batchTimeout");
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
        WC_MHGD, WC_PENALTY, WC_PENALTY_STOCHASTIC, FORUM, MOML, MOCO, LINEAR_SCALARISATION, MGDA;

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
        // instanceof, not valueType(): either side may still hold a ${substitution} (topics.lower does)
        boolean userObject = user instanceof ConfigObject;
        boolean referenceObject = reference instanceof ConfigObject;
        if (referenceObject && !userObject) {
            if (isNull(user)) return; // reported when the typed value is read
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

    private static boolean isNull(ConfigValue value) {
        try {
            return value.valueType() == ConfigValueType.NULL;
        } catch (ConfigException.NotResolved substitution) {
            return false;
        }
    }

    private static MoblConfig validate(Config merged, Config user) {
        ConfigReader read = new ConfigReader(merged);
        String run = read.string("mobl.run", NAME, "letters, digits, '.', '_' or '-', 1 to 100 characters");

        ProblemType type = read.oneOf("mobl.problem.type", ProblemType.values(), ProblemType::configName);
        String fileText = read.string("mobl.problem.file", ANY_TEXT, "a path, or empty");
        if (!fileText.isEmpty() && !user.hasPath("mobl.problem.type")) type = ProblemType.FILE; // a file names the problem
        Optional<Path> file = Optional.empty();
        if (type == ProblemType.FILE) {
            if (fileText.isBlank()) {
                throw read.fail("mobl.problem.file", "the path of a readable problem file (mobl.problem.type = file)");
            }
            Path path = path(read, "mobl.problem.file", fileText);
            if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                throw read.fail("mobl.problem.file", "a readable problem file, an existing problem file (.json or .conf; relative paths start at "
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
                read.integer("mobl.problem.objectives", 2, 64),
                read.oneOf("mobl.problem.oracles", OracleSet.values(), OracleSet::configName));

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

        Baselines baselines = new Baselines(
                read.positive("mobl.algorithm.rho"),
                read.positiveOrAuto("mobl.algorithm.penalty-step"),
                read.positive("mobl.algorithm.penalty-scale"),
                read.integer("mobl.algorithm.penalty-batch", 1, 1_000_000),
                read.integer("mobl.algorithm.penalty-seed", Long.MIN_VALUE, Long.MAX_VALUE));

        PreferencePlan preferences = preferences(read, user, problem);
        RuntimeMode runtime = read.oneOf("mobl.runtime", RuntimeMode.values(), RuntimeMode::configName);
        Stochastic stochastic = new Stochastic(
                read.integer("mobl.stochastic.batch-size", 1, 1_000_000),
                read.integer("mobl.stochastic.neumann-steps", 1, 1_000_000),
                read.integer("mobl.stochastic.minibatch-rows", 1, 1_000_000),
                read.number("mobl.stochastic.noise", 0, Double.MAX_VALUE, "a finite number >= 0"));
        Continuous continuous = new Continuous(
                read.integer("mobl.continuous.pareto-every", 1, 100_000_000),
                read.number("mobl.continuous.rate", Double.MIN_VALUE, Double.MAX_VALUE, "a finite number > 0"));
        Checkpoints checkpoints = new Checkpoints(read.integer("mobl.checkpoint.every", 0, 100_000_000),
                path(read, "mobl.checkpoint.dir", read.string("mobl.checkpoint.dir", NON_BLANK, "a directory path")));
        Kafka kafka = new Kafka(bootstrapServers(read), topics(read), read.duration("mobl.kafka.batch-timeout"),
                read.integer("mobl.kafka.partitions", 1, 1000));
        String host = read.string("mobl.metrics.host", Pattern.compile("[A-Za-z0-9.:-]+|\\[[0-9A-Fa-f:.]+]"),
                "a host name or IP address, e.g. 127.0.0.1 (0.0.0.0 exposes metrics on every interface)");
        Metrics metrics = new Metrics(host,
                read.integer("mobl.metrics.port", -1, 65535));
        String outputText = read.string("mobl.output", ANY_TEXT, "a file path, or empty");
        if (!outputText.isEmpty() && outputText.isBlank()) throw read.fail("mobl.output", "a file path, or empty");
        Optional<Path> output = outputText.isEmpty() ? Optional.empty()
                : Optional.of(path(read, "mobl.output", outputText));

        Demo demo = new Demo(
                read.string("mobl.demo.run", NAME, "letters, digits, '.', '_' or '-', 1 to 100 characters"),
                read.integer("mobl.demo.iterations", 1, 100_000_000),
                read.integer("mobl.demo.lower-iterations", 1, 1_000_000),
                read.integer("mobl.demo.batch-size", 1, 1_000_000),
                read.integer("mobl.demo.neumann-steps", 1, 1_000_000),
                read.integer("mobl.demo.minibatch-rows", 1, 1_000_000));
        Produce produce = new Produce(
                read.names("mobl.produce.dataset", Produce.DATASETS,
                        "synthetic, or one or more of mnist, fashion-mnist separated by commas"),
                read.integer("mobl.produce.train-size", 1, 1_000_000),
                read.integer("mobl.produce.validation-size", 1, 1_000_000),
                read.number("mobl.produce.corruption", 0, Math.nextDown(1.0), "a number in [0, 1)"),
                read.integer("mobl.produce.count", 1, 1_000_000_000_000_000L),
                read.number("mobl.produce.rate", 0, Double.MAX_VALUE, "a finite number >= 0 (0: as fast as the broker takes them)"),
                read.oneOf("mobl.produce.format", ProduceFormat.values(), ProduceFormat::configName));
        if (produce.dataset().size() > 1 && produce.dataset().contains("synthetic")) {
            throw read.fail("mobl.produce.dataset", "synthetic alone, or one or more of mnist, fashion-mnist");
        }
        if (produce.dataset().stream().distinct().count() != produce.dataset().size()) {
            throw read.fail("mobl.produce.dataset", "each data set at most once");
        }
        Compare compare = new Compare(
                read.names("mobl.compare.algorithms", Compare.ALGORITHMS,
                        "algorithms, each one of " + String.join(", ", Compare.ALGORITHMS)),
                read.integer("mobl.compare.budget", 0, 100_000_000),
                read.integer("mobl.compare.points", 1, 1000),
                read.integer("mobl.compare.start-seed", Long.MIN_VALUE, Long.MAX_VALUE),
                path(read, "mobl.compare.out", read.string("mobl.compare.out", NON_BLANK, "a file path")));
        Report report = new Report(
                read.integer("mobl.report.width", 100, 10_000),
                read.integer("mobl.report.height", 100, 10_000),
                read.integer("mobl.report.kafka-timeout", 1, 3600));
        Experiments experiments = new Experiments(
                new HyperCleaning(seeds(read, "hyper-cleaning"), experimentOut(read, "hyper-cleaning"),
                        read.names("mobl.experiment.hyper-cleaning.methods", HyperCleaning.METHODS),
                        model(read, "hyper-cleaning"),
                        read.oneOf("mobl.experiment.hyper-cleaning.dtype", Dtype.values(), Dtype::configName),
                        experimentSweep(read)),
                new StochasticHyperCleaning(seeds(read, "stochastic-hyper-cleaning"),
                        experimentOut(read, "stochastic-hyper-cleaning"), model(read, "stochastic-hyper-cleaning")),
                new DataMixture(seeds(read, "data-mixture"), experimentOut(read, "data-mixture"),
                        read.names("mobl.experiment.data-mixture.methods", DataMixture.METHODS)));
        Node node = new Node(read.strings("mobl.node.seed-nodes"),
                read.string("mobl.node.discovery-method", ANY_TEXT, "a Pekko Discovery method name, or empty"),
                read.string("mobl.node.host", NON_BLANK, "a host name or IP address of this machine"),
                read.port("mobl.node.port"), read.strings("mobl.node.roles"), read.port("mobl.node.management-port"));
        return new MoblConfig(run, problem, algorithm, preferences, runtime, kafka, metrics, output, baselines, stochastic,
                continuous, checkpoints, demo, produce, compare, report, experiments, node, merged, read.expectations());
    }

    private static int seeds(ConfigReader read, String experiment) {
        return read.integer("mobl.experiment." + experiment + ".seeds", 1, 1000);
    }

    private static Path experimentOut(ConfigReader read, String experiment) {
        String key = "mobl.experiment." + experiment + ".out";
        return path(read, key, read.string(key, NON_BLANK, "a directory path"));
    }

    private static Model model(ConfigReader read, String experiment) {
        return read.oneOf("mobl.experiment." + experiment + ".model", Model.values(), Model::configName);
    }

    private static int experimentSweep(ConfigReader read) {
        String key = "mobl.experiment.hyper-cleaning.sweep";
        int sweep = read.integer(key, 0, 1000);
        if (sweep == 1) throw read.fail(key, "0 or an integer >= 2");
        return sweep;
    }

    private static PreferencePlan preferences(ConfigReader read, Config user, Problem problem) {
        double[] preference = read.numbers("mobl.preference");
        int sweep = read.integer("mobl.sweep", 1, 10_000);
        boolean sweepGiven = user.hasPathOrNull("mobl.sweep");
        if (preference.length > 0 && sweepGiven) {
            // an option on the command line wins over the other one from a file or --set; two options, or two keys,
            // are a mistake
            boolean preferenceOption = ConfigReader.option(user.getValue("mobl.preference")) != null;
            boolean sweepOption = ConfigReader.option(user.getValue("mobl.sweep")) != null;
            if (preferenceOption && sweepOption) {
                throw new InvalidInputException("--preference/--sweep", user.getValue("mobl.preference").unwrapped()
                        + " / " + user.getValue("mobl.sweep").unwrapped(), "one of the two, not both");
            }
            if (sweepOption) return new Sweep(sweep, true);
            if (!preferenceOption) {
                throw read.fail("mobl.sweep", "unset when mobl.preference is given: run one preference or a sweep, not both");
            }
        }
        if (preference.length == 0) return new Sweep(sweep, sweepGiven);
        if (problem.type() == ProblemType.FILE) return new Fixed(preference); // S is the file's: the command checks it
        int objectives = problem.objectives();
        if (preference.length != objectives) {
            throw read.fail("mobl.preference", "one entry per objective (" + read.name("mobl.problem.objectives")
                    + " = " + objectives + ")");
        }
        try {
            Checks.preference(read.name("mobl.preference"), preference, objectives);
        } catch (InvalidInputException e) {
            throw read.relabel("mobl.preference", e);
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

    private static TopicNames topics(ConfigReader read) {
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
        return new TopicNames(names.get("lower"), names.get("upper"), names.get("telemetry"), names.get("pareto"),
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
