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

class ChebyshevWeightsTest {

    private static double[] randomPreference(Random rnd, int s) {
        double[] r = new double[s];
        double sum = 0;
        for (int i = 0; i < s; i++) {
            r[i] = 0.05 + rnd.nextDouble();
            sum += r[i];
        }
        double rest = 1;
        for (int i = 0; i < s - 1; i++) {
            r[i] /= sum;
            rest -= r[i];
        }
        r[s - 1] = rest;
        return r;
    }

    private static double[] randomObjectives(Random rnd, int s) {
        double[] phi = new double[s];
        for (int i = 0; i < s; i++) phi[i] = 0.1 + 3 * rnd.nextDouble();
        return phi;
    }

    /** ‖G(r∘λ)‖² − u·λᵀ(r∘Φ), computed from the gradients themselves rather than from M. */
    private static double equationFive(double[][] g, double[] r, double[] phi, double u, double[] lam) {
        double norm2 = 0;
        for (double[] row : g) {
            double d = 0;
            for (int s = 0; s < r.length; s++) d += row[s] * r[s] * lam[s];
            norm2 += d * d;
        }
        double lin = 0;
        for (int s = 0; s < r.length; s++) lin += lam[s] * r[s] * phi[s];
        return norm2 - u * lin;
    }

    @Property(tries = 200, seed = "5")
    void reportedObjectiveIsTheValueOfEquationFiveAtTheReturnedWeights(
            @ForAll @IntRange(min = 1, max = 12) int s, @ForAll long seed) {
        Random rnd = new Random(seed);
        double[][] g = QpInstances.gradients(rnd, s, 1 + rnd.nextInt(s + 2), true);
        double[][] m = QpInstances.gram(g);
        double[] r = randomPreference(rnd, s);
        double[] phi = randomObjectives(rnd, s);
        double u = new double[] {0, 0.01, 1, 100}[rnd.nextInt(4)];
        SimplexQpSolution sol = ChebyshevWeights.solve(m, r, phi, u);
        double scale = 1 + SimplexQp.maxAbs(m) + u * SimplexQp.maxAbs(phi);
        assertThat(sol.objective()).isCloseTo(equationFive(g, r, phi, u, sol.weights()), within(1e-12 * scale));
        assertThat(sol.kktResidual()).isLessThanOrEqualTo(1e-12);
    }

    @Property(tries = 200, seed = "6")
    void equationFiveIsTheSimplexQpWithHessianTwoDiagRMDiagRAndLinearMinusURPhi(
            @ForAll @IntRange(min = 1, max = 7) int s, @ForAll long seed) {
        Random rnd = new Random(seed);
        double[][] m = QpInstances.gram(QpInstances.gradients(rnd, s, 1 + rnd.nextInt(s + 2), true));
        double[] r = randomPreference(rnd, s);
        double[] phi = randomObjectives(rnd, s);
        double u = new double[] {0, 0.1, 1, 10}[rnd.nextInt(4)];
        double[][] h = new double[s][s];
        double[] c = new double[s];
        for (int i = 0; i < s; i++) {
            c[i] = -u * r[i] * phi[i];
            for (int j = 0; j < s; j++) h[i][j] = 2 * r[i] * m[i][j] * r[j];
        }
        SimplexQpSolution sol = ChebyshevWeights.solve(m, r, phi, u);
        double brute = QpInstances.bruteForceMinimum(h, c);
        assertThat(QpInstances.objective(h, c, sol.weights()))
                .isCloseTo(brute, within(1e-10 * QpInstances.scale(h, c)));
        assertThat(sol.objective()).isCloseTo(brute, within(1e-10 * QpInstances.scale(h, c)));
    }

