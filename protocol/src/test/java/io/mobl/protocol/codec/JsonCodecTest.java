package io.mobl.protocol.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mobl.protocol.ControlMessage;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.ParetoPoint;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class JsonCodecTest {

    static final OracleCalls CALLS = new OracleCalls(400, 2000, 200, 2000);
    static final ParetoPoint POINT = new ParetoPoint("r1", new double[] {0.7, 0.3}, new double[] {1.5, -2.25},
            new double[] {0.125, 3.5}, 1e-6, 200, CALLS);

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<double[]> preferences() {
        return Arbitraries.doubles().between(0.01, 1).array(double[].class).ofMinSize(1).ofMaxSize(5).map(w -> {
            double sum = 0;
            for (double v : w) sum += v;
            double[] r = new double[w.length];
            for (int i = 0; i < w.length; i++) r[i] = w[i] / sum;
            return r;
        });
    }

    private static Arbitrary<double[]> vectors(int size) {
        return Arbitraries.doubles().between(-1e12, 1e12).array(double[].class).ofSize(size);
    }

    private static Arbitrary<String> runs() {
        return Arbitraries.strings().ofMinLength(1).ofMaxLength(20).filter(s -> !s.isBlank()
                && s.chars().noneMatch(c -> Character.isSurrogate((char) c)));
    }

    private static Arbitrary<OracleCalls> calls() {
        Arbitrary<Long> c = Arbitraries.longs().between(0, Long.MAX_VALUE / 8);
        return Combinators.combine(c, c, c, c).as(OracleCalls::new);
    }

    @Provide
    Arbitrary<ParetoPoint> points() {
        return Combinators.combine(runs(), preferences(), Arbitraries.integers().between(0, 30), calls(),
                Arbitraries.doubles().between(0, 1e9), Arbitraries.integers().between(0, 1_000_000))
                .flatAs((run, r, p, calls, gap, k) -> Combinators.combine(vectors(p), vectors(r.length))
                        .as((x, phi) -> new ParetoPoint(run, r, x, phi, gap, k, calls)));
    }

    @Provide
    Arbitrary<IterateTelemetry> telemetry() {
        Arbitrary<Map<String, Long>> phases = Arbitraries.maps(Arbitraries.of("lower", "hypergradient", "weights", "update"),
                Arbitraries.longs().between(0, Long.MAX_VALUE));
        return Combinators.combine(runs(), preferences(), Arbitraries.integers().between(0, Integer.MAX_VALUE), calls(),
                Arbitraries.doubles().between(0, 1e9), Arbitraries.doubles().between(0, 1e9), phases)
                .flatAs((run, r, k, calls, gap, step, ph) -> Combinators.combine(vectors(r.length), vectors(r.length))
                        .as((phi, lambda) -> new IterateTelemetry(run, r, k, phi, lambda, gap, step, calls, ph)));
    }

    @Provide
    Arbitrary<ControlMessage> controls() {
        return Arbitraries.oneOf(
                Combinators.combine(runs(), preferences()).as(ControlMessage.SetPreference::new),
                runs().map(ControlMessage.Pause::new),
                runs().map(ControlMessage.Resume::new),
                runs().map(ControlMessage.Stop::new));
    }

    // ------------------------------------------------------------------ round trips

    @Property(tries = 200)
    void paretoPointsRoundTrip(@ForAll("points") ParetoPoint p) {
        assertThat(JsonCodec.decodeParetoPoint(JsonCodec.encode(p))).isEqualTo(p);
        assertThat(JsonCodec.decodeParetoPoint(JsonCodec.encodeToString(p))).isEqualTo(p);
        assertThat(JsonCodec.paretoPointDeserializer().deserialize("t", JsonCodec.paretoPointSerializer().serialize("t", p))).isEqualTo(p);
    }

    @Property(tries = 200)
    void telemetryRoundTrips(@ForAll("telemetry") IterateTelemetry t) {
        assertThat(JsonCodec.decodeTelemetry(JsonCodec.encode(t))).isEqualTo(t);
        assertThat(JsonCodec.telemetryDeserializer().deserialize("t", JsonCodec.telemetrySerializer().serialize("t", t))).isEqualTo(t);
    }

    @Property(tries = 200)
    void controlMessagesRoundTrip(@ForAll("controls") ControlMessage m) {
        assertThat(JsonCodec.decodeControl(JsonCodec.encode(m))).isEqualTo(m);
        assertThat(JsonCodec.controlDeserializer().deserialize("t", JsonCodec.controlSerializer().serialize("t", m))).isEqualTo(m);
    }

    // ------------------------------------------------------------------ the documented forms

    @Example
    void controlMessagesHaveTheDocumentedForm() {
        assertThat(JsonCodec.encodeToString(new ControlMessage.SetPreference("r1", new double[] {0.7, 0.3})))
                .isEqualTo("{\"type\":\"set-preference\",\"run\":\"r1\",\"preference\":[0.7,0.3]}");
        assertThat(JsonCodec.encodeToString(new ControlMessage.Pause("r1"))).isEqualTo("{\"type\":\"pause\",\"run\":\"r1\"}");
        assertThat(JsonCodec.decodeControl("{\"type\":\"resume\",\"run\":\"r1\"}")).isEqualTo(new ControlMessage.Resume("r1"));
        assertThat(JsonCodec.decodeControl(" {\"run\":\"r1\", \"type\":\"stop\", \"comment\":\"ignored\"}\n"))
                .isEqualTo(new ControlMessage.Stop("r1"));
    }

    @Example
    void paretoPointJsonIsPlainJsonWithTheDocumentedFields() throws Exception {
        byte[] bytes = JsonCodec.encode(POINT);
        JsonNode n = new ObjectMapper().readTree(new String(bytes, StandardCharsets.UTF_8));
        assertThat(n.fieldNames()).toIterable()
                .containsExactly("run", "preference", "x", "objectives", "stationarity", "iterations", "oracleCalls");
        assertThat(n.get("oracleCalls").fieldNames()).toIterable().containsExactly("Gc(f)", "Gc(g)", "JV(g)", "HV(g)");
        assertThat(n.get("oracleCalls").get("HV(g)").asLong()).isEqualTo(2000);
        assertThat(n.get("preference").get(0).asDouble()).isEqualTo(0.7);
        assertThat(n.get("iterations").asInt()).isEqualTo(200);
    }

    @Example
    void telemetryJsonHasPhaseTimes() throws Exception {
        IterateTelemetry t = new IterateTelemetry("r1", new double[] {0.5, 0.5}, 3, new double[] {1, 2},
                new double[] {0.25, 0.75}, 0.01, 0.1, CALLS, Map.of("lower", 1200L, "update", 30L));
        JsonNode n = new ObjectMapper().readTree(JsonCodec.encode(t));
        assertThat(n.get("phaseNanos").get("lower").asLong()).isEqualTo(1200);
        assertThat(n.get("iteration").asInt()).isEqualTo(3);
        // phaseNanos is optional on input
        String withoutPhases = JsonCodec.encodeToString(t).replaceAll(",\"phaseNanos\":\\{[^}]*}", "");
        assertThat(JsonCodec.decodeTelemetry(withoutPhases).phaseNanos()).isEmpty();
    }

    @Example
    void theKktResidualTravelsWhenTheAlgorithmReportsOne() throws Exception {
        IterateTelemetry none = new IterateTelemetry("r1", new double[] {0.5, 0.5}, 3, new double[] {1, 2},
                new double[] {0.25, 0.75}, 0.01, 0.1, CALLS, Map.of());
        assertThat(none.hasKktResidual()).isFalse();
        assertThat(new ObjectMapper().readTree(JsonCodec.encode(none)).has("kktResidual")).isFalse();
        assertThat(JsonCodec.decodeTelemetry(JsonCodec.encode(none))).isEqualTo(none);
        IterateTelemetry qp = new IterateTelemetry("r1", new double[] {0.5, 0.5}, 3, new double[] {1, 2},
                new double[] {0.25, 0.75}, 0.01, 0.1, CALLS, Map.of(), 3.5e-13);
        assertThat(new ObjectMapper().readTree(JsonCodec.encode(qp)).get("kktResidual").asDouble()).isEqualTo(3.5e-13);
        assertThat(JsonCodec.decodeTelemetry(JsonCodec.encode(qp))).isEqualTo(qp);
        assertThatThrownBy(() -> new IterateTelemetry("r1", new double[] {0.5, 0.5}, 3, new double[] {1, 2},
                new double[] {0.25, 0.75}, 0.01, 0.1, CALLS, Map.of(), -1)).hasMessageContaining("kktResidual");
    }

    // ------------------------------------------------------------------ bad JSON

    private static String pointWith(String field, String json) {
        String good = JsonCodec.encodeToString(POINT);
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(good);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        String value = json == null ? "" : json;
        com.fasterxml.jackson.databind.node.ObjectNode o = (com.fasterxml.jackson.databind.node.ObjectNode) n;
        if (json == null) o.remove(field);
        else {
            try {
                o.set(field, new ObjectMapper().readTree(value));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return o.toString();
    }

    private static RecordDecodeException decodeFails(String json) {
        RecordDecodeException e = catchThrowableOfType(RecordDecodeException.class, () -> JsonCodec.decodeParetoPoint(json));
        assertThat(e).as("decoding %s should fail", json).isNotNull();
        return e;
    }

    @Example
    void missingFieldsAreNamed() {
        for (String f : new String[] {"run", "preference", "x", "objectives", "stationarity", "iterations", "oracleCalls"}) {
            RecordDecodeException e = decodeFails(pointWith(f, null));
            assertThat(e.field()).isEqualTo(f);
            assertThat(e.getMessage()).isEqualTo(f + ": missing (required)");
        }
        assertThat(decodeFails(pointWith("oracleCalls", "{\"Gc(f)\":1,\"Gc(g)\":1,\"JV(g)\":1}")).field()).isEqualTo("oracleCalls.HV(g)");
    }

    @Example
    void wrongTypesAreNamed() {
        assertThat(decodeFails(pointWith("run", "5")).getMessage()).isEqualTo("run: expected a string, got number");
        assertThat(decodeFails(pointWith("preference", "\"0.7,0.3\"")).getMessage())
                .isEqualTo("preference: expected an array of numbers, got string");
        assertThat(decodeFails(pointWith("x", "[1, \"two\"]")).field()).isEqualTo("x[1]");
        assertThat(decodeFails(pointWith("iterations", "2.5")).field()).isEqualTo("iterations");
        assertThat(decodeFails(pointWith("iterations", "1e12")).field()).isEqualTo("iterations");
        assertThat(decodeFails(pointWith("stationarity", "\"small\"")).field()).isEqualTo("stationarity");
        assertThat(decodeFails(pointWith("oracleCalls", "[1,2,3,4]")).field()).isEqualTo("oracleCalls");
        assertThat(decodeFails(pointWith("x", "[1e999]")).field()).isEqualTo("x[0]");
    }

    @Example
    void invalidValuesFailTheRecordsOwnValidation() {
        RecordDecodeException e = decodeFails(pointWith("preference", "[0.7, 0.4]"));
        assertThat(e.field()).isEqualTo("preference");
        assertThat(e.getMessage()).contains("summing to 1");
        assertThat(decodeFails(pointWith("preference", "[1.0, 0.0]")).field()).isEqualTo("preference[1]");
        assertThat(decodeFails(pointWith("objectives", "[1, 2, 3]")).field()).isEqualTo("objectives");
        assertThat(decodeFails(pointWith("stationarity", "-1")).field()).isEqualTo("stationarity");
        assertThat(decodeFails(pointWith("iterations", "-1")).field()).isEqualTo("iterations");
        assertThat(decodeFails(pointWith("oracleCalls", "{\"Gc(f)\":-1,\"Gc(g)\":1,\"JV(g)\":1,\"HV(g)\":1}")).field())
                .isEqualTo("oracleCalls");
    }

    @Example
    void malformedJsonIsRejected() {
        assertThat(decodeFails("{\"run\": ").getMessage()).startsWith("malformed JSON at line 1");
        assertThat(decodeFails("").getMessage()).contains("empty input");
        assertThat(decodeFails("[1,2]").getMessage()).isEqualTo("expected a JSON object, got array");
        assertThat(decodeFails(JsonCodec.encodeToString(POINT) + " {}").getMessage()).startsWith("malformed JSON");
        assertThat(decodeFails(JsonCodec.encodeToString(POINT).replace("\"stationarity\":1.0E-6", "\"stationarity\":NaN"))
                .getMessage()).startsWith("malformed JSON");
        assertThat(decodeFails("{\"run\":\"a\",\"run\":\"b\"}").getMessage()).contains("Duplicate field 'run'");
        assertThatThrownBy(() -> JsonCodec.decodeParetoPoint((byte[]) null)).isInstanceOf(RecordDecodeException.class);
        assertThatThrownBy(() -> JsonCodec.decodeParetoPoint(new byte[] {(byte) 0xC3, 0x28}))
                .isInstanceOf(RecordDecodeException.class);
    }

    @Example
    void badControlMessages() {
        assertThatThrownBy(() -> JsonCodec.decodeControl("{\"type\":\"restart\",\"run\":\"r1\"}"))
                .isInstanceOf(RecordDecodeException.class)
                .hasMessageStartingWith("type: unknown control message type \"restart\"");
        RecordDecodeException e = catchThrowableOfType(RecordDecodeException.class,
                () -> JsonCodec.decodeControl("{\"type\":\"set-preference\",\"run\":\"r1\"}"));
        assertThat(e.field()).isEqualTo("preference");
        e = catchThrowableOfType(RecordDecodeException.class,
                () -> JsonCodec.decodeControl("{\"type\":\"set-preference\",\"run\":\"r1\",\"preference\":[0.5,0.6]}"));
        assertThat(e.field()).isEqualTo("preference");
        e = catchThrowableOfType(RecordDecodeException.class, () -> JsonCodec.decodeControl("{\"type\":\"pause\",\"run\":\" \"}"));
        assertThat(e.field()).isEqualTo("run");
        e = catchThrowableOfType(RecordDecodeException.class, () -> JsonCodec.decodeControl("{\"run\":\"r1\"}"));
        assertThat(e.field()).isEqualTo("type");
    }

    @Example
    void badTelemetry() {
        String good = JsonCodec.encodeToString(new IterateTelemetry("r1", new double[] {0.5, 0.5}, 3, new double[] {1, 2},
                new double[] {0.25, 0.75}, 0.01, 0.1, CALLS, Map.of("lower", 1200L)));
        RecordDecodeException e = catchThrowableOfType(RecordDecodeException.class,
                () -> JsonCodec.decodeTelemetry(good.replace("\"lower\":1200", "\"lower\":\"slow\"")));
        assertThat(e.field()).isEqualTo("phaseNanos.lower");
        e = catchThrowableOfType(RecordDecodeException.class,
                () -> JsonCodec.decodeTelemetry(good.replace("\"weights\":[0.25,0.75]", "\"weights\":[0.25]")));
        assertThat(e.field()).isEqualTo("weights");
    }
}
