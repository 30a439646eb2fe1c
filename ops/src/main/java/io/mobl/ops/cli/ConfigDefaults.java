package io.mobl.ops.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.mobl.ops.config.MoblConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Gives every command-line option its default from mobl's configuration, so that one precedence holds for all
 * of them: an option on the command line, then {@code --set}, then the {@code --config} file, then
 * {@code reference.conf}, the only place a default is written (options declare none). The mapping is by name,
 * not by a list kept in Java, so that an option added later reads its key as soon as the key is in
 * {@code reference.conf}: {@code --NAME} of the subcommand CMD reads {@code mobl.CMD.NAME} when that key exists
 * ({@code compare --budget} = {@code mobl.compare.budget}, {@code experiment hyper-cleaning --seeds} =
 * {@code mobl.experiment.hyper-cleaning.seeds}, else {@code mobl.experiment.seeds}); otherwise the key under
 * {@code mobl}, outside the subcommands' own blocks, whose path with dots written as dashes is NAME, or is NAME once
 * its first part is dropped ({@code --metrics-port} = {@code mobl.metrics.port}, {@code --iterations} =
 * {@code mobl.algorithm.iterations}). The exceptions stand in {@code mobl-cli.options} of {@code reference.conf}.
 *
 * <p>A key whose value is {@code ""}, {@code []} or {@code auto} gives no default: the option keeps its own
 * (usually "not given", so the command decides). Lists are handed over comma-separated, as the options take
 * them ({@code --preference 0.3,0.7}).
 *
 * <p>Once the command line is parsed, {@link #resolve} puts what it gave on top of the layers and validates the
 * whole again: an option passes its key's checks (one range per input), and {@link #config()} is then the typed
 * tree of the values in force, which commands read.
 */
public final class ConfigDefaults implements IDefaultValueProvider {
    static final String ALIASES = "mobl-cli.options";

    private final Optional<Path> configFile;
    private final Map<String, String> overrides;
    private final MoblConfig defaults;
    private volatile MoblConfig resolved;
    private final Set<String> scopes;
    private final Map<String, List<String>> keysByName;
    private final Map<String, String> aliases;
    private final Map<ArgSpec, String> supplied = new ConcurrentHashMap<>();

    private ConfigDefaults(Optional<Path> configFile, Map<String, String> overrides, Set<String> commands) {
        this.configFile = configFile;
        this.overrides = Map.copyOf(overrides);
        this.defaults = MoblConfig.load(configFile, overrides);
        this.resolved = defaults;
        this.aliases = aliases(defaults.effective());
        this.scopes = scopes(defaults.effective(), commands);
        this.keysByName = keysByName(defaults.effective(), scopes);
    }

    /** Validates the layers ({@link MoblConfig#load}) and maps the options of mobl's subcommands onto the result. */
    static ConfigDefaults load(Optional<Path> configFile, Map<String, String> overrides) {
        return new ConfigDefaults(configFile, overrides, Main.subcommandNames());
    }

    /**
     * The validated configuration in force: after {@link #resolve}, with the command line's options on top; before,
     * the file, --set and reference.conf alone.
     */
    MoblConfig config() {
        return resolved;
    }

    /**
     * Puts every option the command line gave (at every level: {@code mobl --config f run --iterations 3}) that
     * reads a key on top of the configuration, validates it all once more and keeps the result as {@link #config()}.
     *
     * @throws io.mobl.protocol.InvalidInputException naming the option (or the key) whose value is not allowed
     */
    MoblConfig resolve(CommandLine.ParseResult parsed) {
        List<MoblConfig.OptionValue> given = new ArrayList<>();
        for (CommandLine.ParseResult level = parsed; level != null; level = level.subcommand()) {
            for (OptionSpec option : level.matchedOptions()) {
                if (option.originalStringValues().isEmpty()) continue;
                Optional<String> key = keyOf(commandName(option), option.longestName());
                if (key.isEmpty()) continue;
                given.add(new MoblConfig.OptionValue(key.get(), option.longestName(),
                        String.join(",", option.originalStringValues())));
            }
        }
        MoblConfig config = MoblConfig.load(configFile, overrides, given);
        resolved = config;
        return config;
    }

    /** The defaults in force for {@code commandLine} (a subcommand's, too). */
    static ConfigDefaults of(CommandLine commandLine) {
        if (commandLine.getDefaultValueProvider() instanceof ConfigDefaults defaults) return defaults;
        throw new IllegalStateException("mobl's commands run through Main.execute, which sets ConfigDefaults");
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) return null;
        Optional<String> key = keyOf(commandName(option), option.longestName());
        if (key.isEmpty() || !defaults.effective().hasPath(key.get())) return null;
        String text = text(defaults.effective().getValue(key.get()));
        if (text != null) supplied.put(arg, key.get());
        return text;
    }

    /**
     * The key an option reads, if any.
     *
     * @param command the subcommand's name as typed after {@code mobl} ("run"), or "" for {@code mobl} itself
     * @param option  the option's long name with its dashes ("--iterations")
     * @throws IllegalStateException when two keys fit the name: reference.conf must then list the option in
     *                               {@code mobl-cli.options}
     */
    Optional<String> keyOf(String command, String option) {
        String alias = null;
        for (String scope = command; alias == null && !scope.isEmpty(); scope = parent(scope)) {
            alias = aliases.get(scope + " " + option);
        }
        if (alias == null) alias = aliases.get(option);
        if (alias != null) return alias.isEmpty() ? Optional.empty() : Optional.of(alias);
        if (!option.startsWith("--")) return Optional.empty();
        Config effective = defaults.effective();
        for (String scope = command; !scope.isEmpty(); scope = parent(scope)) {
            String block = "mobl." + scope.replace(' ', '.');
            String key = block + "." + option.substring(2);
            if (isObject(effective, block) && effective.hasPath(key)) return Optional.of(key);
        }
        List<String> keys = keysByName.getOrDefault(option.substring(2), List.of());
        if (keys.size() > 1) {
            throw new IllegalStateException("option " + option + " fits the keys " + keys
                    + "; say which in " + ALIASES + " of ops/src/main/resources/reference.conf");
        }
        return keys.stream().findFirst();
    }

    /**
     * " (the value of KEY, set at ORIGIN)" when the option {@code field} names took the value that failed from the
     * configuration rather than from the command line; empty otherwise.
     */
    String origin(CommandLine.ParseResult parsed, String field) {
        if (field == null) return "";
        for (Map.Entry<ArgSpec, String> entry : supplied.entrySet()) {
            if (!(entry.getKey() instanceof OptionSpec option) || !names(option, field)) continue;
            if (matched(parsed, option)) continue;
            ConfigValue value = defaults.effective().getValue(entry.getValue());
            String origin = value.origin() == null ? null : value.origin().description();
            return " (the value of " + entry.getValue()
                    + (origin == null || origin.contains("reference.conf") ? ", mobl's default" : ", set at " + origin)
                    + ")";
        }
        return "";
    }

    /** Whether {@code field} is the option's name, or an entry of it ({@code --preference[1]}). */
    private static boolean names(OptionSpec option, String field) {
        for (String name : option.names()) {
            if (field.equals(name) || field.startsWith(name + "[")) return true;
        }
        return false;
    }

    private static boolean matched(CommandLine.ParseResult parsed, OptionSpec option) {
        for (CommandLine.ParseResult level = parsed; level != null; level = level.subcommand()) {
            if (level.matchedOptions().contains(option)) return true;
        }
        return false;
    }

    /** "experiment" for "experiment hyper-cleaning", "" for "run". */
    private static String parent(String command) {
        int space = command.lastIndexOf(' ');
        return space < 0 ? "" : command.substring(0, space);
    }

    private static boolean isObject(Config config, String path) {
        try {
            return config.hasPath(path) && config.getValue(path).valueType() == ConfigValueType.OBJECT;
        } catch (com.typesafe.config.ConfigException.BadPath notAPath) {
            return false;
        }
    }

    /** The blocks under mobl named after a subcommand: that subcommand's own keys, read by no other's options. */
    private static Set<String> scopes(Config effective, Set<String> commands) {
        Set<String> scopes = new TreeSet<>();
        for (String command : commands) if (isObject(effective, "mobl." + command)) scopes.add(command);
        return scopes;
    }

    private static String commandName(OptionSpec option) {
        if (option.command() == null) return "";
        String qualified = option.command().qualifiedName(" ");
        int space = qualified.indexOf(' ');
        return space < 0 ? "" : qualified.substring(space + 1);
    }

    /** The option's default as picocli reads it, or null for "no default". */
    private static String text(ConfigValue value) {
        if (value instanceof ConfigList list) {
            if (list.isEmpty()) return null;
            return list.stream().map(item -> String.valueOf(item.unwrapped())).collect(Collectors.joining(","));
        }
        if (value.valueType() == ConfigValueType.NULL || value.valueType() == ConfigValueType.OBJECT) return null;
        String text = String.valueOf(value.unwrapped());
        return text.isEmpty() || text.equals("auto") ? null : text;
    }

    private static Map<String, String> aliases(Config effective) {
        Map<String, String> aliases = new HashMap<>();
        if (!effective.hasPath(ALIASES)) return aliases;
        for (Map.Entry<String, ConfigValue> entry : effective.getObject(ALIASES).entrySet()) {
            String key = String.valueOf(entry.getValue().unwrapped());
            if (!key.isEmpty() && !effective.hasPath(key)) {
                throw new IllegalStateException(ALIASES + " maps " + entry.getKey() + " to " + key
                        + ", which reference.conf does not define");
            }
            aliases.put(entry.getKey(), key);
        }
        return aliases;
    }

    /** Every leaf key under {@code mobl} outside the subcommands' blocks, by the names an option may give it. */
    private static Map<String, List<String>> keysByName(Config effective, Set<String> scopes) {
        Map<String, List<String>> byName = new HashMap<>();
        ConfigObject mobl = effective.getObject("mobl");
        for (String scope : scopes) mobl = mobl.withoutKey(scope);
        collect(mobl, new ArrayList<>(), byName);
        return byName;
    }

    private static void collect(ConfigObject object, List<String> path, Map<String, List<String>> byName) {
        for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
            List<String> child = new ArrayList<>(path);
            child.add(entry.getKey());
            if (entry.getValue() instanceof ConfigObject nested) {
                collect(nested, child, byName);
                continue;
            }
            String key = "mobl." + String.join(".", child);
            byName.computeIfAbsent(String.join("-", child), name -> new ArrayList<>()).add(key);
            if (child.size() > 1) {
                byName.computeIfAbsent(String.join("-", child.subList(1, child.size())), name -> new ArrayList<>())
                        .add(key);
            }
        }
    }
}
