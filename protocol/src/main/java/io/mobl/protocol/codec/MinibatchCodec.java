package io.mobl.protocol.codec;

import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.Minibatch.Dtype;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The binary form of a {@link Minibatch}: compact, big-endian, with a versioned header.
 *
 * <pre>
 * offset size  field
 *      0    4  magic "MOBL" (0x4D 0x4F 0x42 0x4C)
 *      4    1  schema version (currently 1)
 *      5    1  dtype: 0 = float64, 1 = float32
 *      6    4  objective (int): -1 lower-level data, s >= 0 upper objective s
 *     10    4  rows n (int, >= 1)
 *     14    4  featureDim d (int, >= 1)
 *     18    4  labelDim l (int, >= 0)
 *     22    2  batchId length b in bytes (unsigned 16-bit)
 *     24    b  batchId, UTF-8
 *   24+b  8n   sampleIds (long)
 *          w*n*d  features, row-major (w = 8 for float64, 4 for float32)
 *          w*n*l  labels, row-major
 * </pre>
 *
 * The record's total length must equal the length the header implies; {@link #decode} checks everything
 * (magic, version, dtype, dims, length, UTF-8, every value finite) before building the record and reports the
 * first failure as a {@link RecordDecodeException} with a one-line reason.
 */
public final class MinibatchCodec {
    public static final byte[] MAGIC = {'M', 'O', 'B', 'L'};
    public static final int SCHEMA_VERSION = 1;
    /** Bytes of the fixed part of the header (before the batch id). */
    public static final int HEADER_BYTES = 24;

    private MinibatchCodec() {}

    /** The encoded length of a minibatch (header + batch id + payload). */
    public static long encodedLength(Minibatch b) {
        int idBytes = b.batchId().getBytes(StandardCharsets.UTF_8).length;
        return expectedLength(idBytes, b.rows(), b.featureDim(), b.labelDim(), b.dtype());
    }

