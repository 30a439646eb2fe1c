package io.mobl.protocol.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mobl.protocol.ControlMessage;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.ParetoPoint;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * JSON forms of the records that people and other tools read: {@link ParetoPoint}, {@link IterateTelemetry}
 * and {@link ControlMessage}. Encoding gives UTF-8 JSON bytes that any Kafka tool can show; decoding is strict
 * about types and runs the records' own validation, and every failure is a {@link RecordDecodeException}
 * naming the field (nested fields as {@code oracleCalls.Gc(f)}, array entries as {@code preference[1]}).
 * Unknown fields are ignored, so that a newer writer can add fields without breaking older readers; duplicate
 * fields, trailing content and non-numeric numbers (NaN) are errors.
 *
 * <pre>
 * ParetoPoint:      {"run":"r1","preference":[0.7,0.3],"x":[..],"objectives":[..],"stationarity":1.0E-6,
 *                    "iterations":200,"oracleCalls":{"Gc(f)":400,"Gc(g)":2000,"JV(g)":200,"HV(g)":2000}}
 * IterateTelemetry: {"run":"r1","preference":[..],"iteration":7,"objectives":[..],"weights":[..],
 *                    "stationarity":..,"stepNorm":..,"oracleCalls":{..},"phaseNanos":{"lower":1200,..}}
 * ControlMessage:   {"type":"set-preference","run":"r1","preference":[0.7,0.3]}
 *                   {"type":"pause","run":"r1"}  {"type":"resume","run":"r1"}  {"type":"stop","run":"r1"}
 * </pre>
 */
public final class JsonCodec {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private JsonCodec() {}

    // ---------------------------------------------------------------- ParetoPoint

