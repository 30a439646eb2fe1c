package io.mobl.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mobl.protocol.codec.ExampleRecords.Csv;
import io.mobl.protocol.codec.ExampleRecords.Example;
import io.mobl.protocol.codec.ExampleRecords.Json;
import io.mobl.protocol.codec.ExampleRecords.Schema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Ordinary example records, JSON and CSV: what decodes, and that every malformed one is refused with a reason. */
class ExampleRecordsTest {
    static final Schema JSON = new Schema(Json.standard(), 3, 4, Set.of("a", "b"));
    static final Schema CSV = new Schema(new Csv(',', -1, 0), 3, 4, Set.of("a", "b"));

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aValidRecordDecodesInEitherFormatWithConfiguredNames() {
        Example expected = new Example(new double[] {0.5, -2, 3e-3}, 3, Optional.of("b"));
        assertThat(ExampleRecords.decode(JSON, bytes("{\"features\":[0.5,-2,3e-3],\"label\":3,\"source\":\"b\",\"extra\":1}")))
                .isEqualTo(expected);
        assertThat(ExampleRecords.decode(CSV, bytes("b, 0.5,-2 ,3e-3,3\n"))).isEqualTo(expected);
        Schema renamed = new Schema(new Json("x", "y", Optional.empty()), 2, 2, Set.of());
        assertThat(ExampleRecords.decode(renamed, bytes("{\"x\":[1,2],\"y\":0}")))
                .isEqualTo(new Example(new double[] {1, 2}, 0, Optional.empty()));
        Schema semicolons = new Schema(new Csv(';', 0, -1), 2, 2, Set.of());
        assertThat(ExampleRecords.decode(semicolons, bytes("1;7;8"))).isEqualTo(new Example(new double[] {7, 8}, 1, Optional.empty()));
    }

    @Test
    void anExampleMayCarryOneLabelPerTask() {
        Schema json = new Schema(new Json("features", "label", Optional.empty()), 2, 10, Set.of(), 3);
        assertThat(ExampleRecords.decode(json, bytes("{\"features\":[1,2],\"label\":[3,0,9]}")).labels())
                .containsExactly(3, 0, 9);
        assertReason(json, "{\"features\":[1,2],\"label\":3}", "label: expected an array of 3 class indices, got NUMBER");
        assertReason(json, "{\"features\":[1,2],\"label\":[3,0]}", "label: expected an array of 3 class indices, got 2 entries");
        assertReason(json, "{\"features\":[1,2],\"label\":[3,0,10]}", "label[2]: class 10, expected 0..9");
        Schema csv = new Schema(new Csv(',', -1, 0), 2, 10, Set.of(), 3);
        assertThat(ExampleRecords.decode(csv, bytes("a,0.5,1,7,8,9"))).isEqualTo(
                new Example(new double[] {0.5, 1}, new int[] {7, 8, 9}, Optional.of("a")));
        assertReason(csv, "a,0.5,1,7,8", "5 fields, expected 6 (2 features, 3 labels, a source)");
        assertReason(csv, "a,0.5,1,7,x,9", "column 4: expected a class index");
    }

    @Test
    void encodedExamplesDecodeBackInEitherFormat() {
        Example e = new Example(new double[] {0.1, -2.5e-7, 3}, new int[] {2}, Optional.of("a"));
        assertThat(ExampleRecords.decode(JSON, ExampleRecords.encode(JSON, e, false))).isEqualTo(e);
        assertThat(ExampleRecords.decode(CSV, ExampleRecords.encode(CSV, e, false))).isEqualTo(e);
        Example f = ExampleRecords.decode(JSON, ExampleRecords.encode(JSON, e, true));
        for (int i = 0; i < 3; i++) assertThat((float) f.features()[i]).isEqualTo((float) e.features()[i]);
        Schema three = new Schema(new Json("x", "y", Optional.empty()), 2, 5, Set.of(), 3);
        Example multi = new Example(new double[] {1, 2}, new int[] {4, 0, 1}, Optional.empty());
        assertThat(new String(ExampleRecords.encode(three, multi, false), StandardCharsets.UTF_8)).isEqualTo("{\"x\":[1.0,2.0],\"y\":[4,0,1]}");
        assertThat(ExampleRecords.decode(three, ExampleRecords.encode(three, multi, false))).isEqualTo(multi);
        assertThatThrownBy(() -> ExampleRecords.encode(three, e, false)).hasMessageStartingWith("features");
    }

