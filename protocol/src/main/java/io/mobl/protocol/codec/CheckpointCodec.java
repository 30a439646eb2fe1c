package io.mobl.protocol.codec;

import io.mobl.protocol.Checkpoint;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.SourcePosition;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The binary form of a {@link Checkpoint}: big-endian, versioned, checksummed, and bit-exact for every float64.
 *
 * <pre>
 * offset size  field
 *      0    4  magic "MBCK" (0x4D 0x42 0x43 0x4B)
 *      4    1  format version (currently 1)
 *      5    4  payload length n (int)
 *      9    4  CRC-32C of the payload (int)
 *     13    n  payload:
 *                str run, int preferenceIndex, str algorithm, str configuration, long iteration,
 *                int p, int q, int S, byte finished (0/1), S × double preference,
 *                4 × long oracle calls (Gc(f), Gc(g), JV(g), HV(g)),
 *                int m, m × (str topic, int partition, int objective, long nextOffset)     positions
 *                int a, a × (str name, int length, length × double)                       vectors
 *                int b, b × (str name, int length, length × long)                         counters
 * str = unsigned 16-bit length in bytes + UTF-8
 * </pre>
 *
 * {@link #decode} refuses, with a {@link RecordDecodeException} naming the field, anything that is not a whole,
 * intact checkpoint of this version: wrong magic, another version, a length that does not match, a checksum that
 * does not match (a corrupt record is never half-loaded), a field out of range, trailing bytes.
 */
public final class CheckpointCodec {
    public static final byte[] MAGIC = {'M', 'B', 'C', 'K'};
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 13;

    private CheckpointCodec() {}

    public static byte[] encode(Checkpoint c) {
        if (c == null) throw new InvalidInputException("checkpoint", null, "a checkpoint");
        byte[] run = utf8("run", c.run());
        byte[] algorithm = utf8("algorithm", c.algorithm());
        byte[] configuration = utf8("configuration", c.configuration());
        long length = 2L + run.length + 4 + 2 + algorithm.length + 2 + configuration.length + 8 + 12 + 1
                + 8L * c.objectives() + 32 + 4;
        List<byte[]> topics = new ArrayList<>();
        for (SourcePosition p : c.positions()) {
            byte[] topic = utf8("positions.topic", p.topic());
            topics.add(topic);
            length += 2 + topic.length + 16;
        }
        length += 4;
        List<byte[]> vectorNames = new ArrayList<>();
        for (Map.Entry<String, double[]> e : c.vectors().entrySet()) {
            byte[] name = utf8("vectors", e.getKey());
            vectorNames.add(name);
            length += 2 + name.length + 4 + 8L * e.getValue().length;
        }
        length += 4;
        List<byte[]> counterNames = new ArrayList<>();
        for (Map.Entry<String, long[]> e : c.counters().entrySet()) {
            byte[] name = utf8("counters", e.getKey());
            counterNames.add(name);
            length += 2 + name.length + 4 + 8L * e.getValue().length;
        }
        if (length + HEADER_BYTES > Integer.MAX_VALUE - 8) {
            throw new InvalidInputException("checkpoint", length + " bytes", "at most " + (Integer.MAX_VALUE - 8 - HEADER_BYTES) + " bytes encoded");
        }
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + (int) length);
        buf.put(MAGIC).put((byte) VERSION).putInt((int) length).putInt(0);
        putString(buf, run);
        buf.putInt(c.preferenceIndex());
        putString(buf, algorithm);
        putString(buf, configuration);
        buf.putLong(c.iteration()).putInt(c.upperDimension()).putInt(c.lowerDimension()).putInt(c.objectives())
                .put((byte) (c.finished() ? 1 : 0));
        for (double r : c.preference()) buf.putDouble(r);
        OracleCalls calls = c.oracleCalls();
        buf.putLong(calls.upperGradients()).putLong(calls.lowerGradients()).putLong(calls.jacobianVectorProducts())
                .putLong(calls.hessianVectorProducts());
        buf.putInt(c.positions().size());
        for (int i = 0; i < c.positions().size(); i++) {
            SourcePosition p = c.positions().get(i);
            putString(buf, topics.get(i));
            buf.putInt(p.partition()).putInt(p.objective()).putLong(p.nextOffset());
        }
        buf.putInt(c.vectors().size());
        int i = 0;
        for (double[] v : c.vectors().values()) {
            putString(buf, vectorNames.get(i++));
            buf.putInt(v.length);
            buf.asDoubleBuffer().put(v);
            buf.position(buf.position() + 8 * v.length);
        }
        buf.putInt(c.counters().size());
        i = 0;
        for (long[] v : c.counters().values()) {
            putString(buf, counterNames.get(i++));
            buf.putInt(v.length);
            buf.asLongBuffer().put(v);
            buf.position(buf.position() + 8 * v.length);
        }
        if (buf.hasRemaining()) throw new IllegalStateException("encoder wrote " + buf.position() + " of " + buf.capacity() + " bytes");
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), HEADER_BYTES, (int) length);
        buf.putInt(9, (int) crc.getValue());
        return buf.array();
    }

    public static Checkpoint decode(byte[] data) {
        if (data == null) throw RecordDecodeException.of("null payload (a tombstone, not a checkpoint)");
        if (data.length < HEADER_BYTES) {
            throw RecordDecodeException.of("truncated header: " + data.length + " bytes (a checkpoint header has "
                    + HEADER_BYTES + ")");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (data[i] != MAGIC[i]) {
                throw new RecordDecodeException("magic", String.format("bad magic 0x%02X%02X%02X%02X (expected \"MBCK\": not a mobl checkpoint)",
                        data[0], data[1], data[2], data[3]));
            }
        }
        ByteBuffer buf = ByteBuffer.wrap(data);
        buf.position(4);
        int version = buf.get() & 0xFF;
        if (version != VERSION) {
            throw new RecordDecodeException("version", "unsupported checkpoint version " + version
                    + " (this mobl reads version " + VERSION + "; resume with the mobl that wrote it, or start a new run)");
        }
        int length = buf.getInt();
        int checksum = buf.getInt();
        if (length < 0 || (long) length + HEADER_BYTES != data.length) {
            throw new RecordDecodeException("length", "the header says " + length + " payload bytes, the record has "
                    + (data.length - HEADER_BYTES) + " (truncated or padded)");
        }
        CRC32C crc = new CRC32C();
        crc.update(data, HEADER_BYTES, length);
        if ((int) crc.getValue() != checksum) {
            throw new RecordDecodeException("checksum", String.format("CRC-32C of the payload is 0x%08X, the header says 0x%08X: the checkpoint is corrupt",
                    (int) crc.getValue(), checksum));
        }
        String field = "run";
        try {
            String run = getString(buf, field);
            field = "preferenceIndex";
            int preferenceIndex = buf.getInt();
            field = "algorithm";
            String algorithm = getString(buf, field);
            field = "configuration";
            String configuration = getString(buf, field);
            field = "iteration";
            long iteration = buf.getLong();
            field = "dimensions";
            int p = buf.getInt();
            int q = buf.getInt();
            int s = buf.getInt();
            field = "finished";
            int finished = buf.get();
            if (finished != 0 && finished != 1) throw new RecordDecodeException(field, "byte " + finished + " (expected 0 or 1)");
            field = "preference";
            if (s < 1 || (long) s * 8 > buf.remaining()) {
                throw new RecordDecodeException("objectives", s + " objectives do not fit in the record");
            }
            double[] preference = new double[s];
            buf.asDoubleBuffer().get(preference);
            buf.position(buf.position() + 8 * s);
            field = "oracleCalls";
            OracleCalls calls = new OracleCalls(buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong());
            field = "positions";
            int m = count(buf, field, 18);
            List<SourcePosition> positions = new ArrayList<>(m);
            for (int i = 0; i < m; i++) {
                field = "positions[" + i + "]";
                positions.add(new SourcePosition(getString(buf, field), buf.getInt(), buf.getInt(), buf.getLong()));
            }
            field = "vectors";
            int a = count(buf, field, 6);
            SortedMap<String, double[]> vectors = new TreeMap<>();
            for (int i = 0; i < a; i++) {
                field = "vectors[" + i + "]";
                String name = getString(buf, field);
                field = "vectors." + name;
                int n = count(buf, field, 8);
                double[] v = new double[n];
                buf.asDoubleBuffer().get(v);
                buf.position(buf.position() + 8 * n);
                if (vectors.put(name, v) != null) throw new RecordDecodeException(field, "appears twice");
            }
            field = "counters";
            int b = count(buf, field, 6);
            SortedMap<String, long[]> counters = new TreeMap<>();
            for (int i = 0; i < b; i++) {
                field = "counters[" + i + "]";
                String name = getString(buf, field);
                field = "counters." + name;
                int n = count(buf, field, 8);
                long[] v = new long[n];
                buf.asLongBuffer().get(v);
                buf.position(buf.position() + 8 * n);
                if (counters.put(name, v) != null) throw new RecordDecodeException(field, "appears twice");
            }
            if (buf.hasRemaining()) {
                throw new RecordDecodeException("length", buf.remaining() + " bytes after the last field");
            }
            try {
                return new Checkpoint(run, preferenceIndex, algorithm, configuration, iteration, p, q, s, preference,
                        finished == 1, calls, positions, vectors, counters);
            } catch (InvalidInputException e) {
                throw new RecordDecodeException(e.field(), e.getMessage(), e);
            }
        } catch (BufferUnderflowException e) {
            throw new RecordDecodeException(field, "the payload ends inside this field");
        } catch (InvalidInputException e) {
            throw new RecordDecodeException(e.field(), e.getMessage(), e);
        }
    }

    /** A count of entries of at least {@code minBytes} each, checked against the bytes left. */
    private static int count(ByteBuffer buf, String field, int minBytes) {
        int n = buf.getInt();
        if (n < 0 || (long) n * minBytes > buf.remaining()) {
            throw new RecordDecodeException(field, "count " + n + " does not fit in the " + buf.remaining() + " bytes left");
        }
        return n;
    }

    private static byte[] utf8(String field, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 65_535) throw new InvalidInputException("checkpoint." + field, "(" + b.length + " bytes of UTF-8)", "at most 65535 bytes of UTF-8");
        return b;
    }

    private static void putString(ByteBuffer buf, byte[] utf8) {
        buf.putShort((short) utf8.length).put(utf8);
    }

    private static String getString(ByteBuffer buf, String field) {
        int n = buf.getShort() & 0xFFFF;
        if (n > buf.remaining()) throw new RecordDecodeException(field, "a string of " + n + " bytes does not fit in the " + buf.remaining() + " bytes left");
        ByteBuffer slice = buf.slice(buf.position(), n);
        buf.position(buf.position() + n);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw new RecordDecodeException(field, "not valid UTF-8");
        }
    }
}
