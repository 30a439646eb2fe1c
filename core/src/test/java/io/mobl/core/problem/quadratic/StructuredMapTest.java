package io.mobl.core.problem.quadratic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mobl.core.linalg.Vectors;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The structured products (plain loops) against the same matrix formed densely. */
class StructuredMapTest {
    private static INDArray gaussian(SplittableRandom random, int rows, int columns) {
        double[] values = new double[rows * columns];
        for (int i = 0; i < values.length; i++) values[i] = random.nextGaussian();
        return Nd4j.create(values, new long[] {rows, columns}, 'c');
    }

    /** Diag(d) on the first min(rows, columns) entries plus L·Rᵀ, entry by entry. */
    private static double[][] dense(int rows, int columns, double[] d, INDArray left, INDArray right) {
        double[][] m = new double[rows][columns];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < columns; j++) {
                double sum = i == j ? d[i] : 0;
                for (int r = 0; r < left.columns(); r++) sum += left.getDouble(i, r) * right.getDouble(j, r);
                m[i][j] = sum;
            }
        }
        return m;
    }

    private static void assertClose(INDArray actual, double[] expected) {
        assertThat(actual.length()).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) assertThat(actual.getDouble(i)).isCloseTo(expected[i], within(1e-12));
    }

    @Test
    void productsEqualTheDenseMatrixForTallWideAndSquareShapes() {
        SplittableRandom random = new SplittableRandom(17);
        for (int[] shape : new int[][] {{7, 4, 3}, {4, 9, 2}, {6, 6, 0}}) {
            int rows = shape[0], columns = shape[1], rank = shape[2];
            double[] d = new double[Math.min(rows, columns)];
            for (int i = 0; i < d.length; i++) d[i] = 1 + random.nextDouble();
            INDArray left = gaussian(random, rows, rank);
            INDArray right = gaussian(random, columns, rank);
            StructuredMap map = new StructuredMap(rows, columns, Vectors.of(d), left, right);
            DenseMap reference = new DenseMap(dense(rows, columns, d, left, right));
            INDArray v = gaussian(random, columns, 1).reshape(columns);
            INDArray w = gaussian(random, rows, 1).reshape(rows);

            assertClose(map.apply(v), reference.apply(v).toDoubleVector());
            assertClose(map.applyTransposed(w), reference.applyTransposed(w).toDoubleVector());
            INDArray out = Vectors.copy(w);
            map.applyAdd(-0.5, v, out);
            assertClose(out, Vectors.axpy(-0.5, reference.apply(v), w).toDoubleVector());
        }
    }

    @Test
    void woodburySolveAgreesWithTheDenseCholeskySolve() {
        SplittableRandom random = new SplittableRandom(23);
        int n = 12;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = 1 + 9 * random.nextDouble();
        INDArray u = gaussian(random, n, 3);
        StructuredMap.SymmetricPositive a = new StructuredMap.SymmetricPositive(Vectors.of(d), u);
        DenseMap.SymmetricPositive reference = new DenseMap.SymmetricPositive("A", dense(n, n, d, u, u));
        INDArray b = gaussian(random, n, 1).reshape(n);
        assertClose(a.solve(b), reference.solve(b).toDoubleVector());
        assertClose(a.apply(a.solve(b)), b.toDoubleVector());
    }
}
