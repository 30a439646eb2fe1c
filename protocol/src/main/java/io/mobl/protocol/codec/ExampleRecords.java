package io.mobl.protocol.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Ordinary records of one labelled example each, as a user's topic holds them, decoded into an {@link Example}:
 * <pre>
 *   JSON: {"features": [0.1, 2.0, …], "label": 3, "source": "a"}     (field names configurable; others ignored)
 *   CSV:  0.1,2.0,…,3                                                 (label and source columns configurable)
 * </pre>
 * An example may carry several labels (one per task, e.g. the noisy label of each corruption rate in stochastic
 * hyper-cleaning): with {@link Schema#labels()} = L &gt; 1 the JSON label field is an array of L class indices and a
 * CSV line has L consecutive label columns.
 * A pure function of the record's bytes and a {@link Schema}: every record that is not one valid example (not UTF-8,
 * not JSON or not one CSV line, a missing field, features of the wrong dimension or not all finite, a label that is
 * not a class index, an unknown source) throws a {@link RecordDecodeException} naming the field and the reason, which
 * a stream copies into the dead-letter record's {@code mobl.dlq.reason}; nothing else escapes it. The batching of
 * examples into minibatches is the streams module's.
 */
public final class ExampleRecords {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,9}");
    /** The longest record decoded (bytes): a guard against a record that would take the decoder's memory. */
    public static final int MAX_RECORD_BYTES = 16 << 20;

    private ExampleRecords() {}

    /**
     * One example.
     *
     * @param features d finite numbers
     * @param labels   its L ≥ 1 classes, each 0..C−1
     * @param source   the data source it belongs to (empty when the schema reads none)
     */
    public record Example(double[] features, int[] labels, Optional<String> source) {
        public Example {
            features = features.clone();
            labels = labels.clone();
            if (labels.length == 0) throw new InvalidInputException("labels", "none", "at least one label");
        }

        /** An example with one label. */
        public Example(double[] features, int label, Optional<String> source) {
            this(features, new int[] {label}, source);
        }

        @Override public double[] features() { return features.clone(); }

        @Override public int[] labels() { return labels.clone(); }

        /** The (first) label. */
        public int label() { return labels[0]; }

        @Override
        public boolean equals(Object o) {
            return o instanceof Example e && Arrays.equals(e.features, features) && Arrays.equals(e.labels, labels)
                    && e.source.equals(source);
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(features), Arrays.hashCode(labels), source);
        }
    }

    /** How examples are written in the records. */
    public sealed interface Format permits Json, Csv {}

    /**
     * JSON objects.
     *
     * @param features the field holding the feature array ("features")
     * @param label    the field holding the class index ("label")
     * @param source   the field holding the source's name, when records carry one ("source")
     */
    public record Json(String features, String label, Optional<String> source) implements Format {
        public Json {
            named("features-field", features);
            named("label-field", label);
            source.ifPresent(s -> named("source-field", s));
        }

        /** {"features": […], "label": n, "source": "…"}. */
        public static Json standard() {
            return new Json("features", "label", Optional.of("source"));
        }
    }

    /**
     * One CSV line per record: d feature columns and the label column (and a source column), no header, no quotes.
     *
     * @param delimiter   the separator (',' ';' '\t' …)
     * @param labelColumn the (first) label's 0-based column; −1 for the last (the last L with L labels)
     * @param sourceColumn the source's 0-based column, or −1 for none
     */
    public record Csv(char delimiter, int labelColumn, int sourceColumn) implements Format {
        public Csv {
            if (delimiter == '"' || delimiter == '.' || delimiter == '-' || delimiter == '+' || Character.isLetterOrDigit(delimiter)) {
                throw new InvalidInputException("delimiter", String.valueOf(delimiter), "a separator that is not part of a number");
            }
            if (labelColumn < -1) throw new InvalidInputException("label-column", labelColumn, "a column index >= 0, or -1 for the last");
            if (sourceColumn < -1) throw new InvalidInputException("source-column", sourceColumn, "a column index >= 0, or -1 for none");
            if (sourceColumn >= 0 && sourceColumn == labelColumn) {
                throw new InvalidInputException("source-column", sourceColumn, "a column other than the label's");
            }
        }

        /** Comma-separated, the label last, no source column. */
        public static Csv standard() {
            return new Csv(',', -1, -1);
        }
    }

    /**
     * What a valid example is.
     *
     * @param format     JSON or CSV
     * @param dimension  d ≥ 1 features
     * @param classes    C ≥ 2
     * @param sources    the source names allowed (empty: any)
     * @param labels     L ≥ 1, the labels each example carries
     */
    public record Schema(Format format, int dimension, int classes, Set<String> sources, int labels) {
        public Schema {
            Objects.requireNonNull(format, "format");
            Checks.atLeast("dimension", dimension, 1);
            Checks.atLeast("classes", classes, 2);
            Checks.atLeast("labels", labels, 1);
            sources = Set.copyOf(sources);
        }

        /** Examples with one label each. */
        public Schema(Format format, int dimension, int classes, Set<String> sources) {
            this(format, dimension, classes, sources, 1);
        }
    }

    /** Decodes one record's value, or throws {@link RecordDecodeException} saying why it is not an example. */
    public static Example decode(Schema schema, byte[] value) {
        if (value == null || value.length == 0) throw RecordDecodeException.of("empty record");
        if (value.length > MAX_RECORD_BYTES) {
            throw RecordDecodeException.of("record of " + value.length + " bytes, more than " + MAX_RECORD_BYTES);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
        } catch (CharacterCodingException e) {
            throw RecordDecodeException.of("not UTF-8 text");
        }
        return schema.format() instanceof Json json ? json(schema, json, text) : csv(schema, (Csv) schema.format(), text);
    }

    /**
     * One example as a record of the schema's format (what {@link #decode} reads back): JSON with the schema's field
     * names, or a CSV line. With {@code float32} the features are written in float precision (shorter records; they
     * decode to the same float values).
     *
     * @throws InvalidInputException when the example does not fit the schema
     */
    public static byte[] encode(Schema schema, Example example, boolean float32) {
        double[] x = example.features;
        if (x.length != schema.dimension()) throw new InvalidInputException("features", "length " + x.length, "length " + schema.dimension());
        if (example.labels.length != schema.labels()) {
            throw new InvalidInputException("labels", "length " + example.labels.length, "length " + schema.labels());
        }
        for (int y : example.labels) classIndex(schema, "labels", y);
        boolean withSource = schema.format() instanceof Json j ? j.source().isPresent() : ((Csv) schema.format()).sourceColumn() >= 0;
        if (withSource != example.source.isPresent()) {
            throw new InvalidInputException("source", example.source.orElse(null), withSource ? "a source name" : "none (the schema reads no source)");
        }
        example.source.ifPresent(name -> {
            if (name.isEmpty() || name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0 || name.indexOf('"') >= 0
                    || (schema.format() instanceof Csv c && name.indexOf(c.delimiter()) >= 0)) {
                throw new InvalidInputException("source", name, "a non-empty name without quotes, line breaks or the delimiter");
            }
        });
        if (schema.format() instanceof Json json) {
            var root = MAPPER.createObjectNode();
            var features = root.putArray(json.features());
            for (double v : x) {
                if (float32) features.add((float) v);
                else features.add(v);
            }
            if (schema.labels() == 1) {
                root.put(json.label(), example.labels[0]);
            } else {
                var labels = root.putArray(json.label());
                for (int y : example.labels) labels.add(y);
            }
            json.source().ifPresent(field -> root.put(field, example.source.get()));
            try {
                return MAPPER.writeValueAsBytes(root);
            } catch (IOException e) {
                throw new IllegalStateException("writing an example as JSON", e);
            }
        }
        Csv csv = (Csv) schema.format();
        int columns = schema.dimension() + schema.labels() + (csv.sourceColumn() >= 0 ? 1 : 0);
        int labelColumn = csv.labelColumn() < 0 ? columns - schema.labels() : csv.labelColumn();
        String[] fields = new String[columns];
        if (csv.sourceColumn() >= 0) fields[csv.sourceColumn()] = example.source.get();
        for (int c = 0; c < schema.labels(); c++) fields[labelColumn + c] = Integer.toString(example.labels[c]);
        int at = 0;
        for (int c = 0; c < columns; c++) {
            if (fields[c] == null) fields[c] = float32 ? Float.toString((float) x[at++]) : Double.toString(x[at++]);
        }
        return String.join(String.valueOf(csv.delimiter()), fields).getBytes(StandardCharsets.UTF_8);
    }

    private static Example json(Schema schema, Json format, String text) {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (IOException e) {
            String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            throw RecordDecodeException.of("not JSON: " + (message.length() > 160 ? message.substring(0, 160) : message));
        }
        if (root == null || !root.isObject()) {
            throw RecordDecodeException.of("expected a JSON object, got " + (root == null ? "nothing" : root.getNodeType()));
        }
        JsonNode features = root.get(format.features());
        if (features == null || features.isNull()) throw new RecordDecodeException(format.features(), "missing");
        if (!features.isArray()) {
            throw new RecordDecodeException(format.features(), "expected an array of " + schema.dimension() + " numbers, got "
                    + features.getNodeType());
        }
        if (features.size() != schema.dimension()) {
            throw new RecordDecodeException(format.features(), features.size() + " features, expected " + schema.dimension());
        }
        double[] x = new double[schema.dimension()];
        for (int i = 0; i < x.length; i++) {
            JsonNode f = features.get(i);
            String field = format.features() + "[" + i + "]";
            if (!f.isNumber()) throw new RecordDecodeException(field, "expected a number, got " + f.getNodeType());
            x[i] = f.asDouble();
            if (!Double.isFinite(x[i])) throw new RecordDecodeException(field, "not finite (" + f.asText() + ")");
        }
        JsonNode label = root.get(format.label());
        if (label == null || label.isNull()) throw new RecordDecodeException(format.label(), "missing");
        int[] y = new int[schema.labels()];
        if (schema.labels() == 1) {
            y[0] = jsonLabel(schema, format.label(), label);
        } else {
            if (!label.isArray() || label.size() != y.length) {
                throw new RecordDecodeException(format.label(), "expected an array of " + y.length + " class indices, got "
                        + (label.isArray() ? label.size() + " entries" : label.getNodeType().toString()));
            }
            for (int c = 0; c < y.length; c++) y[c] = jsonLabel(schema, format.label() + "[" + c + "]", label.get(c));
        }
        Optional<String> source = Optional.empty();
        if (format.source().isPresent()) {
            String field = format.source().get();
            JsonNode s = root.get(field);
            if (s == null || s.isNull()) throw new RecordDecodeException(field, "missing");
            if (!s.isTextual()) throw new RecordDecodeException(field, "expected a source name, got " + s.getNodeType());
            source = Optional.of(source(schema, field, s.asText()));
        }
        return new Example(x, y, source);
    }

    private static int jsonLabel(Schema schema, String field, JsonNode label) {
        if (!label.isIntegralNumber() || !label.canConvertToInt()) {
            throw new RecordDecodeException(field, "expected a class index, an integer in 0.." + (schema.classes() - 1)
                    + ", got " + (label.isValueNode() ? label.asText() : label.getNodeType().toString()));
        }
        return classIndex(schema, field, label.asInt());
    }

    private static Example csv(Schema schema, Csv format, String text) {
        String line = text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
                : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) throw RecordDecodeException.of("more than one line");
        if (line.indexOf('"') >= 0) throw RecordDecodeException.of("a quoted field (quotes are not supported)");
        String[] fields = line.split(Pattern.quote(String.valueOf(format.delimiter())), -1);
        int labels = schema.labels();
        int expected = schema.dimension() + labels + (format.sourceColumn() >= 0 ? 1 : 0);
        if (fields.length != expected) {
            throw RecordDecodeException.of(fields.length + " fields, expected " + expected + " (" + schema.dimension()
                    + " features, " + (labels == 1 ? "a label" : labels + " labels") + (format.sourceColumn() >= 0 ? ", a source" : "") + ")");
        }
        int labelColumn = format.labelColumn() < 0 ? expected - labels : format.labelColumn();
        boolean sourceAmongLabels = format.sourceColumn() >= labelColumn && format.sourceColumn() < labelColumn + labels;
        if (labelColumn + labels > expected || format.sourceColumn() >= expected || sourceAmongLabels) {
            throw RecordDecodeException.of("the schema's label/source columns (" + labelColumn + ", " + format.sourceColumn()
                    + ") do not fit a record of " + expected + " fields");
        }
        double[] x = new double[schema.dimension()];
        int at = 0;
        for (int c = 0; c < fields.length; c++) {
            if ((c >= labelColumn && c < labelColumn + labels) || c == format.sourceColumn()) continue;
            String f = fields[c].trim();
            String field = "column " + c;
            if (!DECIMAL.matcher(f).matches()) {
                throw new RecordDecodeException(field, f.isEmpty() ? "empty, expected a number" : "expected a number, got " + clip(f));
            }
            x[at] = Double.parseDouble(f);
            if (!Double.isFinite(x[at])) throw new RecordDecodeException(field, "not finite (" + clip(f) + ")");
            at++;
        }
        int[] y = new int[labels];
        for (int c = 0; c < labels; c++) {
            String labelText = fields[labelColumn + c].trim();
            String field = "column " + (labelColumn + c);
            if (!INTEGER.matcher(labelText).matches()) {
                throw new RecordDecodeException(field, "expected a class index, an integer in 0.."
                        + (schema.classes() - 1) + ", got " + (labelText.isEmpty() ? "nothing" : clip(labelText)));
            }
            y[c] = classIndex(schema, field, Integer.parseInt(labelText));
        }
        Optional<String> source = format.sourceColumn() < 0 ? Optional.empty()
                : Optional.of(source(schema, "column " + format.sourceColumn(), fields[format.sourceColumn()].trim()));
        return new Example(x, y, source);
    }

    private static int classIndex(Schema schema, String field, int label) {
        if (label < 0 || label >= schema.classes()) {
            throw new RecordDecodeException(field, "class " + label + ", expected 0.." + (schema.classes() - 1));
        }
        return label;
    }

    private static String source(Schema schema, String field, String name) {
        if (name.isEmpty()) throw new RecordDecodeException(field, "an empty source name");
        if (!schema.sources().isEmpty() && !schema.sources().contains(name)) {
            throw new RecordDecodeException(field, "unknown source " + clip(name) + ", expected one of " + schema.sources());
        }
        return name;
    }

    private static void named(String field, String name) {
        if (name == null || name.isEmpty()) throw new InvalidInputException(field, name, "a field name");
    }

    private static String clip(String text) {
        return text.length() > 40 ? text.substring(0, 37) + "..." : text;
    }
}
