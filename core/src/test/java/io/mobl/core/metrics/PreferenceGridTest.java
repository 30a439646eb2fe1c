package io.mobl.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mobl.protocol.InvalidInputException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PreferenceGridTest {

    @Property
    void theBalancedPreferenceIsUniformAndSumsToOne(@ForAll @IntRange(min = 1, max = 64) int objectives) {
        double[] r = PreferenceGrid.balanced(objectives);
        assertThat(r).hasSize(objectives);
        double sum = 0;
        for (int i = 0; i < objectives; i++) {
            assertThat(r[i]).isCloseTo(1.0 / objectives, within(1e-15));
            sum += r[i];
        }
        assertThat(sum).isCloseTo(1.0, within(1e-14));
        assertThat(r[objectives - 1]).isEqualTo(1.0 - (objectives - 1) * (1.0 / objectives));
    }

    @Test
    void twoObjectivesAreEvenlySpacedInTheOpenInterval() {
        double[][] grid = PreferenceGrid.of(2, 4);
        assertThat(grid).hasDimensions(4, 2);
        for (int i = 0; i < 4; i++) {
            assertThat(grid[i][0]).isEqualTo((i + 1) / 5.0);
            assertThat(grid[i][1]).isEqualTo(1 - (i + 1) / 5.0);
        }
    }

    @Test
    void threeObjectivesWithAFullLatticeGiveTheInteriorDasDennisPointsInLexicographicOrder() {
        // H = 5: C(4, 2) = 6 interior points
        double[][] grid = PreferenceGrid.of(3, 6);
        int[][] k = {{1, 1, 3}, {1, 2, 2}, {1, 3, 1}, {2, 1, 2}, {2, 2, 1}, {3, 1, 1}};
        for (int n = 0; n < 6; n++) {
            for (int s = 0; s < 3; s++) assertThat(grid[n][s]).isCloseTo(k[n][s] / 5.0, within(1e-16));
        }
        assertThat(PreferenceGrid.divisions(3, 6)).isEqualTo(5);
        assertThat(PreferenceGrid.divisions(3, 7)).isEqualTo(6);
        assertThat(PreferenceGrid.divisions(3, 1)).isEqualTo(3); // the centroid (1/3, 1/3, 1/3)
    }

    @Property(tries = 200, seed = "51")
    void everyVectorIsStrictlyInsideTheSimplexAndSumsToOne(
            @ForAll @IntRange(min = 2, max = 8) int s, @ForAll @IntRange(min = 1, max = 300) int n) {
        double[][] grid = PreferenceGrid.of(s, n);
        assertThat(grid).hasNumberOfRows(n);
        Set<List<Double>> distinct = new HashSet<>();
        for (double[] r : grid) {
            assertThat(r).hasSize(s);
            double sum = 0;
            for (double v : r) {
                assertThat(v).isGreaterThan(0.0);
                sum += v;
            }
            assertThat(sum).isCloseTo(1.0, within(1e-15));
            distinct.add(Arrays.stream(r).boxed().toList());
        }
        assertThat(distinct).hasSize(n);
    }

    @Property(tries = 100, seed = "52")
    void divisionsAreTheSmallestWithEnoughInteriorPoints(
            @ForAll @IntRange(min = 2, max = 8) int s, @ForAll @IntRange(min = 1, max = 5000) int n) {
        int h = PreferenceGrid.divisions(s, n);
        assertThat(PreferenceGrid.interiorPoints(h, s)).isGreaterThanOrEqualTo(n);
        assertThat(PreferenceGrid.interiorPoints(h - 1, s)).isLessThan(n);
    }

    @Property(tries = 50, seed = "53")
    void aLongerGridStartsWithTheShorterOneWhenTheLatticeIsTheSame(
            @ForAll @IntRange(min = 3, max = 6) int s, @ForAll @IntRange(min = 1, max = 200) int n) {
        int h = PreferenceGrid.divisions(s, n);
        int full = (int) PreferenceGrid.interiorPoints(h, s);
        double[][] longer = PreferenceGrid.of(s, full);
        double[][] shorter = PreferenceGrid.of(s, n);
        for (int i = 0; i < n; i++) assertThat(shorter[i]).isEqualTo(longer[i]);
    }

    @Test
    void invalidSizesAreRejected() {
        assertThatThrownBy(() -> PreferenceGrid.of(1, 3))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("objectives"));
        assertThatThrownBy(() -> PreferenceGrid.of(3, 0))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("count"));
    }
}
