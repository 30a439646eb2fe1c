package io.mobl.core.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mobl.protocol.InvalidInputException;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class MinNormWeightsTest {

    private static double normSquaredOfCombination(double[][] g, double[] lam) {
        double n = 0;
        for (double[] row : g) {
            double d = 0;
            for (int s = 0; s < lam.length; s++) d += row[s] * lam[s];
            n += d * d;
        }
        return n;
    }

    @Property(tries = 200, seed = "11")
    void gapIsTheSquaredNormOfTheWeightedGradientAndIsMinimal(
            @ForAll @IntRange(min = 1, max = 7) int s, @ForAll long seed) {
        Random rnd = new Random(seed);
        double[][] g = QpInstances.gradients(rnd, s, 1 + rnd.nextInt(s + 2), true);
        double[][] m = QpInstances.gram(g);
        SimplexQpSolution sol = MinNormWeights.solve(m);
        double scale = 1 + SimplexQp.maxAbs(m);
        assertThat(sol.objective()).isGreaterThanOrEqualTo(0.0);
        assertThat(sol.objective()).isCloseTo(normSquaredOfCombination(g, sol.weights()), within(1e-12 * scale));
        double[][] h = new double[s][s];
        for (int i = 0; i < s; i++) for (int j = 0; j < s; j++) h[i][j] = 2 * m[i][j];
        assertThat(sol.objective()).isCloseTo(QpInstances.bruteForceMinimum(h, new double[s]), within(1e-10 * scale));
    }

    @Property(tries = 100, seed = "12")
    void oneZeroGradientGivesAZeroGap(@ForAll @IntRange(min = 1, max = 32) int s, @ForAll long seed) {
        Random rnd = new Random(seed);
        double[][] g = QpInstances.gradients(rnd, s, 1 + rnd.nextInt(40), false);
        int zero = rnd.nextInt(s);
        for (double[] row : g) row[zero] = 0;
        double[][] m = QpInstances.gram(g);
        SimplexQpSolution sol = MinNormWeights.solve(m);
        assertThat(sol.objective()).isLessThanOrEqualTo(1e-14 * (1 + SimplexQp.maxAbs(m)));
        assertThat(sol.kktResidual()).isLessThanOrEqualTo(1e-12);
    }

    @Property(tries = 100, seed = "13")
    void gradientsSpanningTheOriginGiveAZeroGap(@ForAll @IntRange(min = 2, max = 32) int s, @ForAll long seed) {
        // more gradients than dimensions, in general position around the origin: 0 lies in their convex hull
        Random rnd = new Random(seed);
        int p = 1 + rnd.nextInt(Math.max(1, s / 3));
        double[][] g = QpInstances.gradients(rnd, s, p, false);
        for (int i = 0; i < p; i++) { // make the last gradient minus the sum of the others: Σ g_s = 0
            double sum = 0;
            for (int j = 0; j < s - 1; j++) sum += g[i][j];
            g[i][s - 1] = -sum;
        }
        double[][] m = QpInstances.gram(g);
        SimplexQpSolution sol = MinNormWeights.solve(m);
        assertThat(sol.objective()).isLessThanOrEqualTo(1e-13 * (1 + SimplexQp.maxAbs(m)));
    }

    @Property(tries = 200, seed = "14")
    void twoGradientsMatchTheMgdaClosedForm(@ForAll long seed) {
        Random rnd = new Random(seed);
        double[][] g = QpInstances.gradients(rnd, 2, 1 + rnd.nextInt(5), false);
        double[][] m = QpInstances.gram(g);
        // λ1 = clamp((g2 − g1)·g2 / ‖g1 − g2‖², 0, 1)
        double lambda1 = Math.max(0, Math.min(1, (m[1][1] - m[0][1]) / (m[0][0] - 2 * m[0][1] + m[1][1])));
        SimplexQpSolution sol = MinNormWeights.solve(m);
        double expected = normSquaredOfCombination(g, new double[] {lambda1, 1 - lambda1});
        assertThat(sol.objective()).isCloseTo(expected, within(1e-12 * (1 + SimplexQp.maxAbs(m))));
    }

    @Test
    void orthonormalGradientsAreWeightedEqually() {
        double[][] identity = new double[5][5];
        for (int i = 0; i < 5; i++) identity[i][i] = 1;
        SimplexQpSolution sol = MinNormWeights.solve(identity);
        assertThat(sol.weights()).containsExactly(new double[] {0.2, 0.2, 0.2, 0.2, 0.2}, within(1e-15));
        assertThat(sol.objective()).isCloseTo(0.2, within(1e-15));
        assertThat(sol.multiplier()).isCloseTo(0.4, within(1e-15)); // μ = 2·gap
    }

    @Test
    void opposingGradientsCancel() {
        // g1 = (1, 2), g2 = −g1: λ = (½, ½) and the gap is 0
        double[][] m = {{5, -5}, {-5, 5}};
        SimplexQpSolution sol = MinNormWeights.solve(m);
        assertThat(sol.weights()).containsExactly(new double[] {0.5, 0.5}, within(1e-15));
        assertThat(sol.objective()).isZero();
    }

    @Test
    void identicalGradientsGiveTheirCommonSquaredNorm() {
        double[][] m = {{4, 4, 4}, {4, 4, 4}, {4, 4, 4}};
        assertThat(MinNormWeights.stationarityGap(m)).isCloseTo(4.0, within(1e-14));
    }

    @Test
    void allZeroGradientsGiveAZeroGapAndEqualWeights() {
        SimplexQpSolution sol = MinNormWeights.solve(new double[4][4]);
        assertThat(sol.objective()).isZero();
        assertThat(sol.weights()).containsExactly(new double[] {0.25, 0.25, 0.25, 0.25}, within(1e-16));
    }

    @Test
    void invalidGramIsRejectedNamingIt() {
        assertThatThrownBy(() -> MinNormWeights.solve(new double[][] {{1, 0.3}, {0.2, 1}}))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("gram"));
        assertThatThrownBy(() -> MinNormWeights.solve(new double[][] {{1, Double.NaN}, {Double.NaN, 1}}))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.field()).isEqualTo("gram[0][1]"));
        assertThatThrownBy(() -> MinNormWeights.solve(new double[][] {{1, 2}, {2, 1}}))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("gram"));
    }
}
