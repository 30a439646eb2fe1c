package io.mobl.ops.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.mobl.protocol.InvalidInputException;

import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Strict, typed reads of a resolved {@link Config}. Unlike {@code Config.getInt} it never truncates 3.7 to 3
 * nor accepts "1.5d" or NaN; every failure is an {@link InvalidInputException} naming the full key, the value,
 * what is allowed and where the value was set.
 */
final class ConfigReader {
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private final Config config;

    ConfigReader(Config config) {
        this.config = config;
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
        String expected = "one of " + String.join(" | ", Arrays.stream(values).map(nameOf).toList());
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
        return new InvalidInputException(path, render(value), expected + where(value));
    }

    /** " (set at origin)" for values a user wrote; empty for mobl's own defaults. */
    static String where(ConfigValue value) {
        String origin = value.origin() == null ? null : value.origin().description();
        if (origin == null || origin.contains("reference.conf")) return "";
        return " (set at " + origin + ")";
    }

    static String render(ConfigValue value) {
        if (value.valueType() == ConfigValueType.STRING) return "\"" + value.unwrapped() + "\"";
        return value.render(ConfigRenderOptions.concise());
    }

    private ConfigValue value(String path, String expected) {
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
