package io.mobl.protocol.codec;

import io.mobl.protocol.Checkpoint;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.SourcePosition;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class CheckpointCodecTest {

    /** A checkpoint with random state, including values a text format would round (subnormals, −0, extremes). */
    static Checkpoint sample(long seed, int p, int q) {
        SplittableRandom random = new SplittableRandom(seed);
        TreeMap<String, double[]> vectors = new TreeMap<>();
        vectors.put("x", values(random, p));
        vectors.put("y", values(random, q));
        vectors.put("v.0", values(random, q));
        vectors.put("v.1", new double[0]);
        TreeMap<String, long[]> counters = new TreeMap<>();
        counters.put("rng", new long[] {random.nextLong(), random.nextLong(), Long.MIN_VALUE});
        return new Checkpoint("run-ü", 3, "wc-mhgd", "quadratic seed 1; D=50", 1234, p, q, 2,
                new double[] {0.3, 0.7}, false, new OracleCalls(1, 2, 3, 4),
                List.of(new SourcePosition("mobl.r.lower", 0, Minibatch.LOWER, 17),
                        new SourcePosition("mobl.r.upper", 1, 1, 5)),
                vectors, counters);
    }

    private static double[] values(SplittableRandom random, int n) {
        double[] v = new double[n];
        double[] special = {-0.0, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MIN_NORMAL / 3, 1e-310};
        for (int i = 0; i < n; i++) {
            v[i] = i < special.length ? special[i] : Double.longBitsToDouble(random.nextLong() & 0x7FEF_FFFF_FFFF_FFFFL)
                    * (random.nextBoolean() ? 1 : -1);
        }
        return v;
    }

    @Property(tries = 50)
    void everyCheckpointDecodesToItselfBitForBit(@ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int p,
                                                  @ForAll @IntRange(min = 1, max = 300) int q) {
        Checkpoint c = sample(seed, p, q);
        Checkpoint back = CheckpointCodec.decode(CheckpointCodec.encode(c));
        assertThat(back).isEqualTo(c);
        for (String name : c.vectors().keySet()) {
            double[] a = c.vector(name);
            double[] b = back.vector(name);
            for (int i = 0; i < a.length; i++) {
                assertThat(Double.doubleToRawLongBits(b[i])).isEqualTo(Double.doubleToRawLongBits(a[i]));
            }
        }
    }

    @Test
    void aSingleFlippedBitAnywhereInThePayloadIsRefusedAsCorrupt() {
        byte[] bytes = CheckpointCodec.encode(sample(7, 40, 30));
        SplittableRandom random = new SplittableRandom(11);
        for (int trial = 0; trial < 200; trial++) {
            byte[] corrupt = bytes.clone();
            int at = CheckpointCodec.HEADER_BYTES + random.nextInt(bytes.length - CheckpointCodec.HEADER_BYTES);
            corrupt[at] ^= (byte) (1 << random.nextInt(8));
            RecordDecodeException e = catchThrowableOfType(() -> CheckpointCodec.decode(corrupt), RecordDecodeException.class);
            assertThat(e).as("flipped a bit at byte %d", at).isNotNull();
            assertThat(e.field()).isEqualTo("checksum");
            assertThat(e.getMessage()).contains("corrupt");
        }
    }

    @Test
    void anotherVersionIsRefusedNamingTheVersionsItCanRead() {
        byte[] bytes = CheckpointCodec.encode(sample(1, 4, 4));
        bytes[4] = 2;
        assertThatThrownBy(() -> CheckpointCodec.decode(bytes)).isInstanceOf(RecordDecodeException.class)
                .hasMessageContaining("version").hasMessageContaining("version 2").hasMessageContaining("reads version 1");
    }

    @Test
    void aTruncatedOrPaddedRecordIsRefusedByItsLength() {
        byte[] bytes = CheckpointCodec.encode(sample(1, 4, 4));
        for (int cut : new int[] {0, 5, CheckpointCodec.HEADER_BYTES, bytes.length - 1}) {
            byte[] truncated = java.util.Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> CheckpointCodec.decode(truncated)).isInstanceOf(RecordDecodeException.class);
        }
        byte[] padded = java.util.Arrays.copyOf(bytes, bytes.length + 3);
        assertThatThrownBy(() -> CheckpointCodec.decode(padded)).isInstanceOf(RecordDecodeException.class)
                .hasMessageContaining("length");
    }

    @Test
    void otherBytesAreNotTakenForACheckpoint() {
        byte[] minibatch = MinibatchCodec.encode(Minibatch.of("b", 0, new double[][] {{1}}, null, new long[] {0}));
        assertThatThrownBy(() -> CheckpointCodec.decode(minibatch)).isInstanceOf(RecordDecodeException.class)
                .hasMessageContaining("magic");
        assertThatThrownBy(() -> CheckpointCodec.decode(null)).isInstanceOf(RecordDecodeException.class);
    }

    @Test
    void aPayloadWhoseCountsLieIsRefusedEvenWithAMatchingChecksum() {
        Checkpoint c = sample(3, 5, 5);
        byte[] bytes = CheckpointCodec.encode(c);
        // make the positions count huge and re-seal the checksum: the decoder must refuse, not allocate
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        int at = positionsCountOffset(c);
        buf.putInt(at, Integer.MAX_VALUE);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, CheckpointCodec.HEADER_BYTES, bytes.length - CheckpointCodec.HEADER_BYTES);
        buf.putInt(9, (int) crc.getValue());
        assertThatThrownBy(() -> CheckpointCodec.decode(bytes)).isInstanceOf(RecordDecodeException.class)
                .hasMessageContaining("positions").hasMessageContaining("does not fit");
    }

    private static int positionsCountOffset(Checkpoint c) {
        int utf = c.run().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        return CheckpointCodec.HEADER_BYTES + 2 + utf + 4 + 2 + c.algorithm().length() + 2
                + c.configuration().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 8 + 12 + 1
                + 8 * c.objectives() + 32;
    }

    @Test
    void aCheckpointOfAnotherProblemIsRefusedNamingTheFieldThatDiffers() {
        Checkpoint c = sample(1, 8, 12);
        assertThat(c.requireCompatible("wc-mhgd", "quadratic seed 1; D=50", 8, 12, 2)).isSameAs(c);
        assertThatThrownBy(() -> c.requireCompatible("wc-mhgd", "quadratic seed 1; D=50", 9, 12, 2))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("checkpoint.upperDimension = 8")
                .hasMessageContaining("9, the problem's p");
        assertThatThrownBy(() -> c.requireCompatible("wc-mhgd", "quadratic seed 1; D=50", 8, 11, 2))
                .hasMessageStartingWith("checkpoint.lowerDimension = 12");
        assertThatThrownBy(() -> c.requireCompatible("wc-mhgd", "quadratic seed 1; D=50", 8, 12, 3))
                .hasMessageStartingWith("checkpoint.objectives = 2");
        assertThatThrownBy(() -> c.requireCompatible("forum", "quadratic seed 1; D=50", 8, 12, 2))
                .hasMessageStartingWith("checkpoint.algorithm = wc-mhgd");
        assertThatThrownBy(() -> c.requireCompatible("wc-mhgd", "quadratic seed 2; D=50", 8, 12, 2))
                .hasMessageStartingWith("checkpoint.configuration");
        assertThatThrownBy(() -> c.vector("lambda")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("checkpoint.vectors.lambda");
        assertThatThrownBy(() -> c.vector("x", 7)).hasMessageContaining("length 8").hasMessageContaining("expected length 7");
    }
}
