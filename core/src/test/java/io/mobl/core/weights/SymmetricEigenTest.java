package io.mobl.core.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SymmetricEigenTest {

    private static double[][] randomSymmetric(Random rnd, int n) {
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                a[i][j] = rnd.nextGaussian();
                a[j][i] = a[i][j];
            }
        }
        return a;
    }

    private static void assertDecomposes(double[][] a, SymmetricEigen.Result r, double tol) {
        int n = a.length;
        for (int e = 0; e < n; e++) {
            if (e > 0) assertThat(r.values()[e]).isLessThanOrEqualTo(r.values()[e - 1]);
            double[] v = r.vectors()[e];
            for (int i = 0; i < n; i++) {
                double av = 0;
                for (int j = 0; j < n; j++) av += a[i][j] * v[j];
                assertThat(av).isCloseTo(r.values()[e] * v[i], within(tol));
            }
            for (int f = 0; f < n; f++) {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += v[i] * r.vectors()[f][i];
                assertThat(dot).isCloseTo(e == f ? 1 : 0, within(tol));
            }
        }
    }

    @Property(tries = 50, seed = "5")
    void jacobiFallbackAgreesWithHipparchus(@ForAll @IntRange(min = 1, max = 32) int n, @ForAll long seed) {
        double[][] a = randomSymmetric(new Random(seed), n);
        SymmetricEigen.Result jacobi = SymmetricEigen.jacobi(a);
        SymmetricEigen.Result main = SymmetricEigen.decompose(a);
        assertDecomposes(a, jacobi, 1e-12);
        assertDecomposes(a, main, 1e-12);
        assertThat(jacobi.values()).containsExactly(main.values(), within(1e-12));
    }

    @Test
    void extremeMagnitudesAreDecomposedWithoutConvergenceFailure() {
        double[][] a = {{2, 1, 0}, {1, 2, 1}, {0, 1, 2}};
        for (double scale : new double[] {1e-300, 1e-200, 1e200, 1e300}) {
            double[][] b = new double[3][3];
            for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) b[i][j] = scale * a[i][j];
            SymmetricEigen.Result r = SymmetricEigen.decompose(b);
            assertThat(r.values()[0] / scale).isCloseTo(2 + Math.sqrt(2), within(1e-12));
            assertThat(r.values()[2] / scale).isCloseTo(2 - Math.sqrt(2), within(1e-12));
        }
    }
}
