package io.mobl.protocol.codec;

import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.Minibatch.Dtype;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class MinibatchCodecTest {

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<Minibatch> minibatches() {
        Arbitrary<String> ids = Arbitraries.strings().ofMinLength(1).ofMaxLength(40)
                .filter(s -> !s.isEmpty() && s.codePoints().allMatch(Character::isDefined)
                        && s.chars().noneMatch(c -> Character.isSurrogate((char) c)));
        Arbitrary<int[]> dims = Combinators.combine(
                Arbitraries.integers().between(1, 24),
                Arbitraries.integers().between(1, 12),
                Arbitraries.integers().between(0, 4)).as((n, d, l) -> new int[] {n, d, l});
        return Combinators.combine(ids, Arbitraries.integers().between(-1, 7), Arbitraries.of(Dtype.class), dims,
                Arbitraries.longs())
                .flatAs((id, objective, dtype, nd, seed) -> {
                    int n = nd[0], d = nd[1], l = nd[2];
                    Arbitrary<double[]> f = values(n * d);
                    Arbitrary<double[]> y = values(n * l);
                    Arbitrary<long[]> sids = Arbitraries.longs().array(long[].class).ofSize(n);
                    return Combinators.combine(f, y, sids)
                            .as((fv, yv, sv) -> new Minibatch(id, objective, dtype, n, d, l, fv, yv, sv));
                });
    }

    private static Arbitrary<double[]> values(int size) {
        Arbitrary<Double> v = Arbitraries.oneOf(
                Arbitraries.doubles().between(-1e6, 1e6),
                Arbitraries.of(0.0, -0.0, 1.0, -1.0, Double.MIN_VALUE, 1e-300, -3.4e38, (double) Float.MAX_VALUE, Math.PI));
        return v.array(double[].class).ofSize(size);
    }

    static Minibatch sample(String id, int rows, int featureDim, int labelDim, Dtype dtype) {
        double[] f = new double[rows * featureDim];
        double[] y = new double[rows * labelDim];
        long[] ids = new long[rows];
        for (int i = 0; i < f.length; i++) f[i] = i * 0.25 - 3;
        for (int i = 0; i < y.length; i++) y[i] = i % 2;
        for (int i = 0; i < rows; i++) ids[i] = 1000 + i;
        return new Minibatch(id, Minibatch.LOWER, dtype, rows, featureDim, labelDim, f, y, ids);
    }

    // ------------------------------------------------------------------ round trips

    @Property(tries = 300)
    void encodeThenDecodeGivesTheSameMinibatch(@ForAll("minibatches") Minibatch b) {
        byte[] bytes = MinibatchCodec.encode(b);
        assertThat((long) bytes.length).isEqualTo(MinibatchCodec.encodedLength(b));
        Minibatch back = MinibatchCodec.decode(bytes);
        assertThat(back).isEqualTo(b);
        assertThat(back.features()).containsExactly(b.features());
        assertThat(MinibatchCodec.encode(back)).isEqualTo(bytes);
    }

    @Property(tries = 100)
    void kafkaAdaptersRoundTrip(@ForAll("minibatches") Minibatch b) {
        byte[] bytes = new MinibatchSerializer().serialize("t", b);
        assertThat(new MinibatchDeserializer().deserialize("t", bytes)).isEqualTo(b);
    }

    @Example
    void kafkaAdaptersMapNullToTombstone() {
        assertThat(new MinibatchSerializer().serialize("t", null)).isNull();
        assertThat(new MinibatchDeserializer().deserialize("t", null)).isNull();
    }

    @Example
    void headerIsBigEndianAndVersioned() {
        Minibatch b = sample("b-1", 2, 3, 1, Dtype.FLOAT32);
        ByteBuffer buf = ByteBuffer.wrap(MinibatchCodec.encode(b));
        assertThat(new String(Arrays.copyOf(buf.array(), 4))).isEqualTo("MOBL");
        assertThat(buf.get(4)).isEqualTo((byte) 1);
        assertThat(buf.get(5)).isEqualTo((byte) 1);
        assertThat(buf.getInt(6)).isEqualTo(-1);
        assertThat(buf.getInt(10)).isEqualTo(2);
        assertThat(buf.getInt(14)).isEqualTo(3);
        assertThat(buf.getInt(18)).isEqualTo(1);
        assertThat(buf.getShort(22)).isEqualTo((short) 3);
        assertThat(buf.array()).hasSize(24 + 3 + 2 * 8 + 4 * 2 * (3 + 1));
    }

    @Example
    void float32KeepsValuesRoundedToFloatPrecision() {
        Minibatch b = new Minibatch("f", 0, Dtype.FLOAT32, 1, 2, 0, new double[] {0.1, 1.0 / 3}, new double[0], new long[] {7});
        assertThat(b.features()).containsExactly((float) 0.1, (float) (1.0 / 3));
        assertThat(MinibatchCodec.decode(MinibatchCodec.encode(b))).isEqualTo(b);
        assertThatThrownBy(() -> new Minibatch("f", 0, Dtype.FLOAT32, 1, 1, 0, new double[] {1e300}, new double[0], new long[] {1}))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("features[0]").hasMessageContaining("float32");
    }

    // ------------------------------------------------------------------ record validation

    @Example
    void constructorRejectsInconsistentOrNonFiniteData() {
        assertThatThrownBy(() -> new Minibatch("", -1, Dtype.FLOAT64, 1, 1, 0, new double[1], new double[0], new long[1]))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("batchId");
        assertThatThrownBy(() -> new Minibatch("a", -2, Dtype.FLOAT64, 1, 1, 0, new double[1], new double[0], new long[1]))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("objective");
        assertThatThrownBy(() -> new Minibatch("a", -1, Dtype.FLOAT64, 0, 1, 0, new double[0], new double[0], new long[0]))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("rows");
        assertThatThrownBy(() -> new Minibatch("a", -1, Dtype.FLOAT64, 2, 2, 0, new double[3], new double[0], new long[2]))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("features = length 3: expected length 4");
        assertThatThrownBy(() -> new Minibatch("a", -1, Dtype.FLOAT64, 2, 2, 1, new double[4], new double[3], new long[2]))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("labels");
        assertThatThrownBy(() -> new Minibatch("a", -1, Dtype.FLOAT64, 2, 2, 0, new double[4], new double[0], new long[1]))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("sampleIds");
        assertThatThrownBy(() -> new Minibatch("a", -1, Dtype.FLOAT64, 1, 2, 0, new double[] {1, Double.NaN}, new double[0], new long[1]))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("features[1] = NaN");
        assertThatThrownBy(() -> new Minibatch("a", -1, null, 1, 1, 0, new double[1], new double[0], new long[1]))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("dtype");
    }

    @Example
    void ofBuildsRowMajorArrays() {
        Minibatch b = Minibatch.of("r", 2, new double[][] {{1, 2}, {3, 4}, {5, 6}}, new double[][] {{1}, {0}, {1}}, new long[] {0, 1, 2});
        assertThat(b.features()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(b.feature(2, 1)).isEqualTo(6);
        assertThat(b.label(1, 0)).isEqualTo(0);
        assertThat(b.objective()).isEqualTo(2);
        assertThat(b.isLower()).isFalse();
    }

    // ------------------------------------------------------------------ corruption

    @Property(tries = 1000)
    void randomBytesAreRejectedNamingTheFirstHeaderCheckTheyFail(@ForAll byte[] noise, @ForAll boolean withMagic,
                                                                 @ForAll boolean withVersion, @ForAll boolean withDtype) {
        byte[] data = noise.clone();
        if (withMagic && data.length >= 4) System.arraycopy(MinibatchCodec.MAGIC, 0, data, 0, 4);
        if (withVersion && data.length >= 5) data[4] = 1;
        if (withDtype && data.length >= 6) data[5] = (byte) (data[5] & 1);
        Minibatch decoded = null;
        RecordDecodeException e = null;
        try {
            decoded = MinibatchCodec.decode(data);
        } catch (RecordDecodeException rejected) {
            e = rejected;
        }
        if (e == null) {
            // only a well-formed record decodes, and then it is exactly these bytes (nothing ignored, nothing guessed)
            assertThat(MinibatchCodec.encode(decoded)).isEqualTo(data);
            return;
        }
        String expected = firstFailedCheck(data);
        if (expected != null) assertThat(e.reason()).startsWith(expected);
        else assertThat(e.reason()).isNotBlank(); // a check past the header: UTF-8 of the id, a non-finite value
    }

    /**
     * The first header check that {@code data} fails, read off the layout in {@link MinibatchCodec}'s javadoc
     * independently of the decoder, as the start of the decoder's reason; null when the whole header is sound.
     */
    private static String firstFailedCheck(byte[] data) {
        boolean magic = data.length >= 4 && Arrays.equals(Arrays.copyOf(data, 4), MinibatchCodec.MAGIC);
        if (data.length >= 4 && !magic) return "bad magic";
        if (data.length < MinibatchCodec.HEADER_BYTES) return "truncated header";
        ByteBuffer header = ByteBuffer.wrap(data);
        if (data[4] != MinibatchCodec.SCHEMA_VERSION) return "unsupported schema version " + (data[4] & 0xFF);
        if (data[5] != 0 && data[5] != 1) return "unknown dtype " + (data[5] & 0xFF);
        int objective = header.getInt(6);
        int rows = header.getInt(10);
        int featureDim = header.getInt(14);
        int labelDim = header.getInt(18);
        int idLength = header.getShort(22) & 0xFFFF;
        if (objective < -1) return "objective " + objective;
        if (rows < 1) return "rows " + rows;
        if (featureDim < 1) return "featureDim " + featureDim;
        if (labelDim < 0) return "labelDim " + labelDim;
        if (idLength == 0) return "empty batch id";
        long width = data[5] == 0 ? 8 : 4;
        long length = MinibatchCodec.HEADER_BYTES + idLength + 8L * rows + width * rows * ((long) featureDim + labelDim);
        if (data.length != length) return "payload length " + data.length + " does not match header";
        return null;
    }

    @Example
    void aCorruptedValueInAWellFormedRecordIsRejectedAndAnyOtherFlipDecodesToExactlyItsBytes() {
        Minibatch b = Minibatch.of("flip", -1, new double[][] {{1, 2}, {3, 4}}, new double[][] {{1}, {0}}, new long[] {5, 6});
        byte[] good = MinibatchCodec.encode(b);
        for (int i = 0; i < good.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] flipped = good.clone();
                flipped[i] ^= (byte) (1 << bit);
                try {
                    assertThat(MinibatchCodec.encode(MinibatchCodec.decode(flipped))).as("byte %d bit %d", i, bit)
                            .isEqualTo(flipped);
                } catch (RecordDecodeException rejected) {
                    String expected = firstFailedCheck(flipped);
                    if (expected != null) assertThat(rejected.reason()).as("byte %d bit %d", i, bit).startsWith(expected);
                }
            }
        }
    }

    @Property(tries = 200)
    void everyTruncationIsRejected(@ForAll("minibatches") Minibatch b, @ForAll @IntRange(min = 0, max = 100_000) int cut) {
        byte[] full = MinibatchCodec.encode(b);
        int length = cut % full.length;
        byte[] truncated = Arrays.copyOf(full, length);
        assertThatThrownBy(() -> MinibatchCodec.decode(truncated))
                .isInstanceOf(RecordDecodeException.class)
                .hasMessageMatching(length < MinibatchCodec.HEADER_BYTES
                        ? "truncated header: \\d+ bytes .*"
                        : "payload length " + length + " does not match header \\(expected " + full.length + ".*");
    }

    @Property(tries = 100)
    void trailingBytesAreRejected(@ForAll("minibatches") Minibatch b, @ForAll @IntRange(min = 1, max = 64) int extra) {
        byte[] longer = Arrays.copyOf(MinibatchCodec.encode(b), MinibatchCodec.encode(b).length + extra);
        assertThatThrownBy(() -> MinibatchCodec.decode(longer)).isInstanceOf(RecordDecodeException.class)
                .hasMessageStartingWith("payload length " + longer.length + " does not match header");
    }

    @Example
    void wrongMagic() {
        byte[] data = MinibatchCodec.encode(sample("m", 2, 2, 1, Dtype.FLOAT64));
        data[0] = 'X';
        assertThatThrownBy(() -> MinibatchCodec.decode(data)).isInstanceOf(RecordDecodeException.class)
                .hasMessageContaining("bad magic 0x584F424C").hasMessageContaining("expected \"MOBL\"");
        assertThatThrownBy(() -> MinibatchCodec.decode("{\"json\":1}".getBytes())).isInstanceOf(RecordDecodeException.class)
                .hasMessageContaining("bad magic");
    }

    @Example
    void wrongVersion() {
        byte[] data = MinibatchCodec.encode(sample("v", 2, 2, 1, Dtype.FLOAT64));
        data[4] = 9;
        RecordDecodeException e = catchThrowableOfType(RecordDecodeException.class, () -> MinibatchCodec.decode(data));
        assertThat(e.reason()).isEqualTo("unsupported schema version 9 (expected 1)");
        assertThat(e.field()).isEqualTo("version");
    }

    @Example
    void unknownDtype() {
        byte[] data = MinibatchCodec.encode(sample("d", 2, 2, 1, Dtype.FLOAT64));
        data[5] = 7;
        assertThatThrownBy(() -> MinibatchCodec.decode(data)).isInstanceOf(RecordDecodeException.class)
                .hasMessageContaining("unknown dtype 7");
    }

    @Example
    void dimsThatDisagreeWithThePayload() {
        byte[] data = MinibatchCodec.encode(sample("dims", 4, 3, 1, Dtype.FLOAT64));
        ByteBuffer.wrap(data).putInt(14, 5); // featureDim 3 -> 5
        assertThatThrownBy(() -> MinibatchCodec.decode(data)).isInstanceOf(RecordDecodeException.class)
                .hasMessageStartingWith("payload length " + data.length + " does not match header (expected "
                        + (24 + 4 + 4 * 8 + 8 * 4 * (5 + 1)));
        ByteBuffer.wrap(data).putInt(14, Integer.MAX_VALUE).putInt(10, Integer.MAX_VALUE); // no overflow, no huge allocation
        assertThatThrownBy(() -> MinibatchCodec.decode(data)).isInstanceOf(RecordDecodeException.class)
                .hasMessageStartingWith("payload length");
        ByteBuffer.wrap(data).putInt(10, 0);
        assertThatThrownBy(() -> MinibatchCodec.decode(data)).isInstanceOf(RecordDecodeException.class)
                .hasMessage("rows 0 (expected >= 1)");
        ByteBuffer.wrap(data).putInt(10, 4).putInt(14, 3).putInt(18, -1);
        assertThatThrownBy(() -> MinibatchCodec.decode(data)).isInstanceOf(RecordDecodeException.class)
                .hasMessage("labelDim -1 (expected >= 0)");
        ByteBuffer.wrap(data).putInt(18, 1).putInt(6, -3);
        assertThatThrownBy(() -> MinibatchCodec.decode(data)).isInstanceOf(RecordDecodeException.class)
                .hasMessageStartingWith("objective -3");
    }

    @Example
    void nanAndInfinityInThePayload() {
        Minibatch b = sample("nan", 5, 4, 2, Dtype.FLOAT64);
        int featuresAt = 24 + 3 + 5 * 8;
        byte[] data = MinibatchCodec.encode(b);
        ByteBuffer.wrap(data).putDouble(featuresAt + 17 * 8, Double.NaN);
        RecordDecodeException e = catchThrowableOfType(RecordDecodeException.class, () -> MinibatchCodec.decode(data));
        assertThat(e.getMessage()).isEqualTo("features[17] is NaN");
        assertThat(e.field()).isEqualTo("features[17]");

        byte[] data2 = MinibatchCodec.encode(b);
        ByteBuffer.wrap(data2).putDouble(featuresAt + 20 * 8 + 3 * 8, Double.NEGATIVE_INFINITY);
        assertThatThrownBy(() -> MinibatchCodec.decode(data2)).hasMessage("labels[3] is -Infinity");

        Minibatch f = sample("nan32", 2, 2, 0, Dtype.FLOAT32);
        byte[] data3 = MinibatchCodec.encode(f);
        ByteBuffer.wrap(data3).putFloat(24 + 5 + 2 * 8 + 4, Float.POSITIVE_INFINITY);
        assertThatThrownBy(() -> MinibatchCodec.decode(data3)).hasMessage("features[1] is Infinity");
    }

    @Example
    void badBatchIds() {
        byte[] data = MinibatchCodec.encode(sample("abc", 1, 1, 0, Dtype.FLOAT64));
        data[24] = (byte) 0xFF;
        assertThatThrownBy(() -> MinibatchCodec.decode(data)).isInstanceOf(RecordDecodeException.class)
                .hasMessage("batchId: not valid UTF-8");
        byte[] data2 = MinibatchCodec.encode(sample("abc", 1, 1, 0, Dtype.FLOAT64));
        ByteBuffer.wrap(data2).putShort(22, (short) 0);
        assertThatThrownBy(() -> MinibatchCodec.decode(data2)).isInstanceOf(RecordDecodeException.class)
                .hasMessageContaining("empty batch id");
    }

    @Example
    void nullEmptyAndTinyInputs() {
        assertThatThrownBy(() -> MinibatchCodec.decode(null)).isInstanceOf(RecordDecodeException.class).hasMessageContaining("null payload");
        assertThatThrownBy(() -> MinibatchCodec.decode(new byte[0])).isInstanceOf(RecordDecodeException.class)
                .hasMessageStartingWith("truncated header: 0 bytes");
        assertThatThrownBy(() -> MinibatchCodec.decode(new byte[] {'M', 'O', 'B', 'L', 1})).isInstanceOf(RecordDecodeException.class)
                .hasMessageStartingWith("truncated header: 5 bytes");
    }
}
