package io.mobl.protocol;

/**
 * A user's input was wrong. Carries the field, the value and what was expected, so that the CLI can
 * print one clear line (no stack trace) and exit with status 2, and a stream can route the record to
 * the dead-letter topic with the same reason.
 */
public final class InvalidInputException extends IllegalArgumentException {
    private final String field;
    private final String value;
    private final String expected;

    public InvalidInputException(String field, Object value, String expected) {
        super(field + " = " + render(value) + ": expected " + expected);
        this.field = field;
        this.value = render(value);
        this.expected = expected;
    }

    public String field() { return field; }
    public String value() { return value; }
    public String expected() { return expected; }

    private static String render(Object value) {
        if (value instanceof double[] a) return java.util.Arrays.toString(a);
        if (value instanceof int[] a) return java.util.Arrays.toString(a);
        String s = String.valueOf(value);
        return s.length() > 120 ? s.substring(0, 117) + "..." : s;
    }
}
