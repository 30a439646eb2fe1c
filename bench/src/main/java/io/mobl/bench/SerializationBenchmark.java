package io.mobl.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mobl.actors.serialization.VectorMessage;
import io.mobl.actors.serialization.VectorSerializer;
import io.mobl.actors.serialization.WireCodec;
import io.mobl.actors.serialization.WireReader;
import io.mobl.actors.serialization.WireWriter;
import io.mobl.protocol.CborSerializable;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.serialization.ByteBufferSerializer;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

/**
 * Issue 14's serializer measurement: one message carrying a double[] of n entries (x or a hypergradient at p = n),
 * through the two serializers a mobl cluster binds, side by side in one process, alternating run by run so that a
 * shared machine's load hits both alike; medians over the repeats.
 * <ul>
 *   <li><b>vector</b>: mobl's {@link VectorSerializer} ({@code byte[]} path: serialize + deserialize);</li>
 *   <li><b>vector-bytebuffer</b>: the same into a reused direct buffer, as Artery calls it
 *       ({@link ByteBufferSerializer});</li>
 *   <li><b>cbor</b>: Pekko's Jackson CBOR serializer on a record with the same double[] (what a
 *       {@link CborSerializable} message gets).</li>
 * </ul>
 * Per row: µs to serialize, to deserialize, and for both; bytes per message; MB/s of payload (8·n bytes over the
 * serialize + deserialize time, MB = 10⁶ bytes); whether every double came back with the same bits; and the ratio
 * of CBOR's time to the vector serializer's.
 *
 * <p>Usage: {@code SerializationBenchmark [out.json] [sizes, e.g. 1000,100000] [repeats, e.g. 7]}
 */
public final class SerializationBenchmark {

    /** A message that carries one vector, written by {@link Codec}. */
    public record VectorPayload(double[] values) implements VectorMessage {
        public static final class Codec implements WireCodec<VectorPayload> {
            @Override
            public Class<VectorPayload> type() {
                return VectorPayload.class;
            }

            @Override
            public String manifest() {
                return "bench-vector";
            }

            @Override
            public int encodedSize(VectorPayload m, Sizes sizes) {
                return WireWriter.vectorSize(m.values());
            }

            @Override
            public void write(VectorPayload m, WireWriter out) {
                out.putVector(m.values());
            }

            @Override
            public VectorPayload read(WireReader in) {
                return new VectorPayload(in.getVector("values"));
            }
        }
    }

    /** The same vector in a record that goes as Jackson CBOR. */
    public record CborPayload(double[] values) implements CborSerializable {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "results/serialization.json");
        int[] sizes = Arrays.stream((args.length > 1 ? args[1] : "1000,100000").split(",")).mapToInt(Integer::parseInt).toArray();
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 7;