    public static byte[] encode(Minibatch b) {
        if (b == null) throw new InvalidInputException("minibatch", null, "a minibatch");
        byte[] id = b.batchId().getBytes(StandardCharsets.UTF_8);
        long length = expectedLength(id.length, b.rows(), b.featureDim(), b.labelDim(), b.dtype());
        if (length > Integer.MAX_VALUE - 8) {
            throw new InvalidInputException("minibatch", length + " bytes", "at most " + (Integer.MAX_VALUE - 8) + " bytes encoded");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) length); // big-endian
        buf.put(MAGIC).put((byte) SCHEMA_VERSION).put((byte) b.dtype().code())
                .putInt(b.objective()).putInt(b.rows()).putInt(b.featureDim()).putInt(b.labelDim())
                .putShort((short) id.length).put(id);
        buf.asLongBuffer().put(b.sampleIds());
        buf.position(buf.position() + 8 * b.rows());
        putValues(buf, b.features(), b.dtype());
        putValues(buf, b.labels(), b.dtype());
        if (buf.hasRemaining()) throw new IllegalStateException("encoder wrote " + buf.position() + " of " + length + " bytes");
        return buf.array();
    }

    public static Minibatch decode(byte[] data) {
        if (data == null) throw RecordDecodeException.of("null payload (a tombstone, not a minibatch)");
        if (data.length < HEADER_BYTES) {
            if (data.length >= 4 && !startsWithMagic(data)) throw badMagic(data);
            throw RecordDecodeException.of("truncated header: " + data.length + " bytes (a header needs at least "
                    + HEADER_BYTES + ")");
        }
        if (!startsWithMagic(data)) throw badMagic(data);
        ByteBuffer buf = ByteBuffer.wrap(data);
        buf.position(4);
        int version = buf.get() & 0xFF;
        if (version != SCHEMA_VERSION) {
            throw new RecordDecodeException("version", "unsupported schema version " + version + " (expected " + SCHEMA_VERSION + ")");
        }
        int dtypeCode = buf.get() & 0xFF;
        Dtype dtype = Dtype.ofCode(dtypeCode);
        if (dtype == null) throw new RecordDecodeException("dtype", "unknown dtype " + dtypeCode + " (expected 0 = float64 or 1 = float32)");
        int objective = buf.getInt();
        int rows = buf.getInt();
        int featureDim = buf.getInt();
        int labelDim = buf.getInt();
        int idLength = buf.getShort() & 0xFFFF;
        if (objective < Minibatch.LOWER) throw new RecordDecodeException("objective", "objective " + objective + " (expected -1 for lower-level data or s >= 0)");
        if (rows < 1) throw new RecordDecodeException("rows", "rows " + rows + " (expected >= 1)");
        if (featureDim < 1) throw new RecordDecodeException("featureDim", "featureDim " + featureDim + " (expected >= 1)");
        if (labelDim < 0) throw new RecordDecodeException("labelDim", "labelDim " + labelDim + " (expected >= 0)");
        if (idLength == 0) throw new RecordDecodeException("batchId", "empty batch id");
        long expected = expectedLength(idLength, rows, featureDim, labelDim, dtype);
        if (data.length != expected) {
            throw RecordDecodeException.of("payload length " + data.length + " does not match header (expected "
                    + expected + " for " + rows + " rows x " + featureDim + " features + " + labelDim + " labels, "
                    + dtype.name().toLowerCase() + ", batch id of " + idLength + " bytes)");
        }
        String batchId;
        try {
            batchId = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data, HEADER_BYTES, idLength)).toString();
        } catch (CharacterCodingException e) {
            throw new RecordDecodeException("batchId", "not valid UTF-8");
        }
        buf.position(HEADER_BYTES + idLength);
        long[] sampleIds = new long[rows];
        buf.asLongBuffer().get(sampleIds);
        buf.position(buf.position() + 8 * rows);
        double[] features = getValues(buf, "features", rows * featureDim, dtype);
        double[] labels = getValues(buf, "labels", rows * labelDim, dtype);
        try {
            return new Minibatch(batchId, objective, dtype, rows, featureDim, labelDim, features, labels, sampleIds);
        } catch (InvalidInputException e) {
            throw new RecordDecodeException(e.field(), e.getMessage(), e);
        }
    }

    /** Header + batch id + payload bytes implied by a header; a long, so that absurd dims cannot overflow. */
    static long expectedLength(int idBytes, long rows, long featureDim, long labelDim, Dtype dtype) {
        return HEADER_BYTES + (long) idBytes + 8L * rows + (long) dtype.bytes() * rows * (featureDim + labelDim);
    }

    private static boolean startsWithMagic(byte[] data) {
        for (int i = 0; i < MAGIC.length; i++) if (i >= data.length || data[i] != MAGIC[i]) return false;
        return true;
    }

    private static RecordDecodeException badMagic(byte[] data) {
        StringBuilder hex = new StringBuilder("0x");
        for (int i = 0; i < Math.min(4, data.length); i++) hex.append(String.format("%02X", data[i] & 0xFF));
        return new RecordDecodeException("magic", "bad magic " + hex + " (expected \"MOBL\" = 0x4D4F424C): not a mobl minibatch");
    }

    private static void putValues(ByteBuffer buf, double[] values, Dtype dtype) {
        if (dtype == Dtype.FLOAT64) {
            buf.asDoubleBuffer().put(values);
            buf.position(buf.position() + 8 * values.length);
        } else {
            for (double v : values) buf.putFloat((float) v);
        }
    }

    private static double[] getValues(ByteBuffer buf, String field, int count, Dtype dtype) {
        double[] out = new double[count];
        if (dtype == Dtype.FLOAT64) {
            buf.asDoubleBuffer().get(out);
            buf.position(buf.position() + 8 * count);
        } else {
            for (int i = 0; i < count; i++) out[i] = buf.getFloat();
        }
        for (int i = 0; i < count; i++) {
            double v = out[i];
            if (!Double.isFinite(v)) {
                throw new RecordDecodeException(field + "[" + i + "]", field + "[" + i + "] is " + v);
            }
        }
        return out;
    }
}
