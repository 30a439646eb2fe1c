package io.mobl.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mobl.protocol.InvalidInputException;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class MetricsTest {

    // ---- IGD --------------------------------------------------------------------------------------------

    @Property(tries = 100, seed = "41")
    void igdOfAFrontAgainstItselfIsZero(@ForAll @IntRange(min = 1, max = 5) int s,
                                         @ForAll @IntRange(min = 1, max = 30) int n, @ForAll long seed) {
        Random rnd = new Random(seed);
        double[][] front = new double[n][s];
        for (double[] q : front) for (int i = 0; i < s; i++) q[i] = rnd.nextGaussian();
        assertThat(InvertedGenerationalDistance.igd(front, front)).isZero();
        assertThat(InvertedGenerationalDistance.igdPlus(front, front)).isZero();
    }

    @Test
    void igdIsTheMeanDistanceFromEachReferencePointToItsNearestFrontPoint() {
        double[][] front = {{0, 0}, {10, 10}};
        double[][] reference = {{3, 4}, {0, 1}, {10, 13}};
        assertThat(InvertedGenerationalDistance.igd(front, reference)).isCloseTo((5 + 1 + 3) / 3.0, within(1e-15));
    }

    @Test
    void igdPlusOnlyCountsHowMuchWorseTheFrontIs() {
        // a = (1,1) vs z = (0,2): worse by 1 in the first objective only → d⁺ = 1, while d = √2
        assertThat(InvertedGenerationalDistance.igdPlus(new double[][] {{1, 1}}, new double[][] {{0, 2}}))
                .isCloseTo(1.0, within(1e-15));
        assertThat(InvertedGenerationalDistance.igd(new double[][] {{1, 1}}, new double[][] {{0, 2}}))
                .isCloseTo(Math.sqrt(2), within(1e-15));
        // a front dominating every reference point has IGD⁺ = 0
        assertThat(InvertedGenerationalDistance.igdPlus(new double[][] {{0, 0}}, new double[][] {{1, 2}, {3, 0}}))
                .isZero();
    }

    @Test
    void igdRejectsEmptyOrMismatchedSets() {
        assertThatThrownBy(() -> InvertedGenerationalDistance.igd(new double[0][], new double[][] {{1}}))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("front"));
        assertThatThrownBy(() -> InvertedGenerationalDistance.igd(new double[][] {{1, 2}}, new double[][] {{1}}))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.field()).isEqualTo("front[0]"));
        assertThatThrownBy(() -> InvertedGenerationalDistance.igd(new double[][] {{1}}, new double[0][]))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.field()).isEqualTo("reference"));
    }

    // ---- preference alignment -------------------------------------------------------------------------

    @Test
    void weightedChebyshevIsTheLargestWeightedObjectiveAndSpreadItsRange() {
        double[] r = {0.2, 0.3, 0.5};
        double[] phi = {1, 2, 0.4}; // r∘Φ = (0.2, 0.6, 0.2)
        assertThat(PreferenceAlignment.weightedChebyshev(phi, r)).isCloseTo(0.6, within(1e-15));
        assertThat(PreferenceAlignment.spread(phi, r)).isCloseTo(0.4, within(1e-15));
        assertThat(PreferenceAlignment.weighted(phi, r)).containsExactly(new double[] {0.2, 0.6, 0.2}, within(1e-15));
    }

    @Test
    void pointOnThePreferenceRayHasZeroSpread() {
        double[] r = {0.25, 0.75};
        double[] phi = {3, 1}; // r∘Φ = (0.75, 0.75): Φ = 0.75·(1/r_1, 1/r_2)
        assertThat(PreferenceAlignment.spread(phi, r)).isZero();
        assertThat(PreferenceAlignment.weightedChebyshev(phi, r)).isEqualTo(0.75);
    }

    @Test
    void preferenceOutsideTheOpenSimplexIsRejected() {
        assertThatThrownBy(() -> PreferenceAlignment.spread(new double[] {1, 2}, new double[] {1, 0}))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.field()).startsWith("preference"));
        assertThatThrownBy(() -> PreferenceAlignment.spread(new double[] {1, 2}, new double[] {0.5, 0.6}))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.field()).startsWith("preference"));
        assertThatThrownBy(() -> PreferenceAlignment.spread(new double[] {1, Double.NaN}, new double[] {0.5, 0.5}))
                .isInstanceOfSatisfying(InvalidInputException.class,
                        e -> assertThat(e.field()).startsWith("objectives"));
    }

    // ---- Pareto filter --------------------------------------------------------------------------------

    @Test
    void paretoFilterKeepsExactlyTheNonDominatedPoints() {
        double[][] p = {{1, 3}, {2, 2}, {2, 3}, {3, 1}, {0.5, 5}, {2, 2}, {4, 4}};
        assertThat(ParetoFilter.nonDominatedIndices(p)).containsExactly(0, 1, 3, 4, 5);
        assertThat(ParetoFilter.nonDominated(p)).hasDimensions(5, 2);
        assertThat(ParetoFilter.dominates(new double[] {1, 2}, new double[] {1, 3})).isTrue();
        assertThat(ParetoFilter.dominates(new double[] {1, 3}, new double[] {1, 3})).isFalse();
        assertThat(ParetoFilter.dominates(new double[] {0, 4}, new double[] {1, 3})).isFalse();
    }

    @Property(tries = 100, seed = "42")
    void filteredSetIsMutuallyNonDominatedAndCoversEveryRemovedPoint(
            @ForAll @IntRange(min = 1, max = 4) int s, @ForAll @IntRange(min = 0, max = 40) int n,
            @ForAll long seed) {
        Random rnd = new Random(seed);
        double[][] p = new double[n][s];
        for (double[] q : p) for (int i = 0; i < s; i++) q[i] = rnd.nextInt(4);
        int[] kept = ParetoFilter.nonDominatedIndices(p);
        java.util.Set<Integer> keptSet = new java.util.HashSet<>();
        for (int k : kept) keptSet.add(k);
        for (int a : kept) for (int b : kept) assertThat(ParetoFilter.dominates(p[a], p[b])).isFalse();
        for (int i = 0; i < n; i++) {
            if (keptSet.contains(i)) continue;
            boolean covered = false;
            for (int k : kept) covered |= ParetoFilter.dominates(p[k], p[i]);
            assertThat(covered).as("point %d is dominated by a kept point", i).isTrue();
        }
        if (n > 0) {
            double[] ref = new double[s];
            java.util.Arrays.fill(ref, 5);
            assertThat(Hypervolume.of(ParetoFilter.nonDominated(p), ref)).isEqualTo(Hypervolume.of(p, ref));
        }
    }
}