        Config config = ConfigFactory.parseString("mobl.serialization.vector-codecs = [\""
                + VectorPayload.Codec.class.getName() + "\"]").withFallback(ConfigFactory.load());
        ActorSystem system = ActorSystem.create("serialization-bench", config);
        try {
            Serialization serialization = SerializationExtension.get(system);
            Map<String, Object> results = new LinkedHashMap<>();
            results.put("benchmark", "one message with a double[] of n entries: mobl's VectorSerializer against Jackson CBOR");
            results.put("command", "scripts/bench.sh SerializationBenchmark " + out + " "
                    + String.join(",", Arrays.stream(sizes).mapToObj(Integer::toString).toList()) + " " + repeats);
            results.put("machine", JsonResults.machine());
            List<Map<String, Object>> rows = new ArrayList<>();
            results.put("rows", rows);
            for (int n : sizes) {
                double[] values = values(n);
                VectorPayload vector = new VectorPayload(values);
                CborPayload cbor = new CborPayload(values);
                int rounds = Math.max(5, (int) Math.min(2000, 20_000_000L / Math.max(1, n)));
                Map<String, List<double[]>> timings = new LinkedHashMap<>();
                Map<String, Integer> bytes = new LinkedHashMap<>();
                Map<String, Boolean> exact = new LinkedHashMap<>();
                for (int r = -1; r < repeats; r++) { // r = -1: warm-up, not kept
                    for (String kind : List.of("vector", "vector-bytebuffer", "cbor")) {
                        Object message = kind.equals("cbor") ? cbor : vector;
                        Measurement m = kind.equals("vector-bytebuffer")
                                ? measureByteBuffer((VectorSerializer) serialization.findSerializerFor(message), vector, rounds)
                                : measure(serialization, message, rounds);
                        if (r < 0) continue;
                        timings.computeIfAbsent(kind, k -> new ArrayList<>()).add(new double[] {m.serializeMicros, m.deserializeMicros});
                        bytes.put(kind, m.bytes);
                        exact.put(kind, sameBits(values, m.decoded));
                    }
                }
                double vectorTotal = 0;
                for (String kind : timings.keySet()) {
                    double serialize = median(timings.get(kind), 0);
                    double deserialize = median(timings.get(kind), 1);
                    double total = serialize + deserialize;
                    if (kind.equals("vector")) vectorTotal = total;
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("serializer", kind);
                    row.put("n", n);
                    row.put("rounds", rounds);
                    row.put("repeats", repeats);
                    row.put("serializeMicros", round(serialize));
                    row.put("deserializeMicros", round(deserialize));
                    row.put("roundTripMicros", round(total));
                    row.put("bytesPerMessage", bytes.get(kind));
                    row.put("payloadMBPerSecond", round(8.0 * n / total)); // bytes per µs = MB/s
                    row.put("bitExact", exact.get(kind));
                    row.put("timeOverVectorSerializer", round(total / vectorTotal));
                    rows.add(row);
                    System.out.println(JsonResults.line(row));
                }
                JsonResults.write(out, results);
            }
            JsonResults.write(out, results);
            System.out.println("wrote " + out);
        } finally {
            system.terminate();
        }
    }

    private record Measurement(double serializeMicros, double deserializeMicros, int bytes, double[] decoded) {}

    private static Measurement measure(Serialization serialization, Object message, int rounds) throws Exception {
        Serializer serializer = serialization.findSerializerFor(message);
        String manifest = Serializers.manifestFor(serializer, message);
        byte[] bytes = null;
        long start = System.nanoTime();
        for (int i = 0; i < rounds; i++) bytes = serializer.toBinary(message);
        long serialized = System.nanoTime();
        Object decoded = null;
        for (int i = 0; i < rounds; i++) {
            decoded = serialization.deserialize(bytes, serializer.identifier(), manifest).get();
        }
        long deserialized = System.nanoTime();
        return new Measurement((serialized - start) / 1e3 / rounds, (deserialized - serialized) / 1e3 / rounds,
                bytes.length, decoded instanceof VectorPayload v ? v.values() : ((CborPayload) decoded).values());
    }

    private static Measurement measureByteBuffer(VectorSerializer serializer, VectorPayload message, int rounds)
            throws Exception {
        String manifest = serializer.manifest(message);
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 + WireWriter.vectorSize(message.values()) + 64);
        long start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            buffer.clear();
            serializer.toBinary(message, buffer);
        }
        long serialized = System.nanoTime();
        buffer.flip();
        int bytes = buffer.remaining();
        Object decoded = null;
        for (int i = 0; i < rounds; i++) decoded = serializer.fromBinary(buffer.duplicate(), manifest);
        long deserialized = System.nanoTime();
        return new Measurement((serialized - start) / 1e3 / rounds, (deserialized - serialized) / 1e3 / rounds, bytes,
                ((VectorPayload) decoded).values());
    }

    /** Values of an iterate: finite, of every magnitude, and a −0.0, so that a lossy format would show. */
    private static double[] values(int n) {
        Random random = new Random(14);
        double[] values = new double[n];
        for (int i = 0; i < n; i++) values[i] = random.nextGaussian() * Math.pow(10, random.nextInt(21) - 10);
        if (n > 0) values[0] = -0.0;
        return values;
    }

    private static boolean sameBits(double[] expected, double[] actual) {
        if (actual == null || actual.length != expected.length) return false;
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToRawLongBits(expected[i]) != Double.doubleToRawLongBits(actual[i])) return false;
        }
        return true;
    }

    private static double median(List<double[]> samples, int column) {
        double[] values = samples.stream().mapToDouble(s -> s[column]).sorted().toArray();
        int m = values.length / 2;
        return values.length % 2 == 1 ? values[m] : (values[m - 1] + values[m]) / 2;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
