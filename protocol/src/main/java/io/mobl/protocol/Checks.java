package io.mobl.protocol;

/** Validation at the point where a value enters; each failure names field, value and expectation. */
public final class Checks {
    private Checks() {}

    public static double[] finite(String field, double[] values) {
        if (values == null) throw new InvalidInputException(field, null, "an array of finite numbers");
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new InvalidInputException(field + "[" + i + "]", values[i], "a finite number");
            }
        }
        return values;
    }

    public static double finite(String field, double value) {
        if (!Double.isFinite(value)) throw new InvalidInputException(field, value, "a finite number");
        return value;
    }

    public static double positive(String field, double value) {
        if (!(value > 0) || !Double.isFinite(value)) throw new InvalidInputException(field, value, "a finite number > 0");
        return value;
    }

    public static double nonNegative(String field, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) throw new InvalidInputException(field, value, "a finite number >= 0");
        return value;
    }

    public static int atLeast(String field, int value, int min) {
        if (value < min) throw new InvalidInputException(field, value, "an integer >= " + min);
        return value;
    }

    public static double[] length(String field, double[] values, int expected) {
        if (values == null || values.length != expected) {
            throw new InvalidInputException(field, values == null ? null : "length " + values.length,
                    "length " + expected);
        }
        return values;
    }

    /**
     * A preference vector must lie in the open simplex: every entry finite and strictly positive, summing
     * to 1 within 1e-9. It is never rescaled silently.
     */
    public static double[] preference(String field, double[] preference, int objectives) {
        length(field, preference, objectives);
        finite(field, preference);
        double sum = 0;
        for (int i = 0; i < preference.length; i++) {
            if (!(preference[i] > 0)) {
                throw new InvalidInputException(field + "[" + i + "]", preference[i],
                        "a strictly positive entry (the preference must lie in the open simplex)");
            }
            sum += preference[i];
        }
        if (Math.abs(sum - 1.0) > 1e-9) {
            throw new InvalidInputException(field, preference, "entries summing to 1 (they sum to " + sum + ")");
        }
        return preference;
    }
}
