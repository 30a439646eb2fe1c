package io.mobl.core.data;

import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Labelled examples from a CSV file: one example per line, its features as numbers and its class as an integer in
 * 0..C−1, in a column named by the header (or, without one, given by position). Comma-separated unless told
 * otherwise; fields are trimmed; quoted fields are not supported (and refused, naming the line). A blank line is
 * allowed only at the end of the file. Every error names the file, the line (1-based, the header being line 1),
 * the column (by number and, with a header, by name), the text found and what was expected.
 */
public final class CsvFormat {
    private CsvFormat() {}

    /**
     * How to read a file.
     *
     * @param header    whether line 1 names the columns
     * @param label     the label column: its name when there is a header, else its 1-based position as text ("5");
     *                  empty: the column named "label" with a header, the last column without one
     * @param features  the feature columns by name (header) or 1-based position; empty: every column but the label
     * @param delimiter the field separator (',' ';' '\t' …), not a quote, digit, sign, '.' or space
     */
    public record Layout(boolean header, Optional<String> label, List<String> features, char delimiter) {
        public Layout {
            features = List.copyOf(features);
            if (delimiter == '"' || delimiter == ' ' || delimiter == '.' || delimiter == '-' || delimiter == '+'
                    || Character.isLetterOrDigit(delimiter)) {
                throw new InvalidInputException("delimiter", String.valueOf(delimiter),
                        "a separator that cannot be part of a number or a name, e.g. ',', ';' or a tab");
            }
        }

        /** A header line, the column "label" and every other column as a feature, comma-separated. */
        public static Layout withHeader() {
            return new Layout(true, Optional.empty(), List.of(), ',');
        }
    }

