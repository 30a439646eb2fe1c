package io.mobl.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mobl.protocol.InvalidInputException;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class HypervolumeTest {

    private static double[][] randomPoints(Random rnd, int n, int s, boolean grid) {
        double[][] p = new double[n][s];
        for (double[] q : p) {
            for (int i = 0; i < s; i++) q[i] = grid ? rnd.nextInt(5) * 0.25 : rnd.nextDouble();
        }
        return p;
    }

    /** Points on the simplex-like front Σ q_s = 1 (mutually non-dominated), plus some noise. */
    private static double[][] frontPoints(Random rnd, int n, int s) {
        double[][] p = new double[n][s];
        for (double[] q : p) {
            double sum = 0;
            for (int i = 0; i < s; i++) {
                q[i] = rnd.nextDouble() + 1e-3;
                sum += q[i];
            }
            for (int i = 0; i < s; i++) q[i] /= sum;
        }
        return p;
    }

    private static double[] ones(int s, double v) {
        double[] r = new double[s];
        Arrays.fill(r, v);
        return r;
    }

    // ---- closed forms ---------------------------------------------------------------------------------

    @Test
    void twoDimensionalStaircaseHasTheAreaUnderItsSteps() {
        double[][] p = {{1, 3}, {2, 2}, {3, 1}};
        // (4−1)(4−3) + (4−2)(3−2) + (4−3)(2−1) = 3 + 2 + 1
        assertThat(Hypervolume.of(p, new double[] {4, 4})).isEqualTo(6.0);
    }

    @Test
    void oneDimensionalHypervolumeIsTheDistanceFromTheBestPointToTheReference() {
        assertThat(Hypervolume.of(new double[][] {{3}, {1.5}, {7}}, new double[] {4})).isEqualTo(2.5);
    }

    @Test
    void singleBoxHasTheProductOfItsSides() {
        assertThat(Hypervolume.of(new double[][] {{1, 2, 3}}, new double[] {4, 4, 4})).isEqualTo(6.0);
        assertThat(Hypervolume.of(new double[][] {{1, 2, 3, 0}}, new double[] {4, 4, 4, 2})).isEqualTo(12.0);
    }

    @Test
    void unionOfTwoThreeDimensionalBoxesFollowsInclusionExclusion() {
        // a = (0,0,2): 3·3·1 = 9; b = (2,1,0): 1·2·3 = 6; a ∨ b = (2,1,2): 1·2·1 = 2 → 9 + 6 − 2 = 13
        double[][] p = {{0, 0, 2}, {2, 1, 0}};
        double[] ref = {3, 3, 3};
        assertThat(Hypervolume.of(p, ref)).isEqualTo(13.0);
        assertThat(Hypervolume.bySlicing(p, ref)).isEqualTo(13.0);
        assertThat(Hypervolume.byInclusionExclusion(p, ref)).isEqualTo(13.0);
    }

    @Test
    void unionOfTwoFourDimensionalBoxesFollowsInclusionExclusion() {
        // a: 1·2·3·4 = 24; b: 4·3·2·1 = 24; a ∨ b = (3,2,2,3): 1·2·2·1 = 4 → 44
        double[][] p = {{3, 2, 1, 0}, {0, 1, 2, 3}};
        assertThat(Hypervolume.of(p, ones(4, 4))).isEqualTo(44.0);
    }

    @Test
    void threeDimensionalStaircaseOfUnitCubesCountsTheCubes() {
        // the corner cubes of {x+y+z ≥ 2} inside [0,3]^3 seen from ref (3,3,3): points on the plane Σ = 2
        // dominate every unit cube whose corner (i,j,k) has i+j+k ≥ 2: 27 − 1 (origin) − 3 (Σ = 1) = 23 cubes
        double[][] p = {{2, 0, 0}, {0, 2, 0}, {0, 0, 2}, {1, 1, 0}, {1, 0, 1}, {0, 1, 1}};
        assertThat(Hypervolume.of(p, ones(3, 3))).isEqualTo(23.0);
        assertThat(Hypervolume.bySlicing(p, ones(3, 3))).isEqualTo(23.0);
    }

    @Test
    void pointsNotDominatingTheReferenceAreIgnored() {
        double[][] p = {{1, 1}, {5, 0}, {0, 4}, {4, 4}};
        assertThat(Hypervolume.of(p, new double[] {4, 4})).isEqualTo(9.0);
        assertThat(Hypervolume.of(new double[][] {{5, 5, 5}}, ones(3, 4))).isZero();
        assertThat(Hypervolume.of(new double[0][], ones(3, 4))).isZero();
    }

    // ---- invariants -----------------------------------------------------------------------------------

    @Property(tries = 200, seed = "31")
    void addingADominatedPointDoesNotChangeTheHypervolume(
            @ForAll @IntRange(min = 1, max = 5) int s, @ForAll @IntRange(min = 1, max = 12) int n,
            @ForAll long seed) {
        Random rnd = new Random(seed);
        double[][] p = randomPoints(rnd, n, s, seed % 2 == 0);
        double[] ref = ones(s, 1.1);
        double[] worse = p[rnd.nextInt(n)].clone();
        for (int i = 0; i < s; i++) worse[i] += rnd.nextDouble() * 0.2 * (rnd.nextBoolean() ? 1 : 0);
        double[][] q = Arrays.copyOf(p, n + 1);
        q[n] = worse;
        assertThat(Hypervolume.of(q, ref)).isCloseTo(Hypervolume.of(p, ref), within(1e-12));
    }

    @Property(tries = 200, seed = "32")
    void addingAPointNeverDecreasesTheHypervolume(
            @ForAll @IntRange(min = 1, max = 5) int s, @ForAll @IntRange(min = 1, max = 12) int n,
            @ForAll long seed) {
        Random rnd = new Random(seed);
        double[][] p = randomPoints(rnd, n, s, false);
        double[] ref = ones(s, 1);
        double before = Hypervolume.of(Arrays.copyOf(p, n - 1), ref);
        assertThat(Hypervolume.of(p, ref)).isGreaterThanOrEqualTo(before - 1e-15);
    }

    @Property(tries = 200, seed = "33")
    void pointOrderDoesNotMatter(@ForAll @IntRange(min = 1, max = 5) int s,
                                 @ForAll @IntRange(min = 1, max = 15) int n, @ForAll long seed) {
        Random rnd = new Random(seed);
        double[][] p = randomPoints(rnd, n, s, seed % 3 == 0);
        double[][] shuffled = p.clone();
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            double[] t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        assertThat(Hypervolume.of(shuffled, ones(s, 1))).isEqualTo(Hypervolume.of(p, ones(s, 1)));
    }

    @Property(tries = 300, seed = "34")
    void exactMethodsAgreeWithEachOther(@ForAll @IntRange(min = 1, max = 6) int s,
                                        @ForAll @IntRange(min = 0, max = 12) int n, @ForAll long seed) {
        Random rnd = new Random(seed);
        double[][] p = seed % 2 == 0 ? frontPoints(rnd, n, s) : randomPoints(rnd, n, s, seed % 3 == 0);
        double[] ref = ones(s, 1.05);
        double fast = Hypervolume.of(p, ref);
        assertThat(Hypervolume.bySlicing(p, ref)).isCloseTo(fast, within(1e-12));
        assertThat(Hypervolume.byInclusionExclusion(p, ref)).isCloseTo(fast, within(1e-12));
    }

    @Property(tries = 100, seed = "35")
    void threeDimensionalSweepAgreesWithGeneralSlicingOnLargerSets(
            @ForAll @IntRange(min = 20, max = 120) int n, @ForAll long seed) {
        Random rnd = new Random(seed);
        double[][] p = seed % 2 == 0 ? frontPoints(rnd, n, 3) : randomPoints(rnd, n, 3, seed % 3 == 0);
        assertThat(Hypervolume.of(p, ones(3, 1.05))).isCloseTo(Hypervolume.bySlicing(p, ones(3, 1.05)), within(1e-12));
    }

    @Property(tries = 20, seed = "36")
    void threeDimensionalSweepAgreesWithMonteCarlo(@ForAll @IntRange(min = 1, max = 30) int n, @ForAll long seed) {
        Random rnd = new Random(seed);
        double[][] p = frontPoints(rnd, n, 3);
        double[] ref = ones(3, 1);
        int samples = 200_000;
        int hits = 0;
        for (int k = 0; k < samples; k++) {
            double x = rnd.nextDouble();
            double y = rnd.nextDouble();
            double z = rnd.nextDouble();
            for (double[] q : p) {
                if (q[0] <= x && q[1] <= y && q[2] <= z) {
                    hits++;
                    break;
                }
            }
        }
        double estimate = (double) hits / samples; // the box [0,1]^3 has volume 1
        double sigma = Math.sqrt(estimate * (1 - estimate) / samples);
        assertThat(Hypervolume.of(p, ref)).isCloseTo(estimate, within(5 * sigma + 1e-9));
    }

    // ---- input ----------------------------------------------------------------------------------------

    @Test
    void invalidInputsAreRejectedNamingTheField() {
        assertThatThrownBy(() -> Hypervolume.of(new double[][] {{1, 2}}, new double[] {1, 2, 3}))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("points[0]"));
        assertThatThrownBy(() -> Hypervolume.of(new double[][] {{1, Double.NaN}}, new double[] {3, 3}))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.field()).isEqualTo("points[0][1]"));
        assertThatThrownBy(() -> Hypervolume.of(new double[][] {{1, 1}}, new double[] {3, Double.NaN}))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.field()).isEqualTo("reference[1]"));
        assertThatThrownBy(() -> Hypervolume.of(null, new double[] {3, 3}))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("points"));
        assertThatThrownBy(() -> Hypervolume.byInclusionExclusion(randomPoints(new Random(1), 21, 2, false),
                ones(2, 2))).isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.field()).isEqualTo("points"));
    }
}