    @Test
    void eachKindOfMistakeIsNamed() {
        assertReason(JSON, "{\"features\":[1,2],\"label\":1,\"source\":\"a\"}", "features: 2 features, expected 3");
        assertReason(JSON, "{\"label\":1,\"source\":\"a\"}", "features: missing");
        assertReason(JSON, "{\"features\":[1,2,3],\"source\":\"a\"}", "label: missing");
        assertReason(JSON, "{\"features\":[1,2,3],\"label\":1}", "source: missing");
        assertReason(JSON, "{\"features\":[1,2,1e999],\"label\":1,\"source\":\"a\"}", "features[2]: not finite (Infinity)");
        assertReason(JSON, "{\"features\":[1,\"2\",3],\"label\":1,\"source\":\"a\"}", "features[1]: expected a number, got STRING");
        assertReason(JSON, "{\"features\":[1,2,3],\"label\":4,\"source\":\"a\"}", "label: class 4, expected 0..3");
        assertReason(JSON, "{\"features\":[1,2,3],\"label\":1.5,\"source\":\"a\"}", "label: expected a class index, an integer in 0..3, got 1.5");
        assertReason(JSON, "{\"features\":[1,2,3],\"label\":1,\"source\":\"c\"}", "source: unknown source c, expected one of");
        assertReason(JSON, "[1,2,3]", "expected a JSON object, got ARRAY");
        assertReason(JSON, "{\"features\":[1,2,3],\"label\":1,\"label\":2,\"source\":\"a\"}", "not JSON: Duplicate field 'label'");
        assertReason(JSON, "{\"features\":[NaN,2,3],\"label\":1,\"source\":\"a\"}", "not JSON");
        assertReason(CSV, "a,1,2,3", "4 fields, expected 5 (3 features, a label, a source)");
        assertReason(CSV, "a,1,x,3,1", "column 2: expected a number, got x");
        assertReason(CSV, "a,1,,3,1", "column 2: empty, expected a number");
        assertReason(CSV, "a,1,NaN,3,1", "column 2: expected a number, got NaN");
        assertReason(CSV, "a,1,2,3,9", "column 4: class 9, expected 0..3");
        assertReason(CSV, "z,1,2,3,1", "column 0: unknown source z");
        assertReason(CSV, "a,1,2,3,1\na,1,2,3,1", "more than one line");
        assertReason(CSV, "a,\"1\",2,3,1", "a quoted field");
        byte[] notUtf8 = bytes("a,1,2,3,1");
        notUtf8[2] = (byte) 0xff;
        assertThat(catchThrowableOfType(() -> ExampleRecords.decode(CSV, notUtf8), RecordDecodeException.class))
                .hasMessage("not UTF-8 text");
        assertThatThrownBy(() -> ExampleRecords.decode(JSON, new byte[0])).hasMessage("empty record");
    }

