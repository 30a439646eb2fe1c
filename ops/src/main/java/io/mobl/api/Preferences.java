package io.mobl.api;

import io.mobl.core.metrics.PreferenceGrid;
import io.mobl.protocol.Checks;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Which preferences a run explores: given vectors, or a grid of N over the open simplex whose dimension is the
 * problem's S (known only once the problem is).
 */
public final class Preferences {
    private final IntFunction<List<double[]>> forObjectives;

    private Preferences(IntFunction<List<double[]>> forObjectives) {
        this.forObjectives = forObjectives;
    }

    /** N preferences spread over the open simplex ({@link PreferenceGrid}). */
    public static Preferences grid(int count) {
        Checks.atLeast("preferences", count, 1);
        return new Preferences(objectives -> objectives == 1 ? List.of(new double[] {1.0})
                : List.of(PreferenceGrid.of(objectives, count)));
    }

    /** These preferences, each checked against the open simplex of the problem's S. */
    public static Preferences of(double[]... preferences) {
        List<double[]> copies = java.util.Arrays.stream(preferences).map(double[]::clone).toList();
        return new Preferences(objectives -> {
            for (double[] r : copies) Checks.preference("preference", r, objectives);
            return copies;
        });
    }

    List<double[]> forObjectives(int objectives) {
        return forObjectives.apply(objectives);
    }
}
