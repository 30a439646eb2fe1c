package io.mobl.core.linalg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The loops over native memory against ND4J's own operations and plain Java arithmetic. */
class VectorsTest {
    private static double[] random(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] values = new double[n];
        for (int i = 0; i < n; i++) values[i] = random.nextGaussian();
        return values;
    }

    @Test
    void loopsAgreeWithNd4jAndWithJavaArithmetic() {
        int n = 1003; // not a multiple of the four partial sums
        double[] a = random(1, n);
        double[] b = random(2, n);
        INDArray x = Vectors.of(a);
        INDArray y = Vectors.of(b);

        double dot = 0;
        for (int i = 0; i < n; i++) dot += a[i] * b[i];
        assertThat(Vectors.dot(x, y)).isCloseTo(dot, within(1e-12 * n));
        assertThat(Vectors.dot(x, y)).isCloseTo(x.mul(y).sumNumber().doubleValue(), within(1e-12 * n));

        double[] axpy = Vectors.axpy(0.5, x, y).toDoubleVector();
        double[] subtract = Vectors.subtract(x, y).toDoubleVector();
        double[] xpby = Vectors.xpbyInPlace(x, 0.25, Vectors.copy(y)).toDoubleVector();
        for (int i = 0; i < n; i++) {
            assertThat(axpy[i]).isEqualTo(b[i] + 0.5 * a[i]);
            assertThat(subtract[i]).isEqualTo(a[i] - b[i]);
            assertThat(xpby[i]).isEqualTo(a[i] + b[i] * 0.25);
        }
        assertThat(y.toDoubleVector()).as("inputs are not modified").containsExactly(b);
        Vectors.axpyInPlace(-2, x, y);
        Vectors.scaleInPlace(3, x);
        for (int i = 0; i < n; i++) {
            assertThat(y.getDouble(i)).isEqualTo(b[i] + -2 * a[i]);
            assertThat(x.getDouble(i)).isEqualTo(a[i] * 3);
        }
    }

    @Test
    void theFusedDescentStepIsBitForBitTheTwoPassOne() {
        int n = 1003;
        INDArray y = Vectors.of(random(4, n));
        INDArray g = Vectors.of(random(5, n));
        double[] twoPass = Vectors.axpyInPlace(1.0, y, Vectors.scaleInPlace(-0.3, Vectors.copy(g))).toDoubleVector();
        double[] before = y.toDoubleVector();
        assertThat(Vectors.descentStepInPlace(y, 0.3, g).toDoubleVector()).containsExactly(twoPass);
        assertThat(y.toDoubleVector()).as("y is not modified").containsExactly(before);
    }

    @Test
    void stridedViewsAreReadThroughACopyAndRefusedForWriting() {
        INDArray matrix = Nd4j.create(random(3, 12), new long[] {3, 4}, DataType.DOUBLE);
        INDArray column = matrix.get(NDArrayIndex.all(), NDArrayIndex.point(2)); // stride 4
        INDArray row = matrix.getRow(1); // offset 4
        INDArray dense = Vectors.of(column.toDoubleVector());
        assertThat(Vectors.dot(column, column)).isEqualTo(Vectors.dot(dense, dense));
        assertThat(Vectors.copy(row).toDoubleVector()).containsExactly(row.toDoubleVector());
        assertThatThrownBy(() -> Vectors.axpyInPlace(1, dense, column))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("contiguous float64 vector");
        assertThatThrownBy(() -> Vectors.dot(dense, Vectors.zeros(4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lengths 3 and 4");
    }

    @Test
    void nonFiniteEntriesAreDetected() {
        assertThat(Vectors.allFinite(Vectors.of(1, 2, 3))).isTrue();
        assertThat(Vectors.allFinite(Vectors.of(1, Double.NaN, 3))).isFalse();
        assertThat(Vectors.allFinite(Vectors.of(1, 2, 3, 4, Double.NEGATIVE_INFINITY))).isFalse();
    }
}
