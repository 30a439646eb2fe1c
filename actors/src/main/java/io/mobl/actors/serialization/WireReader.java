package io.mobl.actors.serialization;

import io.mobl.protocol.Minibatch;
import io.mobl.protocol.codec.MinibatchCodec;
import io.mobl.protocol.codec.RecordDecodeException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads the fields {@link WireWriter} wrote, in the same order. Every length is checked against the bytes left
 * before anything is allocated, so a truncated or corrupt message fails with a {@link RecordDecodeException}
 * naming the field, never with a huge allocation or a half-built message.
 */
public final class WireReader {
    private final ByteBuffer buffer;
    private final ActorRefResolver resolver;

    /** @param resolver resolves serialized actor refs; null when the message carries none */
    WireReader(ByteBuffer buffer, ActorRefResolver resolver) {
        this.buffer = buffer;
        this.resolver = resolver;
    }

    public int getInt(String field) {
        need(field, Integer.BYTES);
        return buffer.getInt();
    }

    public long getLong(String field) {
        need(field, Long.BYTES);
        return buffer.getLong();
    }

    public double getDouble(String field) {
        need(field, Double.BYTES);
        return buffer.getDouble();
    }

    public String getString(String field) {
        need(field, Short.BYTES);
        int length = buffer.getShort() & 0xFFFF;
        need(field, length);
        ByteBuffer slice = buffer.slice(buffer.position(), length);
        buffer.position(buffer.position() + length);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw new RecordDecodeException(field, "not valid UTF-8");
        }
    }

    /** A vector, or null where null was written. */
    public double[] getVector(String field) {
        int length = getInt(field);
        if (length == -1) return null;
        if (length < 0) throw new RecordDecodeException(field, "length " + length + " (expected >= 0, or -1 for null)");
        need(field, (long) Double.BYTES * length);
        double[] vector = new double[length];
        buffer.asDoubleBuffer().get(vector);
        buffer.position(buffer.position() + Double.BYTES * length);
        return vector;
    }

    /** An array of the dtype and shape written (C order), or null where null was written. */
    public INDArray getArray(String field) {
        need(field, 1);
        byte code = buffer.get();
        if (code == WireWriter.NULL_ARRAY) return null;
        if (code != WireWriter.FLOAT64 && code != WireWriter.FLOAT32) {
            throw new RecordDecodeException(field, "dtype code " + code + " (expected 0 float64 or 1 float32)");
        }
        need(field, 1);
        int rank = buffer.get();
        if (rank < 0 || rank > 32) throw new RecordDecodeException(field, "rank " + rank + " (expected 0..32)");
        need(field, (long) Long.BYTES * rank);
        long[] shape = new long[rank];
        long length = 1;
        for (int i = 0; i < rank; i++) {
            shape[i] = buffer.getLong();
            if (shape[i] < 0) throw new RecordDecodeException(field, "extent " + shape[i] + " of dimension " + i);
            length = Math.multiplyExact(length, shape[i]);
        }
        int width = code == WireWriter.FLOAT64 ? Double.BYTES : Float.BYTES;
        need(field, length * width);
        int n = (int) length;
        if (code == WireWriter.FLOAT64) {
            double[] values = new double[n];
            buffer.asDoubleBuffer().get(values);
            buffer.position(buffer.position() + Double.BYTES * n);
            return Nd4j.create(values, shape, 'c');
        }
        float[] values = new float[n];
        buffer.asFloatBuffer().get(values);
        buffer.position(buffer.position() + Float.BYTES * n);
        return Nd4j.create(values, shape, 'c');
    }

    public Minibatch getMinibatch(String field) {
        int length = getInt(field);
        if (length < 0) throw new RecordDecodeException(field, "length " + length);
        need(field, length);
        byte[] encoded = new byte[length];
        buffer.get(encoded);
        try {
            return MinibatchCodec.decode(encoded);
        } catch (RecordDecodeException e) {
            throw new RecordDecodeException(field, e.getMessage(), e);
        }
    }

    public <T> ActorRef<T> getActorRef(String field) {
        if (resolver == null) throw new IllegalStateException("this reader has no ActorRefResolver");
        return resolver.resolveActorRef(getString(field));
    }

    /** Fails unless every byte was read: a message is read whole or not at all. */
    void end(String message) {
        if (buffer.hasRemaining()) {
            throw new RecordDecodeException(message, buffer.remaining() + " bytes after the last field");
        }
    }

    private void need(String field, long bytes) {
        if (bytes > buffer.remaining()) {
            throw new RecordDecodeException(field, "needs " + bytes + " bytes, " + buffer.remaining()
                    + " are left (a truncated message)");
        }
    }
}
