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

class SimplexQpTest {

    private static void assertInSimplex(double[] lam) {
        double sum = 0;
        for (double v : lam) {
            assertThat(v).isGreaterThanOrEqualTo(0.0);
            sum += v;
        }
        assertThat(sum).isCloseTo(1.0, within(1e-14));
    }

    @Property(tries = 400, seed = "8151623")
    void objectiveAgreesWithBruteForceOverEverySupportForUpToSevenObjectives(
            @ForAll @IntRange(min = 1, max = 7) int s, @ForAll long seed) {
        Random rnd = new Random(seed);
        double[][] h = QpInstances.hessian(rnd, s);
        double[] c = QpInstances.linear(rnd, s);
        SimplexQpSolution sol = SimplexQp.solve(h, c);
        double brute = QpInstances.bruteForceMinimum(h, c);
        assertInSimplex(sol.weights());
        assertThat(sol.objective()).isCloseTo(brute, within(1e-10 * QpInstances.scale(h, c)));
        assertThat(sol.kktResidual()).isLessThanOrEqualTo(1e-12);
    }

    @Property(tries = 400, seed = "20240917")
    void kktResidualIsAtRoundOffOnRankDeficientInstancesWithUpTo32Objectives(
            @ForAll @IntRange(min = 2, max = 32) int s, @ForAll long seed) {
        Random rnd = new Random(seed);
        double[][] h = QpInstances.hessian(rnd, s);
        double[] c = QpInstances.linear(rnd, s);
        SimplexQpSolution sol = SimplexQp.solve(h, c);
        assertInSimplex(sol.weights());
        assertThat(sol.kktResidual()).isLessThanOrEqualTo(1e-12);
        assertThat(SimplexQp.kktResidual(h, c, sol.weights())).isEqualTo(sol.kktResidual());
        // feasible λ with a Frank–Wolfe gap at round-off level is optimal: f(λ) − f* ≤ gap
        assertThat(QpInstances.frankWolfeGap(h, c, sol.weights()))
                .isLessThanOrEqualTo(1e-11 * QpInstances.scale(h, c));
    }

    @Property(tries = 100, seed = "77")
    void fewerGradientDimensionsThanObjectivesStillGiveAnExactSolution(
            @ForAll @IntRange(min = 8, max = 32) int s, @ForAll @IntRange(min = 1, max = 4) int p,
            @ForAll long seed) {
        Random rnd = new Random(seed);
        double[][] h = QpInstances.gram(QpInstances.gradients(rnd, s, p, false));
        double[] c = QpInstances.linear(rnd, s);
        SimplexQpSolution sol = SimplexQp.solve(h, c);
        assertInSimplex(sol.weights());
        assertThat(sol.kktResidual()).isLessThanOrEqualTo(1e-12);
    }

