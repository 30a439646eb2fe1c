package io.mobl.actors.serialization;

import static io.mobl.actors.serialization.Wire.assertSameRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.protocol.codec.RecordDecodeException;
import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The binary serializer of the messages that carry vectors, through Pekko's serialization extension. */
class VectorSerializerTest {
    private static final ActorTestKit KIT = ActorTestKit.create("vectors", Wire.serializeEveryMessage());
    private static final Serialization SERIALIZATION = SerializationExtension.get(Adapter.toClassic(KIT.system()));
    private static final TestProbe<SampleRequest> REPLIES = KIT.createTestProbe();

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    private static SampleRequest roundTrip(SampleRequest request) {
        byte[] bytes = SERIALIZATION.serialize(request).get();
        Serializer serializer = SERIALIZATION.findSerializerFor(request);
        String manifest = org.apache.pekko.serialization.Serializers.manifestFor(serializer, request);
        return (SampleRequest) SERIALIZATION.deserialize(bytes, serializer.identifier(), manifest).get();
    }

    @Test
    void aVectorMessageIsBoundToTheVectorSerializer() {
        SampleRequest request = new SampleRequest(1, new double[] {1}, null, null, REPLIES.ref());
        assertThat(SERIALIZATION.findSerializerFor(request)).isInstanceOf(VectorSerializer.class);
        assertThat(SERIALIZATION.findSerializerFor(request).identifier()).isEqualTo(VectorSerializer.IDENTIFIER);
    }

    @Test
    void everyDoubleComesBackWithTheSameBits() {
        for (long seed = 0; seed < 20; seed++) {
            double[] x = Wire.awkward(1000 + (int) seed, seed);
            double[] warmStart = Wire.awkward(37, ~seed);
            SampleRequest request = new SampleRequest((int) seed, x, warmStart, null, REPLIES.ref());
            assertSameRequest(roundTrip(request), request);
        }
    }

    @Test
    void aMessageTakesEightBytesPerDoubleAndLittleMore() {
        double[] x = Wire.awkward(100_000, 3);
        byte[] bytes = SERIALIZATION.serialize(new SampleRequest(7, x, null, null, REPLIES.ref())).get();
        int fixed = 1 + 4 + 4 + 4 + 1 + WireWriter.actorRefSize(REPLIES.ref(),
                org.apache.pekko.actor.typed.ActorRefResolver.get(KIT.system()));
        assertThat(bytes).hasSize(fixed + 8 * x.length);
        // the doubles stand in the message as they are in memory, little-endian, one after the other
        ByteBuffer body = ByteBuffer.wrap(bytes, 1 + 4 + 4, 8 * x.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 50; i++) {
            assertThat(Double.doubleToRawLongBits(body.getDouble())).isEqualTo(Double.doubleToRawLongBits(x[i]));
        }
    }

    @Test
    void arraysKeepTheirDtypeShapeAndValuesWhateverTheirLayout() {
        INDArray matrix = Nd4j.create(Wire.awkward(12, 5), new long[] {3, 4}, 'c');
        INDArray fortran = matrix.dup('f');
        INDArray column = matrix.get(NDArrayIndex.all(), NDArrayIndex.point(2)); // a strided view
        INDArray floats = Nd4j.rand(DataType.FLOAT, 2, 3, 2);
        INDArray scalarLike = Nd4j.create(new double[] {-0.0}, new long[] {1}, 'c');
        for (INDArray array : new INDArray[] {matrix, fortran, column, floats, scalarLike}) {
            SampleRequest request = new SampleRequest(0, new double[0], null, array, REPLIES.ref());
            assertSameRequest(roundTrip(request), request);
        }
    }

    @Test
    void theByteBufferPathWritesWhatTheArrayPathWrites() throws NotSerializableException {
        SampleRequest request = new SampleRequest(4, Wire.awkward(300, 9), Wire.awkward(3, 1),
                Nd4j.create(Wire.awkward(6, 2), new long[] {2, 3}, 'c'), REPLIES.ref());
        VectorSerializer serializer = (VectorSerializer) SERIALIZATION.findSerializerFor(request);
        byte[] viaArray = serializer.toBinary(request);
        ByteBuffer buffer = ByteBuffer.allocateDirect(viaArray.length + 64).order(ByteOrder.BIG_ENDIAN);
        serializer.toBinary(request, buffer);
        assertThat(buffer.order()).as("the caller's byte order is left as it was").isEqualTo(ByteOrder.BIG_ENDIAN);
        assertThat(buffer.position()).isEqualTo(viaArray.length);
        buffer.flip();
        byte[] viaBuffer = new byte[buffer.remaining()];
        buffer.duplicate().get(viaBuffer);
        assertThat(viaBuffer).isEqualTo(viaArray);
        assertSameRequest((SampleRequest) serializer.fromBinary(buffer, serializer.manifest(request)), request);
    }

    @Test
    void aTruncatedMessageIsRefusedNamingTheFieldItEndsIn() {
        SampleRequest request = new SampleRequest(4, Wire.awkward(100, 1), null, null, REPLIES.ref());
        VectorSerializer serializer = (VectorSerializer) SERIALIZATION.findSerializerFor(request);
        byte[] bytes = serializer.toBinary(request);
        assertThatThrownBy(() -> serializer.fromBinary(Arrays.copyOf(bytes, 1 + 4 + 4 + 8 * 50), "sample-request"))
                .isInstanceOf(RecordDecodeException.class)
                .hasMessageContaining("x: needs 800 bytes, 400 are left");
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
        assertThatThrownBy(() -> serializer.fromBinary(longer, "sample-request"))
                .isInstanceOf(RecordDecodeException.class)
                .hasMessageContaining("3 bytes after the last field");
    }

    @Test
    void anotherFormatVersionOrAnUnknownManifestIsRefused() {
        SampleRequest request = new SampleRequest(4, new double[] {1, 2}, null, null, REPLIES.ref());
        VectorSerializer serializer = (VectorSerializer) SERIALIZATION.findSerializerFor(request);
        byte[] bytes = serializer.toBinary(request);
        bytes[0] = 2;
        assertThatThrownBy(() -> serializer.fromBinary(bytes, "sample-request"))
                .isInstanceOf(RecordDecodeException.class)
                .hasMessageContaining("vector message format 2 (this node reads 1)");
        assertThatThrownBy(() -> serializer.fromBinary(serializer.toBinary(request), "solve-lower"))
                .isInstanceOf(NotSerializableException.class)
                .hasMessageContaining("no vector codec has the manifest 'solve-lower'");
    }

    /** Marked as a vector message, but no codec is listed for it. */
    record Uncoded(double[] x) implements VectorMessage {}

    @Test
    void aVectorMessageWithNoCodecFailsNamingTheKeyToSet() {
        Uncoded message = new Uncoded(new double[] {1});
        assertThat(SERIALIZATION.findSerializerFor(message)).isInstanceOf(VectorSerializer.class);
        assertThatThrownBy(() -> SERIALIZATION.serialize(message).get())
                .hasMessageContaining("no vector codec for " + Uncoded.class.getName())
                .hasMessageContaining(VectorSerializer.CODECS);
    }
}
