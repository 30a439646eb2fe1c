package io.mobl.actors.serialization;

import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.codec.MinibatchCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes one message's fields into a little-endian buffer, in the layout {@link WireReader} reads; a
 * {@link WireCodec} calls one method per field, in a fixed order. Vectors are copied as they are, 8 bytes per
 * float64 (4 per float32), in one bulk copy: no boxing, no number text, bit for bit (NaN payloads and −0.0
 * included). Little-endian because the nodes are x86-64 and ARM64 machines, on which the bulk copy is then a
 * plain memory copy.
 *
 * <pre>
 *   int / long / double      4 / 8 / 8 bytes
 *   string                   u16 length in bytes + UTF-8
 *   vector (double[])        int n (−1: null) + n × float64
 *   array (INDArray)         byte dtype (0 float64, 1 float32; 0xFF null) + byte rank r + r × long shape
 *                            + length × value, in C (row-major) order
 *   minibatch                int n + n bytes of {@link MinibatchCodec} (the format the Kafka topics carry)
 *   actor ref                string, Pekko's serialization format of the ref (its full remote address)
 * </pre>
 *
 * The sizes a codec needs for {@link WireCodec#encodedSize} are the static methods of this class.
 */
public final class WireWriter {
    static final byte FLOAT64 = 0;
    static final byte FLOAT32 = 1;
    static final byte NULL_ARRAY = (byte) 0xFF;

    private final ByteBuffer buffer;
    private final ActorRefResolver resolver;

    /** @param resolver turns actor refs into their serialized form; null when the message carries none */
    WireWriter(ByteBuffer buffer, ActorRefResolver resolver) {
        this.buffer = buffer;
        this.resolver = resolver;
    }

    public WireWriter putInt(int value) {
        buffer.putInt(value);
        return this;
    }

    public WireWriter putLong(long value) {
        buffer.putLong(value);
        return this;
    }

    public WireWriter putDouble(double value) {
        buffer.putDouble(value);
        return this;
    }

    public WireWriter putString(String value) {
        byte[] utf8 = utf8(value);
        buffer.putShort((short) utf8.length).put(utf8);
        return this;
    }

    /** @param vector any length, or null */
    public WireWriter putVector(double[] vector) {
        if (vector == null) return putInt(-1);
        buffer.putInt(vector.length);
        buffer.asDoubleBuffer().put(vector); // a view shares the buffer's order (little-endian)
        buffer.position(buffer.position() + Double.BYTES * vector.length);
        return this;
    }

    /** @param array float64 or float32, any shape, any ordering or view; or null */
    public WireWriter putArray(INDArray array) {
        if (array == null) {
            buffer.put(NULL_ARRAY);
            return this;
        }
        DataType type = array.dataType();
        long[] shape = array.shape();
        buffer.put(dtypeCode(type)).put((byte) shape.length);
        for (long extent : shape) buffer.putLong(extent);
        INDArray dense = contiguous(array);
        if (type == DataType.DOUBLE) {
            double[] values = dense.data().asDouble();
            buffer.asDoubleBuffer().put(values, 0, (int) array.length());
            buffer.position(buffer.position() + Double.BYTES * (int) array.length());
        } else {
            float[] values = dense.data().asFloat();
            buffer.asFloatBuffer().put(values, 0, (int) array.length());
            buffer.position(buffer.position() + Float.BYTES * (int) array.length());
        }
        return this;
    }

    public WireWriter putMinibatch(Minibatch batch) {
        byte[] encoded = MinibatchCodec.encode(batch);
        buffer.putInt(encoded.length).put(encoded);
        return this;
    }

    public WireWriter putActorRef(ActorRef<?> ref) {
        if (resolver == null) throw new IllegalStateException("this writer has no ActorRefResolver");
        return putString(resolver.toSerializationFormat(ref));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Sizes, for WireCodec.encodedSize

    public static int stringSize(String value) {
        return Short.BYTES + utf8(value).length;
    }

    public static int vectorSize(double[] vector) {
        return Integer.BYTES + (vector == null ? 0 : Double.BYTES * vector.length);
    }

    public static int arraySize(INDArray array) {
        if (array == null) return 1;
        dtypeCode(array.dataType());
        return 2 + Long.BYTES * array.rank() + (int) array.length() * (array.dataType() == DataType.DOUBLE ? 8 : 4);
    }

    public static int minibatchSize(Minibatch batch) {
        return Integer.BYTES + Math.toIntExact(MinibatchCodec.encodedLength(batch));
    }

    /** The size of an actor ref's field; {@code resolver} is the one the serializer writes with. */
    public static int actorRefSize(ActorRef<?> ref, ActorRefResolver resolver) {
        return stringSize(resolver.toSerializationFormat(ref));
    }

    static ByteBuffer littleEndian(ByteBuffer buffer) {
        return buffer.order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte dtypeCode(DataType type) {
        if (type == DataType.DOUBLE) return FLOAT64;
        if (type == DataType.FLOAT) return FLOAT32;
        throw new InvalidInputException("array dtype", type, "float64 or float32 (the runtime's vectors)");
    }

    /** The array itself when its buffer holds exactly its values in C order; a C-ordered copy otherwise. */
    private static INDArray contiguous(INDArray array) {
        boolean plain = !array.isView() && array.ordering() == 'c' && array.offset() == 0
                && array.data().length() == array.length();
        return plain ? array : array.dup('c');
    }

    private static byte[] utf8(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > 0xFFFF) {
            throw new InvalidInputException("string field", "(" + utf8.length + " bytes of UTF-8)", "at most 65535 bytes");
        }
        return utf8;
    }
}