    @Property(tries = 200, seed = "7")
    void largeChebyshevWeightPutsAllWeightOnTheLargestWeightedObjective(
            @ForAll @IntRange(min = 2, max = 16) int s, @ForAll long seed) {
        Random rnd = new Random(seed);
        double[][] m = QpInstances.gram(QpInstances.gradients(rnd, s, 1 + rnd.nextInt(s + 2), true));
        double[] r = randomPreference(rnd, s);
        double[] phi = randomObjectives(rnd, s);
        int argmax = 0;
        for (int i = 1; i < s; i++) if (r[i] * phi[i] > r[argmax] * phi[argmax]) argmax = i;
        double second = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < s; i++) if (i != argmax) second = Math.max(second, r[i] * phi[i]);
        // u·(gap between the two largest r_sφ_s) must dominate the quadratic term, whose scale is max|M|
        double u = 1e3 * (1 + SimplexQp.maxAbs(m)) / (r[argmax] * phi[argmax] - second);
        SimplexQpSolution sol = ChebyshevWeights.solve(m, r, phi, u);
        assertThat(sol.weight(argmax)).isEqualTo(1.0);
        for (int i = 0; i < s; i++) if (i != argmax) assertThat(sol.weight(i)).isZero();
    }

    @Property(tries = 100, seed = "8")
    void zeroChebyshevWeightGivesThePreferenceScaledMinNormWeights(
            @ForAll @IntRange(min = 1, max = 10) int s, @ForAll long seed) {
        Random rnd = new Random(seed);
        double[][] m = QpInstances.gram(QpInstances.gradients(rnd, s, 1 + rnd.nextInt(s + 2), true));
        double[] r = randomPreference(rnd, s);
        double[][] scaled = new double[s][s];
        for (int i = 0; i < s; i++) for (int j = 0; j < s; j++) scaled[i][j] = r[i] * m[i][j] * r[j];
        SimplexQpSolution wc = ChebyshevWeights.solve(m, r, randomObjectives(rnd, s), 0);
        SimplexQpSolution mn = MinNormWeights.solve(scaled);
        assertThat(wc.objective()).isCloseTo(mn.objective(), within(1e-12 * (1 + SimplexQp.maxAbs(m))));
    }

    @Test
    void orthogonalUnitGradientsWithEqualPreferenceBalanceDescentAgainstTheLargerObjective() {
        // M = I, r = (½, ½), Φ = (1, 0): min ¼(λ1² + λ2²) − u·½λ1 → λ1 = ½ + u/2, clamped to 1 for u ≥ 1
        double[][] m = {{1, 0}, {0, 1}};
        double[] r = {0.5, 0.5};
        double[] phi = {1, 0};
        assertThat(ChebyshevWeights.solve(m, r, phi, 0.5).weights()).containsExactly(new double[] {0.75, 0.25},
                within(1e-15));
        assertThat(ChebyshevWeights.solve(m, r, phi, 2).weights()).containsExactly(1.0, 0.0);
        SimplexQpSolution sol = ChebyshevWeights.solve(m, r, phi, 0.5);
        assertThat(sol.objective()).isCloseTo(0.25 * (0.5625 + 0.0625) - 0.5 * 0.5 * 0.75, within(1e-15));
    }

    private static void assertRejected(Runnable call, String fieldPrefix) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(InvalidInputException.class,
                e -> assertThat(e.field()).startsWith(fieldPrefix));
    }

    @Test
    void invalidInputsAreRejectedNamingTheField() {
        double[][] m = {{1, 0}, {0, 1}};
        double[] r = {0.5, 0.5};
        double[] phi = {1, 2};
        assertRejected(() -> ChebyshevWeights.solve(new double[][] {{1, 2}, {0, 1}}, r, phi, 1), "gram");
        assertRejected(() -> ChebyshevWeights.solve(new double[][] {{1, 0, 0}, {0, 1, 0}}, r, phi, 1), "gram");
        assertRejected(() -> ChebyshevWeights.solve(new double[][] {{-1, 0}, {0, -1}}, r, phi, 1), "gram");
        assertRejected(() -> ChebyshevWeights.solve(m, new double[] {0.6, 0.6}, phi, 1), "preference");
        assertRejected(() -> ChebyshevWeights.solve(m, new double[] {1, 0}, phi, 1), "preference");
        assertRejected(() -> ChebyshevWeights.solve(m, new double[] {1}, phi, 1), "preference");
        assertRejected(() -> ChebyshevWeights.solve(m, r, new double[] {1}, 1), "objectives");
        assertRejected(() -> ChebyshevWeights.solve(m, r, new double[] {1, Double.NaN}, 1), "objectives");
        assertRejected(() -> ChebyshevWeights.solve(m, r, phi, -1), "chebyshevWeight");
        assertRejected(() -> ChebyshevWeights.solve(m, r, phi, Double.POSITIVE_INFINITY), "chebyshevWeight");
    }
}
