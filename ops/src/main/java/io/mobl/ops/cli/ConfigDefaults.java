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
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Gives every command-line option its default from mobl's configuration, so that one precedence holds for all
 * of them: an option on the command line, then {@code --set}, then the {@code --config} file, then
 * {@code reference.conf}. The mapping is by name, not by a list kept in Java, so that an option added later
 * reads its key as soon as the key is in {@code reference.conf}: {@code --NAME} reads the key under
 * {@code mobl} whose path with dots written as dashes is NAME, or is NAME once its first part is dropped
 * ({@code --metrics-port} = {@code mobl.metrics.port}, {@code --iterations} = {@code mobl.algorithm.iterations}).
 * The exceptions stand in {@code mobl-cli.options} of {@code reference.conf}.
 *
 * <p>A key whose value is {@code ""}, {@code []} or {@code auto} gives no default: the option keeps its own
 * (usually "not given", so the command decides). Lists are handed over comma-separated, as the options take
 * them ({@code --preference 0.3,0.7}).
 */
public final class ConfigDefaults implements IDefaultValueProvider {
    static final String ALIASES = "mobl-cli.options";

    private final MoblConfig config;
    private final Map<String, List<String>> keysByName;
    private final Map<String, String> aliases;
    private final Map<ArgSpec, String> supplied = new ConcurrentHashMap<>();

    private ConfigDefaults(MoblConfig config) {
        this.config = config;
        this.aliases = aliases(config.effective());
        this.keysByName = keysByName(config.effective());
    }

    /** Validates the layers ({@link MoblConfig#load}) and maps options onto the result. */
    static ConfigDefaults load(Optional<Path> configFile, Map<String, String> overrides) {
        return new ConfigDefaults(MoblConfig.load(configFile, overrides));
    }

    /** The validated configuration behind the defaults. */
    MoblConfig config() {
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
        if (key.isEmpty() || !config.effective().hasPath(key.get())) return null;
        String text = text(config.effective().getValue(key.get()));
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
        String alias = aliases.get(command.isEmpty() ? option : command + " " + option);
        if (alias == null) alias = aliases.get(option);
        if (alias != null) return alias.isEmpty() ? Optional.empty() : Optional.of(alias);
        if (!option.startsWith("--")) return Optional.empty();
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
            ConfigValue value = config.effective().getValue(entry.getValue());
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

    /** Every leaf key under {@code mobl}, by the names an option may give it. */
    private static Map<String, List<String>> keysByName(Config effective) {
        Map<String, List<String>> byName = new HashMap<>();
        collect(effective.getObject("mobl"), new ArrayList<>(), byName);
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