    /**
     * @param name    the data set's name (in errors and reports)
     * @param classes C ≥ 2: labels must lie in 0..C−1
     */
    public static LabelledImages read(String name, Path file, Layout layout, int classes) {
        Checks.atLeast("classes", classes, 2);
        List<String> lines;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            lines = reader.lines().toList();
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(name + ".file", file, "an existing CSV file");
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof CharacterCodingException) {
                throw new InvalidInputException(name + ".file", file, "a UTF-8 text file");
            }
            throw e;
        } catch (IOException e) {
            throw new InvalidInputException(name + ".file", file, "a readable CSV file (" + e.getMessage() + ")");
        }
        return parse(name, file.toString(), lines, layout, classes);
    }

    /** {@link #read} on lines already in memory; {@code source} names them in errors. */
    public static LabelledImages parse(String name, String source, List<String> lines, Layout layout, int classes) {
        Checks.atLeast("classes", classes, 2);
        int last = lines.size();
        while (last > 0 && lines.get(last - 1).isBlank()) last--;
        int first = layout.header() ? 1 : 0;
        if (last <= first) {
            throw new InvalidInputException(source, layout.header() && last == 1 ? "a header and no examples" : "empty",
                    "a CSV file with " + (layout.header() ? "a header line and " : "") + "at least one example");
        }
        String delimiter = String.valueOf(layout.delimiter());
        List<String> names = layout.header() ? header(source, lines.get(0), delimiter) : null;
        int columns = names != null ? names.size() : split(source, 1, lines.get(0), delimiter).length;
        int labelColumn = labelColumn(source, layout, names, columns);
        int[] featureColumns = featureColumns(source, layout, names, columns, labelColumn);
        double[][] features = new double[last - first][];
        int[] labels = new int[last - first];
        for (int i = first; i < last; i++) {
            int lineNumber = i + 1;
            String line = lines.get(i);
            if (line.isBlank()) {
                throw new InvalidInputException(where(source, lineNumber), "a blank line", "an example (blank lines only at the end)");
            }
            String[] fields = split(source, lineNumber, line, delimiter);
            if (fields.length != columns) {
                throw new InvalidInputException(where(source, lineNumber), fields.length + " fields",
                        columns + " fields, as " + (names != null ? "the header has" : "line 1 has"));
            }
            double[] row = new double[featureColumns.length];
            for (int j = 0; j < featureColumns.length; j++) {
                int c = featureColumns[j];
                row[j] = number(source, lineNumber, c, names, fields[c]);
            }
            features[i - first] = row;
            labels[i - first] = label(source, lineNumber, labelColumn, names, fields[labelColumn], classes);
        }
        return new LabelledImages(name, features, labels, classes);
    }

    private static List<String> header(String source, String line, String delimiter) {
        String[] fields = split(source, 1, line, delimiter);
        Set<String> seen = new HashSet<>();
        for (int c = 0; c < fields.length; c++) {
            if (fields[c].isEmpty()) {
                throw new InvalidInputException(where(source, 1) + " column " + (c + 1), "an empty name", "a name for every column");
            }
            if (!seen.add(fields[c])) {
                throw new InvalidInputException(where(source, 1) + " column " + (c + 1), fields[c], "a name no other column has");
            }
        }
        return List.of(fields);
    }

    private static int labelColumn(String source, Layout layout, List<String> names, int columns) {
        if (layout.label().isEmpty()) {
            if (names == null) return columns - 1;
            int at = names.indexOf("label");
            if (at < 0) {
                throw new InvalidInputException(source + ": label column", "none named \"label\"",
                        "a column named label, or the label column named in the data set's `label` key; the columns are "
                                + names);
            }
            return at;
        }
        return column(source, "label", layout.label().get(), names, columns);
    }

    private static int[] featureColumns(String source, Layout layout, List<String> names, int columns, int labelColumn) {
        List<Integer> chosen = new ArrayList<>();
        if (layout.features().isEmpty()) {
            for (int c = 0; c < columns; c++) if (c != labelColumn) chosen.add(c);
        } else {
            for (String f : layout.features()) {
                int c = column(source, "features", f, names, columns);
                if (c == labelColumn) throw new InvalidInputException(source + ": features", f, "a column other than the label's");
                if (chosen.contains(c)) throw new InvalidInputException(source + ": features", f, "each column once");
                chosen.add(c);
            }
        }
        if (chosen.isEmpty()) throw new InvalidInputException(source + ": features", "none", "at least one feature column");
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A column by name (with a header) or by 1-based position (without). */
    private static int column(String source, String key, String reference, List<String> names, int columns) {
        if (names != null) {
            int at = names.indexOf(reference);
            if (at < 0) throw new InvalidInputException(source + ": " + key, reference, "one of the header's columns " + names);
            return at;
        }
        try {
            int position = Integer.parseInt(reference.trim());
            if (position >= 1 && position <= columns) return position - 1;
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw new InvalidInputException(source + ": " + key, reference,
                "a column position from 1 to " + columns + " (the file has no header to name columns by)");
    }

    private static String[] split(String source, int lineNumber, String line, String delimiter) {
        if (line.indexOf('"') >= 0) {
            throw new InvalidInputException(where(source, lineNumber), "a quoted field", "plain fields (quotes are not supported)");
        }
        String[] fields = line.split(java.util.regex.Pattern.quote(delimiter), -1);
        for (int i = 0; i < fields.length; i++) fields[i] = fields[i].trim();
        return fields;
    }

    private static double number(String source, int lineNumber, int column, List<String> names, String text) {
        double value;
        try {
            value = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new InvalidInputException(cell(source, lineNumber, column, names), text.isEmpty() ? "an empty field" : text,
                    "a number");
        }
        // Double.parseDouble also reads "1d", "0x1p3", "NaN" and "Infinity": only plain decimals are features
        if (!Double.isFinite(value) || !text.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
            throw new InvalidInputException(cell(source, lineNumber, column, names), text, "a finite decimal number");
        }
        return value;
    }

    private static int label(String source, int lineNumber, int column, List<String> names, String text, int classes) {
        int value;
        try {
            value = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new InvalidInputException(cell(source, lineNumber, column, names), text.isEmpty() ? "an empty field" : text,
                    "a class index, an integer in 0.." + (classes - 1));
        }
        if (value < 0 || value >= classes) {
            throw new InvalidInputException(cell(source, lineNumber, column, names), text, "a class index in 0.." + (classes - 1));
        }
        return value;
    }

    private static String where(String source, int lineNumber) {
        return source + ":" + lineNumber;
    }

    private static String cell(String source, int lineNumber, int column, List<String> names) {
        return where(source, lineNumber) + " column " + (column + 1) + (names == null ? "" : " (" + names.get(column) + ")");
    }
}