    @Property(tries = 60, seed = "4242")
    void everyGradientDuplicatedStillGivesAnExactSolution(
            @ForAll @IntRange(min = 2, max = 16) int distinct, @ForAll long seed) {
        Random rnd = new Random(seed);
        int p = 1 + rnd.nextInt(distinct + 1);
        double[][] g0 = QpInstances.gradients(rnd, distinct, p, false);
        double[][] g = new double[p][2 * distinct];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < distinct; j++) {
                g[i][j] = g0[i][j];
                g[i][j + distinct] = g0[i][j];
            }
        }
        double[][] h = QpInstances.gram(g);
        double[] c = new double[2 * distinct];
        SimplexQpSolution sol = SimplexQp.solve(h, c);
        SimplexQpSolution once = SimplexQp.solve(QpInstances.gram(g0), new double[distinct]);
        assertThat(sol.kktResidual()).isLessThanOrEqualTo(1e-12);
        assertThat(sol.objective()).isCloseTo(once.objective(), within(1e-12 * QpInstances.scale(h, c)));
    }

    @Property(tries = 300, seed = "2")
    void twoObjectivesMatchTheClosedForm(@ForAll long seed) {
        Random rnd = new Random(seed);
        double[][] h = QpInstances.hessian(rnd, 2);
        double[] c = QpInstances.linear(rnd, 2);
        double denominator = h[0][0] - 2 * h[0][1] + h[1][1];
        double lambda1;
        if (denominator > 1e-9 * QpInstances.scale(h, c)) {
            lambda1 = Math.max(0, Math.min(1, (h[1][1] - h[0][1] + c[1] - c[0]) / denominator));
        } else { // linear along the edge: the cheaper vertex (or either one on a tie)
            lambda1 = c[0] < c[1] ? 1 : c[0] > c[1] ? 0 : Double.NaN;
        }
        SimplexQpSolution sol = SimplexQp.solve(h, c);
        double expected = Double.isNaN(lambda1) ? sol.objective()
                : QpInstances.objective(h, c, new double[] {lambda1, 1 - lambda1});
        assertThat(sol.objective()).isCloseTo(expected, within(1e-12 * QpInstances.scale(h, c)));
        if (denominator > 1e-6 * QpInstances.scale(h, c)) {
            assertThat(sol.weight(0)).isCloseTo(lambda1, within(1e-9));
        }
    }

    @Test
    void twoObjectivesWithAStrictlyConvexEdgeGiveTheInteriorMinimiser() {
        // f(λ1) = ½(2λ1² + 2λ2²) with c = (0.5, 0): λ1 = (2 − 0 + 0 − 0.5)/4 = 0.375
        SimplexQpSolution sol = SimplexQp.solve(new double[][] {{2, 0}, {0, 2}}, new double[] {0.5, 0});
        assertThat(sol.weights()).containsExactly(new double[] {0.375, 0.625}, within(1e-15));
        assertThat(sol.multiplier()).isCloseTo(1.25, within(1e-15)); // g = (0.75+0.5, 1.25)
        assertThat(sol.kktResidual()).isLessThanOrEqualTo(1e-15);
    }

    @Test
    void singularTwoByTwoHessianFallsBackToTheCheaperVertex() {
        // H = 11ᵀ is constant on the simplex, so only c matters
        SimplexQpSolution sol = SimplexQp.solve(new double[][] {{1, 1}, {1, 1}}, new double[] {0.3, -0.2});
        assertThat(sol.weights()).containsExactly(0.0, 1.0);
        assertThat(sol.objective()).isCloseTo(0.5 - 0.2, within(1e-15));
    }

    @Test
    void oneObjectiveGetsAllTheWeight() {
        SimplexQpSolution sol = SimplexQp.solve(new double[][] {{3}}, new double[] {-7});
        assertThat(sol.weights()).containsExactly(1.0);
        assertThat(sol.objective()).isEqualTo(1.5 - 7);
        assertThat(sol.multiplier()).isEqualTo(3 - 7);
        assertThat(sol.kktResidual()).isZero();
        assertThat(sol.iterations()).isZero();
    }

    @Test
    void linearObjectivePutsAllWeightOnTheSmallestCost() {
        double[] c = {0.4, -1.5, 0.2, -1.2, 3};
        SimplexQpSolution sol = SimplexQp.solve(new double[5][5], c);
        assertThat(sol.weights()).containsExactly(0, 1, 0, 0, 0);
        assertThat(sol.objective()).isEqualTo(-1.5);
        assertThat(sol.multiplier()).isEqualTo(-1.5);
    }

    @Test
    void identityHessianProjectsMinusCOntoTheSimplex() {
        // min ½‖λ‖² + cᵀλ = ½‖λ + c‖² + const: the Euclidean projection of −c onto the simplex
        double[] c = {-0.9, -0.1, 0.3, -0.6};
        double[][] id = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
        // projection of (0.9, 0.1, −0.3, 0.6): threshold τ with Σ max(v_i − τ, 0) = 1 → τ = 0.25
        SimplexQpSolution sol = SimplexQp.solve(id, c);
        assertThat(sol.weights()).containsExactly(new double[] {0.65, 0, 0, 0.35}, within(1e-15));
    }

    @Test
    void allZeroProblemReturnsTheBarycentre() {
        SimplexQpSolution sol = SimplexQp.solve(new double[3][3], new double[3]);
        assertThat(sol.weights()).containsExactly(new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3}, within(1e-16));
        assertThat(sol.kktResidual()).isLessThanOrEqualTo(1e-16);
    }

    @Property(tries = 50, seed = "99")
    void sameInputGivesBitIdenticalOutput(@ForAll @IntRange(min = 1, max = 20) int s, @ForAll long seed) {
        double[][] h = QpInstances.hessian(new Random(seed), s);
        double[] c = QpInstances.linear(new Random(seed + 1), s);
        SimplexQpSolution first = SimplexQp.solve(h, c);
        SimplexQpSolution second = SimplexQp.solve(h, c);
        assertThat(second).isEqualTo(first);
        for (int i = 0; i < s; i++) {
            assertThat(Double.doubleToRawLongBits(second.weight(i)))
                    .isEqualTo(Double.doubleToRawLongBits(first.weight(i)));
        }
    }

    @Test
    void solverDoesNotModifyItsInputs() {
        double[][] h = {{2, 1}, {1, 2}};
        double[] c = {0.1, -0.1};
        SimplexQp.solve(h, c);
        assertThat(h).isDeepEqualTo(new double[][] {{2, 1}, {1, 2}});
        assertThat(c).containsExactly(0.1, -0.1);
    }

    @Test
    void hugeAndTinyScalesAreSolvedAlike() {
        double[][] h = {{2, 1, 0}, {1, 2, 1}, {0, 1, 2}};
        double[] c = {0.3, -0.1, 0.2};
        double[] reference = SimplexQp.solve(h, c).weights();
        for (double a : new double[] {1e-200, 1e-8, 1e8, 1e200}) {
            double[][] ha = new double[3][3];
            double[] ca = new double[3];
            for (int i = 0; i < 3; i++) {
                ca[i] = a * c[i];
                for (int j = 0; j < 3; j++) ha[i][j] = a * h[i][j];
            }
            SimplexQpSolution sol = SimplexQp.solve(ha, ca);
            assertThat(sol.weights()).containsExactly(reference, within(1e-14));
            assertThat(sol.kktResidual()).isLessThanOrEqualTo(1e-12);
        }
    }

    // ---- invalid input --------------------------------------------------------------------------------

    private static void assertRejected(Runnable call, String fieldPrefix) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(InvalidInputException.class,
                e -> assertThat(e.field()).startsWith(fieldPrefix));
    }

    @Test
    void nonSquareHessianIsRejectedNamingTheHessian() {
        assertRejected(() -> SimplexQp.solve(new double[][] {{1, 0}, {0}}, new double[2]), "hessian");
        assertRejected(() -> SimplexQp.solve(new double[][] {{1, 0, 0}, {0, 1, 0}}, new double[2]), "hessian");
        assertRejected(() -> SimplexQp.solve(new double[0][], new double[0]), "hessian");
        assertRejected(() -> SimplexQp.solve(null, new double[1]), "hessian");
        assertRejected(() -> SimplexQp.solve(new double[][] {{1, 0}, null}, new double[2]), "hessian");
    }

    @Test
    void linearTermOfTheWrongLengthIsRejectedNamingIt() {
        assertRejected(() -> SimplexQp.solve(new double[][] {{1, 0}, {0, 1}}, new double[3]), "linear");
        assertRejected(() -> SimplexQp.solve(new double[][] {{1, 0}, {0, 1}}, null), "linear");
    }

    @Test
    void nonFiniteEntriesAreRejectedNamingTheirPosition() {
        assertRejected(() -> SimplexQp.solve(new double[][] {{1, Double.NaN}, {0, 1}}, new double[2]),
                "hessian[0][1]");
        assertRejected(() -> SimplexQp.solve(new double[][] {{1, 0}, {0, 1}},
                new double[] {0, Double.POSITIVE_INFINITY}), "linear[1]");
    }

    @Test
    void nonSymmetricHessianIsRejectedButRoundOffAsymmetryIsAccepted() {
        assertRejected(() -> SimplexQp.solve(new double[][] {{1, 0.5}, {0.4, 1}}, new double[2]), "hessian");
        SimplexQpSolution sol = SimplexQp.solve(new double[][] {{1, 0.5}, {0.5 + 1e-14, 1}}, new double[2]);
        assertThat(sol.weights()).containsExactly(new double[] {0.5, 0.5}, within(1e-14));
    }

    @Test
    void clearlyIndefiniteHessianIsRejected() {
        assertRejected(() -> SimplexQp.solve(new double[][] {{1, 0}, {0, -1}}, new double[2]), "hessian");
        assertRejected(() -> SimplexQp.solve(new double[][] {{-1}}, new double[1]), "hessian");
    }
}
