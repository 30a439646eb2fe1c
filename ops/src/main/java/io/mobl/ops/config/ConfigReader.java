package io.mobl.ops.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.mobl.protocol.InvalidInputException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Strict, typed reads of a resolved {@link Config}. Unlike {@code Config.getInt} it never truncates 3.7 to 3
 * nor accepts "1.5d" or NaN; every failure is an {@link InvalidInputException} naming the full key, the value,
 * what is allowed and where the value was set. A value that came from a command-line option (its origin is
 * {@link #OPTION_ORIGIN} + the option's name) fails naming the option instead, as the user typed it.
 *
 * <p>Every read records what the key may be ({@link #expectations()}), so that a test can list the keys that were
 * read and probe each one's range through the command line.
 */
final class ConfigReader {
    /** The origin description of a value given as a command-line option, followed by the option's name. */
    static final String OPTION_ORIGIN = "command-line option ";

    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m)");

    private final Config config;
    private final Map<String, String> expectations = new LinkedHashMap<>();

    ConfigReader(Config config) {
        this.config = config;
    }

    /** Every key read so far, with what it may be ("an integer in [1, 64]", "one of cg, ns", ...). */
    Map<String, String> expectations() {
        return Collections.unmodifiableMap(expectations);
    }

    /** A string matching {@code pattern}; numbers given for a string key are taken as their text. */
    String string(String path, Pattern pattern, String expected) {
        ConfigValue value = value(path, expected);
        if (value.valueType() != ConfigValueType.STRING && value.valueType() != ConfigValueType.NUMBER) {
            throw fail(path, value, expected);
        }
        String text = String.valueOf(value.unwrapped());
        if (!pattern.matcher(text).matches()) throw fail(path, value, expected);
        return text;
    }

    /** One of the names of {@code values}, as {@code nameOf} spells them (exact case). */
    <E extends Enum<E>> E oneOf(String path, E[] values, Function<E, String> nameOf) {
        String expected = "one of " + String.join(", ", Arrays.stream(values).map(nameOf).toList());
        ConfigValue value = value(path, expected);
        if (value.valueType() == ConfigValueType.STRING) {
            for (E candidate : values) {
                if (nameOf.apply(candidate).equals(value.unwrapped())) return candidate;
            }
        }
        throw fail(path, value, expected);
    }

    long integer(String path, long min, long max) {
        String expected = "an integer in [" + min + ", " + max + "]";
        ConfigValue value = value(path, expected);
        Long parsed = switch (value.valueType()) {
            case NUMBER -> value.unwrapped() instanceof Integer || value.unwrapped() instanceof Long
                    ? ((Number) value.unwrapped()).longValue() : null;
            case STRING -> parseLong(((String) value.unwrapped()).trim());
            default -> null;
        };
        if (parsed == null || parsed < min || parsed > max) throw fail(path, value, expected);
        return parsed;
    }

    int integer(String path, int min, int max) {
        return (int) integer(path, (long) min, (long) max);
    }

    /** A finite number in [min, max]. */
    double number(String path, double min, double max, String expected) {
        ConfigValue value = value(path, expected);
        OptionalDouble parsed = number(value);
        if (parsed.isEmpty() || !(parsed.getAsDouble() >= min && parsed.getAsDouble() <= max)) {
            throw fail(path, value, expected);
        }
        return parsed.getAsDouble();
    }

    /** A positive duration written 500ms, 30s or 2m (the command line's form; HOCON's own forms too). */
    Duration duration(String path) {
        String expected = "a positive duration such as 500ms, 30s or 2m";
        ConfigValue value = value(path, expected);
        if (value.valueType() == ConfigValueType.STRING) {
            var match = DURATION.matcher(((String) value.unwrapped()).trim().toLowerCase(Locale.ROOT));
            if (match.matches()) {
                double amount = Double.parseDouble(match.group(1));
                double millis = switch (match.group(2)) {
                    case "ms" -> amount;
                    case "s" -> amount * 1_000;
                    default -> amount * 60_000;
                };
                if (millis >= 1) return Duration.ofMillis(Math.round(millis));
            }
        }
        throw fail(path, value, expected);
    }

    /**
     * A list of names, each one of {@code allowed}, written as a HOCON list or (from the command line)
     * comma-separated; at least one. A wrong entry fails naming the list as it was written and the entry.
     */
    List<String> names(String path, List<String> allowed) {
        return names(path, allowed, "one or more of " + String.join(", ", allowed));
    }

    /** {@link #names(String, List)}, with what the list may be told in {@code expected}. */
    List<String> names(String path, List<String> allowed, String expected) {
        ConfigValue value = value(path, expected);
        List<String> names = new ArrayList<>();
        if (value instanceof ConfigList list) {
            for (ConfigValue item : list) names.add(String.valueOf(item.unwrapped()).trim());
        } else if (value.valueType() == ConfigValueType.STRING) {
            for (String part : ((String) value.unwrapped()).split(",", -1)) names.add(part.trim());
        } else {
            throw fail(path, value, expected);
        }
        if (names.isEmpty()) throw fail(path, value, expected);
        for (String name : names) {
            if (!allowed.contains(name)) {
                throw fail(path, value, expected + (name.isEmpty() ? " (an entry is empty)" : " (" + name + " is not one of them)"));
            }
        }
        return List.copyOf(names);
    }

    /** A list of strings, written as a HOCON list or (from the command line) comma-separated; may be empty. */
    List<String> strings(String path) {
        String expected = "a list, e.g. [a, b] (or a,b)";
        ConfigValue value = value(path, expected);
        List<String> items = new ArrayList<>();
        if (value instanceof ConfigList list) {
            for (ConfigValue item : list) {
                if (item.valueType() == ConfigValueType.OBJECT || item.valueType() == ConfigValueType.LIST) {
                    throw fail(path, value, expected);
                }
                items.add(String.valueOf(item.unwrapped()).trim());
            }
        } else if (value.valueType() == ConfigValueType.STRING) {
            String text = ((String) value.unwrapped()).trim();
            if (!text.isEmpty()) for (String part : text.split(",", -1)) items.add(part.trim());
        } else {
            throw fail(path, value, expected);
        }
        return List.copyOf(items);
    }

    /** A TCP port: 1..65535, or -1 for any free port. */
    int port(String path) {
        String expected = "a port in 1..65535, or -1 for any free port";
        ConfigValue value = value(path, expected);
        Long parsed = value.valueType() == ConfigValueType.NUMBER && (value.unwrapped() instanceof Integer || value.unwrapped() instanceof Long)
                ? Long.valueOf(((Number) value.unwrapped()).longValue())
                : value.valueType() == ConfigValueType.STRING ? parseLong(((String) value.unwrapped()).trim()) : null;
        if (parsed == null || !(parsed == -1 || (parsed >= 1 && parsed <= 65535))) throw fail(path, value, expected);
        return parsed.intValue();
    }

    /** A finite number strictly greater than zero. */
    double positive(String path) {
        String expected = "a finite number > 0";
        ConfigValue value = value(path, expected);
        OptionalDouble parsed = number(value);
        if (parsed.isEmpty() || !(parsed.getAsDouble() > 0) || !Double.isFinite(parsed.getAsDouble())) {
            throw fail(path, value, expected);
        }
        return parsed.getAsDouble();
    }

    /** A finite number ≥ 0. */
    double nonNegative(String path) {
        String expected = "a finite number >= 0";
        ConfigValue value = value(path, expected);
        OptionalDouble parsed = number(value);
        if (parsed.isEmpty() || !(parsed.getAsDouble() >= 0) || !Double.isFinite(parsed.getAsDouble())) {
            throw fail(path, value, expected);
        }
        return parsed.getAsDouble();
    }

    /** A finite number > 0, or the word {@code auto} (empty). */
    OptionalDouble positiveOrAuto(String path) {
        String expected = "a finite number > 0, or auto";
        ConfigValue value = value(path, expected);
        if (value.valueType() == ConfigValueType.STRING && value.unwrapped().equals("auto")) {
            return OptionalDouble.empty();
        }
        OptionalDouble parsed = number(value);
        if (parsed.isEmpty() || !(parsed.getAsDouble() > 0) || !Double.isFinite(parsed.getAsDouble())) {
            throw fail(path, value, expected);
        }
        return parsed;
    }

    /** A list of finite numbers, written as a HOCON list or (from the command line) as "0.3,0.7". */
    double[] numbers(String path) {
        String expected = "a list of finite numbers, e.g. [0.3, 0.7]";
        ConfigValue value = value(path, expected);
        if (value instanceof ConfigList list) {
            double[] numbers = new double[list.size()];
            for (int i = 0; i < numbers.length; i++) {
                OptionalDouble parsed = number(list.get(i));
                if (parsed.isEmpty() || !Double.isFinite(parsed.getAsDouble())) {
                    throw fail(path + "[" + i + "]", list.get(i), "a finite number");
                }
                numbers[i] = parsed.getAsDouble();
            }
            return numbers;
        }
        if (value.valueType() == ConfigValueType.STRING) {
            String text = ((String) value.unwrapped()).trim();
            if (text.isEmpty()) return new double[0];
            String[] parts = text.split(",", -1);
            double[] numbers = new double[parts.length];
            for (int i = 0; i < parts.length; i++) {
                String part = parts[i].trim();
                if (!DECIMAL.matcher(part).matches()) throw fail(path, value, expected);
                numbers[i] = Double.parseDouble(part);
                if (!Double.isFinite(numbers[i])) throw fail(path, value, expected);
            }
            return numbers;
        }
        throw fail(path, value, expected);
    }

    /** Whether the value is the plain string {@code text}. */
    boolean isString(String path, String text) {
        ConfigValue value = config.hasPath(path) ? config.getValue(path) : null;
        return value != null && value.valueType() == ConfigValueType.STRING && value.unwrapped().equals(text);
    }

    /** An {@link InvalidInputException} for {@code path}, with the value as written and where it was set. */
    InvalidInputException fail(String path, String expected) {
        return fail(path, config.hasPath(path) ? config.getValue(path) : null, expected);
    }

    /** " (set at origin)" for the value at {@code path} when a user set it; empty otherwise. */
    String where(String path) {
        return config.hasPath(path) ? where(config.getValue(path)) : "";
    }

    static InvalidInputException fail(String path, ConfigValue value, String expected) {
        if (value == null) return new InvalidInputException(path, "null", expected);
        String option = option(value);
        if (option != null) return new InvalidInputException(option, String.valueOf(value.unwrapped()), expected);
        return new InvalidInputException(path, render(value), expected + where(value));
    }

    /**
     * A failure of a check made on the value at {@code path} by other code (field = the path, or an entry of it,
     * "path[1]"), told the way {@link #fail} tells its own: naming the option when the value came from one, else
     * with where the value was set.
     */
    InvalidInputException relabel(String path, InvalidInputException failure) {
        ConfigValue value = config.hasPath(path) ? config.getValue(path) : null;
        String option = value == null ? null : option(value);
        String field = failure.field();
        if (option != null && field != null && field.startsWith(path)) {
            return new InvalidInputException(option + field.substring(path.length()), failure.value(), failure.expected());
        }
        return new InvalidInputException(field, failure.value(), failure.expected() + (value == null ? "" : where(value)));
    }

    /** How the value at {@code path} is named to the user: its option when it came from one, else the key. */
    String name(String path) {
        ConfigValue value = config.hasPath(path) ? config.getValue(path) : null;
        String option = value == null ? null : option(value);
        return option != null ? option : path;
    }

    /** The option that gave the value, or null when a file, --set or reference.conf did. */
    static String option(ConfigValue value) {
        String origin = value.origin() == null ? null : value.origin().description();
        return origin != null && origin.startsWith(OPTION_ORIGIN) ? origin.substring(OPTION_ORIGIN.length()) : null;
    }

    /** " (set at origin)" for values a user wrote in a file or with --set; empty for mobl's own defaults and options. */
    static String where(ConfigValue value) {
        String origin = value.origin() == null ? null : value.origin().description();
        if (origin == null || origin.contains("reference.conf") || origin.startsWith(OPTION_ORIGIN)) return "";
        return " (set at " + origin + ")";
    }

    static String render(ConfigValue value) {
        if (value.valueType() == ConfigValueType.STRING) return "\"" + value.unwrapped() + "\"";
        return value.render(ConfigRenderOptions.concise());
    }

    private ConfigValue value(String path, String expected) {
        expectations.put(path, expected);
        if (!config.hasPath(path)) {
            throw new InvalidInputException(path, config.hasPathOrNull(path) ? "null" : "(missing)", expected);
        }
        return config.getValue(path);
    }

    private static OptionalDouble number(ConfigValue value) {
        if (value.valueType() == ConfigValueType.NUMBER) {
            return OptionalDouble.of(((Number) value.unwrapped()).doubleValue());
        }
        if (value.valueType() == ConfigValueType.STRING) {
            String text = ((String) value.unwrapped()).trim().toLowerCase(Locale.ROOT);
            if (DECIMAL.matcher(text).matches()) return OptionalDouble.of(Double.parseDouble(text));
        }
        return OptionalDouble.empty();
    }

    private static Long parseLong(String text) {
        if (!INTEGER.matcher(text).matches()) return null;
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException tooLong) {
            return null;
        }
    }
}