    public static ObjectNode toTree(ParetoPoint p) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("run", p.run());
        o.set("preference", array(p.preference()));
        o.set("x", array(p.x()));
        o.set("objectives", array(p.objectives()));
        o.put("stationarity", p.stationarity());
        o.put("iterations", p.iterations());
        o.set("oracleCalls", tree(p.oracleCalls()));
        return o;
    }

    public static byte[] encode(ParetoPoint p) { return bytes(toTree(p)); }

    public static String encodeToString(ParetoPoint p) { return string(toTree(p)); }

    public static ParetoPoint decodeParetoPoint(byte[] json) { return paretoPoint(parse(json)); }

    public static ParetoPoint decodeParetoPoint(String json) { return paretoPoint(parse(json)); }

    public static ParetoPoint paretoPoint(JsonNode node) {
        JsonNode o = object(node, null);
        String run = text(o, "run");
        double[] preference = doubles(o, "preference");
        double[] x = doubles(o, "x");
        double[] objectives = doubles(o, "objectives");
        double stationarity = number(o, "stationarity");
        int iterations = integer(o, "iterations");
        OracleCalls calls = oracleCalls(o, "oracleCalls");
        return construct(() -> new ParetoPoint(run, preference, x, objectives, stationarity, iterations, calls));
    }

    // ---------------------------------------------------------------- IterateTelemetry

    public static ObjectNode toTree(IterateTelemetry t) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("run", t.run());
        o.set("preference", array(t.preference()));
        o.put("iteration", t.iteration());
        o.set("objectives", array(t.objectives()));
        o.set("weights", array(t.weights()));
        o.put("stationarity", t.stationarity());
        o.put("stepNorm", t.stepNorm());
        o.set("oracleCalls", tree(t.oracleCalls()));
        ObjectNode phases = o.putObject("phaseNanos");
        t.phaseNanos().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> phases.put(e.getKey(), e.getValue()));
        if (t.hasKktResidual()) o.put("kktResidual", t.kktResidual());
        return o;
    }

    public static byte[] encode(IterateTelemetry t) { return bytes(toTree(t)); }

    public static String encodeToString(IterateTelemetry t) { return string(toTree(t)); }

    public static IterateTelemetry decodeTelemetry(byte[] json) { return telemetry(parse(json)); }

    public static IterateTelemetry decodeTelemetry(String json) { return telemetry(parse(json)); }

    public static IterateTelemetry telemetry(JsonNode node) {
        JsonNode o = object(node, null);
        String run = text(o, "run");
        double[] preference = doubles(o, "preference");
        int iteration = integer(o, "iteration");
        double[] objectives = doubles(o, "objectives");
        double[] weights = doubles(o, "weights");
        double stationarity = number(o, "stationarity");
        double stepNorm = number(o, "stepNorm");
        OracleCalls calls = oracleCalls(o, "oracleCalls");
        JsonNode phasesNode = o.get("phaseNanos");
        Map<String, Long> phases = new LinkedHashMap<>();
        if (phasesNode != null && !phasesNode.isNull()) {
            JsonNode p = object(phasesNode, "phaseNanos");
            for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                phases.put(e.getKey(), longValue(p, e.getKey(), "phaseNanos." + e.getKey()));
            }
        }
        JsonNode kktNode = o.get("kktResidual");
        double kkt = kktNode == null || kktNode.isNull() ? Double.NaN : number(o, "kktResidual");
        return construct(() -> new IterateTelemetry(run, preference, iteration, objectives, weights, stationarity,
                stepNorm, calls, phases, kkt));
    }

    // ---------------------------------------------------------------- ControlMessage

    public static ObjectNode toTree(ControlMessage m) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("type", m.type());
        o.put("run", m.run());
        if (m instanceof ControlMessage.SetPreference s) o.set("preference", array(s.preference()));
        return o;
    }

    public static byte[] encode(ControlMessage m) { return bytes(toTree(m)); }

    public static String encodeToString(ControlMessage m) { return string(toTree(m)); }

    public static ControlMessage decodeControl(byte[] json) { return control(parse(json)); }

    public static ControlMessage decodeControl(String json) { return control(parse(json)); }

    public static ControlMessage control(JsonNode node) {
        JsonNode o = object(node, null);
        String type = text(o, "type");
        String run = text(o, "run");
        return switch (type) {
            case ControlMessage.SetPreference.TYPE -> {
                double[] preference = doubles(o, "preference");
                yield construct(() -> new ControlMessage.SetPreference(run, preference));
            }
            case ControlMessage.Pause.TYPE -> construct(() -> new ControlMessage.Pause(run));
            case ControlMessage.Resume.TYPE -> construct(() -> new ControlMessage.Resume(run));
            case ControlMessage.Stop.TYPE -> construct(() -> new ControlMessage.Stop(run));
            default -> throw new RecordDecodeException("type", "unknown control message type \"" + type
                    + "\" (expected set-preference, pause, resume or stop)");
        };
    }

    // ---------------------------------------------------------------- Kafka adapters

    public static Serializer<ParetoPoint> paretoPointSerializer() { return serializer(JsonCodec::encode); }

    public static Deserializer<ParetoPoint> paretoPointDeserializer() { return deserializer(JsonCodec::decodeParetoPoint); }

    public static Serializer<IterateTelemetry> telemetrySerializer() { return serializer(JsonCodec::encode); }

    public static Deserializer<IterateTelemetry> telemetryDeserializer() { return deserializer(JsonCodec::decodeTelemetry); }

    public static Serializer<ControlMessage> controlSerializer() { return serializer(JsonCodec::encode); }

    public static Deserializer<ControlMessage> controlDeserializer() { return deserializer(JsonCodec::decodeControl); }

    private static <T> Serializer<T> serializer(Function<T, byte[]> encode) {
        return (topic, data) -> data == null ? null : encode.apply(data);
    }

    private static <T> Deserializer<T> deserializer(Function<byte[], T> decode) {
        return (topic, data) -> data == null ? null : decode.apply(data);
    }

    // ---------------------------------------------------------------- helpers

    static JsonNode parse(byte[] json) {
        if (json == null) throw RecordDecodeException.of("null payload");
        try {
            return nonEmpty(MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw new RecordDecodeException(null, "unreadable JSON: " + e.getMessage(), e);
        }
    }

    static JsonNode parse(String json) {
        if (json == null) throw RecordDecodeException.of("null payload");
        try {
            return nonEmpty(MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw malformed(e);
        }
    }

    private static JsonNode nonEmpty(JsonNode node) {
        if (node == null || node.isMissingNode()) throw RecordDecodeException.of("empty input (expected a JSON object)");
        return node;
    }

    private static RecordDecodeException malformed(JsonProcessingException e) {
        String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
        String msg = e.getOriginalMessage();
        int nl = msg == null ? -1 : msg.indexOf('\n');
        if (nl >= 0) msg = msg.substring(0, nl);
        return new RecordDecodeException(null, "malformed JSON" + where + ": " + msg, e);
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private static String string(JsonNode node) {
        return new String(bytes(node), StandardCharsets.UTF_8);
    }

    private static ArrayNode array(double[] values) {
        ArrayNode a = MAPPER.createArrayNode();
        for (double v : values) a.add(v);
        return a;
    }

    private static ObjectNode tree(OracleCalls c) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("Gc(f)", c.upperGradients());
        o.put("Gc(g)", c.lowerGradients());
        o.put("JV(g)", c.jacobianVectorProducts());
        o.put("HV(g)", c.hessianVectorProducts());
        return o;
    }

    private static OracleCalls oracleCalls(JsonNode parent, String field) {
        JsonNode o = object(required(parent, field, field), field);
        long f = longValue(o, "Gc(f)", field + ".Gc(f)");
        long g = longValue(o, "Gc(g)", field + ".Gc(g)");
        long jv = longValue(o, "JV(g)", field + ".JV(g)");
        long hv = longValue(o, "HV(g)", field + ".HV(g)");
        try {
            return new OracleCalls(f, g, jv, hv);
        } catch (InvalidInputException e) {
            throw new RecordDecodeException(field, e.getMessage(), e);
        }
    }

    private static JsonNode object(JsonNode node, String field) {
        if (!node.isObject()) throw new RecordDecodeException(field, "expected a JSON object, got " + kind(node));
        return node;
    }

    private static JsonNode required(JsonNode o, String name, String path) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) throw new RecordDecodeException(path, "missing (required)");
        return v;
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = required(o, field, field);
        if (!v.isTextual()) throw new RecordDecodeException(field, "expected a string, got " + kind(v));
        return v.textValue();
    }

    private static double number(JsonNode o, String field) {
        JsonNode v = required(o, field, field);
        if (!v.isNumber()) throw new RecordDecodeException(field, "expected a number, got " + kind(v));
        return v.doubleValue();
    }

    private static int integer(JsonNode o, String field) {
        JsonNode v = required(o, field, field);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new RecordDecodeException(field, "expected an integer, got " + kind(v) + " " + v);
        }
        return v.intValue();
    }

    private static long longValue(JsonNode o, String name, String path) {
        JsonNode v = required(o, name, path);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new RecordDecodeException(path, "expected an integer, got " + kind(v) + " " + v);
        }
        return v.longValue();
    }

    private static double[] doubles(JsonNode o, String field) {
        JsonNode v = required(o, field, field);
        if (!v.isArray()) throw new RecordDecodeException(field, "expected an array of numbers, got " + kind(v));
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = v.get(i);
            if (!e.isNumber()) throw new RecordDecodeException(field + "[" + i + "]", "expected a number, got " + kind(e));
            out[i] = e.doubleValue();
            if (!Double.isFinite(out[i])) throw new RecordDecodeException(field + "[" + i + "]", "out of double range: " + e);
        }
        return out;
    }

    private static String kind(JsonNode n) {
        return n.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    private static <T> T construct(java.util.function.Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (InvalidInputException e) {
            throw new RecordDecodeException(e.field(), e.getMessage(), e);
        }
    }
}