    /**
     * 10,000 records, each malformed by construction (one of the mutations below, applied at a seeded random place
     * to a valid record), are all refused with a RecordDecodeException and a reason; nothing else is thrown.
     */
    @Test
    void tenThousandMalformedRecordsAreAllRefusedWithAReason() {
        List<Mutation> mutations = mutations();
        SplittableRandom random = new SplittableRandom(16);
        TreeMap<String, Integer> refused = new TreeMap<>();
        for (int i = 0; i < 10_000; i++) {
            Mutation m = mutations.get(i % mutations.size());
            boolean json = m.json();
            String valid = json ? validJson(random) : validCsv(random);
            byte[] record = m.apply().apply(new Sample(valid, random));
            Schema schema = json ? JSON : CSV;
            RecordDecodeException e = catchThrowableOfType(() -> ExampleRecords.decode(schema, record), RecordDecodeException.class);
            assertThat(e).as("%s: %s", m.name(), new String(record, StandardCharsets.UTF_8)).isNotNull();
            assertThat(e.reason()).isNotBlank();
            refused.merge(m.name(), 1, Integer::sum);
        }
        assertThat(refused.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(10_000);
        assertThat(refused).hasSize(mutations.size());
    }

    /** Any bytes at all either decode to an example the schema allows or are refused with a reason, never worse. */
    @Test
    void arbitraryBytesNeverEscapeAsAnythingButARefusal() {
        SplittableRandom random = new SplittableRandom(61);
        String alphabet = "{}[],:\"0123456789.eE+-abcfeaturslb \n\\";
        int accepted = 0;
        for (int i = 0; i < 10_000; i++) {
            Schema schema = i % 2 == 0 ? JSON : CSV;
            byte[] record;
            if (i % 3 == 0) {
                record = new byte[random.nextInt(1, 64)];
                for (int j = 0; j < record.length; j++) record[j] = (byte) random.nextInt(256);
            } else {
                StringBuilder text = new StringBuilder(i % 2 == 0 ? validJson(random) : validCsv(random));
                for (int edits = random.nextInt(1, 4); edits > 0; edits--) {
                    int at = random.nextInt(text.length());
                    text.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                }
                record = bytes(text.toString());
            }
            try {
                Example e = ExampleRecords.decode(schema, record);
                assertThat(e.features()).hasSize(3);
                for (double f : e.features()) assertThat(f).isFinite();
                assertThat(e.label()).isBetween(0, 3);
                assertThat(e.source()).hasValueSatisfying(s -> assertThat(s).isIn("a", "b"));
                accepted++;
            } catch (RecordDecodeException refusedWithReason) {
                assertThat(refusedWithReason.reason()).isNotBlank();
            }
        }
        assertThat(accepted).as("some edits leave a valid record (a digit for a digit)").isPositive();
    }

    record Sample(String valid, SplittableRandom random) {}

    record Mutation(String name, boolean json, Function<Sample, byte[]> apply) {}

    static List<Mutation> mutations() {
        List<Mutation> m = new ArrayList<>();
        m.add(new Mutation("json: truncated", true, s -> bytes(s.valid().substring(0, s.random().nextInt(1, s.valid().length())))));
        m.add(new Mutation("json: a byte that is never UTF-8", true, s -> insertByte(s, (byte) (0xf8 + s.random().nextInt(8)))));
        m.add(new Mutation("json: trailing content", true, s -> bytes(s.valid() + " " + (char) ('a' + s.random().nextInt(26)))));
        m.add(new Mutation("json: wrong dimension", true, s -> bytes(json(features(s.random(), pick(s.random(), 0, 1, 2, 4, 5, 30)),
                s.random().nextInt(4), "\"a\""))));
        m.add(new Mutation("json: missing features", true, s -> bytes("{\"label\":1,\"source\":\"a\"}")));
        m.add(new Mutation("json: missing label", true, s -> bytes("{\"features\":" + features(s.random(), 3) + ",\"source\":\"a\"}")));
        m.add(new Mutation("json: missing source", true, s -> bytes("{\"features\":" + features(s.random(), 3) + ",\"label\":2}")));
        m.add(new Mutation("json: non-finite feature", true, s -> bytes(json("[1," + pick(s.random(), "1e999", "-1e400", "NaN",
                "Infinity", "-Infinity") + ",3]", 1, "\"a\""))));
        m.add(new Mutation("json: feature not a number", true, s -> bytes(json("[1," + pick(s.random(), "\"2\"", "true", "null",
                "[2]", "{}") + ",3]", 1, "\"a\""))));
        m.add(new Mutation("json: label out of range", true, s -> bytes(json(features(s.random(), 3),
                pick(s.random(), 4, 5, -1, -7, 1 << 30), "\"a\""))));
        m.add(new Mutation("json: label not an integer", true, s -> bytes(json(features(s.random(), 3),
                pick(s.random(), "1.5", "\"1\"", "true", "[1]", "1e20", "2.0000001"), "\"a\""))));
        m.add(new Mutation("json: unknown source", true, s -> bytes(json(features(s.random(), 3), 1,
                pick(s.random(), "\"c\"", "\"\"", "\"A\"", "1", "null", "[\"a\"]")))));
        m.add(new Mutation("json: duplicate field", true, s -> bytes(s.valid().replace("{", "{\"label\":0,"))));
        m.add(new Mutation("json: not an object", true, s -> bytes(pick(s.random(), "[1,2,3]", "3", "\"features\"", "null", "true"))));
        m.add(new Mutation("csv: wrong field count", false, s -> bytes(csvLine(s.random(), pick(s.random(), 1, 2, 4, 6, 9)))));
        m.add(new Mutation("csv: empty field", false, s -> bytes(s.valid().replaceFirst(",[^,]*,", ",,"))));
        m.add(new Mutation("csv: feature not a number", false, s -> bytes("a,1," + pick(s.random(), "x", "NaN", "Infinity", "1e",
                "0x1p3", "1,5", "--1", "1.2.3", "+") + ",3,1")));
        m.add(new Mutation("csv: non-finite feature", false, s -> bytes("a,1," + pick(s.random(), "1e999", "-1e400") + ",3,1")));
        m.add(new Mutation("csv: label out of range or not an integer", false, s -> bytes("a,1,2,3," + pick(s.random(), "4", "-1",
                "1.0", "x", "", "99999999999") )));
        m.add(new Mutation("csv: unknown source", false, s -> bytes(pick(s.random(), "c", "", "A", "a b") + ",1,2,3,1")));
        m.add(new Mutation("csv: more than one line", false, s -> bytes(s.valid() + "\n" + s.valid())));
        m.add(new Mutation("csv: quoted field", false, s -> bytes("\"a\",1,2,3,1")));
        m.add(new Mutation("csv: a byte that is never UTF-8", false, s -> insertByte(s, (byte) (0xf8 + s.random().nextInt(8)))));
        m.add(new Mutation("csv: empty", false, s -> new byte[0]));
        return m;
    }

    static String validJson(SplittableRandom random) {
        return json(features(random, 3), random.nextInt(4), random.nextBoolean() ? "\"a\"" : "\"b\"");
    }

    static String validCsv(SplittableRandom random) {
        return (random.nextBoolean() ? "a" : "b") + "," + String.join(",", numbers(random, 3)) + "," + random.nextInt(4);
    }

    static String json(String features, Object label, String source) {
        return "{\"features\":" + features + ",\"label\":" + label + ",\"source\":" + source + "}";
    }

    static String features(SplittableRandom random, int n) {
        return "[" + String.join(",", numbers(random, n)) + "]";
    }

    static List<String> numbers(SplittableRandom random, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(String.format(Locale.ROOT, "%.4f", random.nextGaussian()));
        return out;
    }

    static String csvLine(SplittableRandom random, int fields) {
        return String.join(",", numbers(random, fields));
    }

    @SafeVarargs
    static <T> T pick(SplittableRandom random, T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    static byte[] insertByte(Sample s, byte b) {
        byte[] valid = bytes(s.valid());
        int at = s.random().nextInt(valid.length + 1);
        byte[] out = new byte[valid.length + 1];
        System.arraycopy(valid, 0, out, 0, at);
        out[at] = b;
        System.arraycopy(valid, at, out, at + 1, valid.length - at);
        return out;
    }

    static void assertReason(Schema schema, String record, String reason) {
        RecordDecodeException e = catchThrowableOfType(() -> ExampleRecords.decode(schema, bytes(record)), RecordDecodeException.class);
        assertThat(e).as(record).isNotNull();
        assertThat(e.getMessage()).as(record).startsWith(reason);
    }
}
