package io.mobl.actors.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What the serialization tests share: their configuration, vectors with awkward bits, bit-for-bit comparisons. */
final class Wire {
    private Wire() {}

    /** The tests' codecs over the actors' test configuration, with every message serialized even in-process. */
    static Config serializeEveryMessage() {
        return ConfigFactory.parseString("""
                        mobl.serialization.vector-codecs = ["io.mobl.actors.serialization.SampleRequest$Codec",
                            "io.mobl.actors.ShardedCoordinator$RunEndedCodec"]
                        pekko.actor.serialize-messages = on
                        """)
                .withFallback(ConfigFactory.load("application-test"));
    }

    /**
     * n doubles from random bit patterns (so NaNs with payloads, infinities, subnormals and −0.0 occur), the
     * special values first.
     */
    static double[] awkward(int n, long seed) {
        Random random = new Random(seed);
        double[] special = {-0.0, 0.0, Double.NaN, Double.longBitsToDouble(0x7FF0_0000_0000_0001L),
                Double.longBitsToDouble(0xFFF8_0000_DEAD_BEEFL), Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, Math.ulp(1.0), 1.0 / 3};
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = i < special.length ? special[i] : Double.longBitsToDouble(random.nextLong());
        }
        return values;
    }

    static void assertSameBits(double[] actual, double[] expected) {
        if (expected == null) {
            assertThat(actual).isNull();
            return;
        }
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToRawLongBits(actual[i]) != Double.doubleToRawLongBits(expected[i])) {
                throw new AssertionError("entry " + i + ": bits " + Long.toHexString(Double.doubleToRawLongBits(actual[i]))
                        + ", expected " + Long.toHexString(Double.doubleToRawLongBits(expected[i])));
            }
        }
    }

    /** Same dtype, same shape, same bits of every entry in C order. */
    static void assertSameArray(INDArray actual, INDArray expected) {
        if (expected == null) {
            assertThat(actual).isNull();
            return;
        }
        assertThat(actual.dataType()).isEqualTo(expected.dataType());
        assertThat(actual.shape()).containsExactly(expected.shape());
        assertSameBits(actual.dup('c').data().asDouble(), expected.dup('c').data().asDouble());
    }

    static void assertSameRequest(SampleRequest actual, SampleRequest expected) {
        assertThat(actual.iteration()).isEqualTo(expected.iteration());
        assertSameBits(actual.x(), expected.x());
        assertSameBits(actual.warmStart(), expected.warmStart());
        assertSameArray(actual.matrix(), expected.matrix());
        assertThat(actual.replyTo()).isEqualTo(expected.replyTo());
    }
}
