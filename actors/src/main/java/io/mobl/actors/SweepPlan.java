package io.mobl.actors;

import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * A Pareto front exploration the {@link SweepManager} runs: one {@link RunPlan} per preference, deterministic
 * ({@link SweepSpec}) or stochastic ({@link StochasticSweepSpec}).
 */
public sealed interface SweepPlan permits SweepSpec, StochasticSweepSpec, AlgorithmSweepSpec {
    /** The run's name, as in telemetry and points. */
    String run();

    /** The number of preferences. */
    int size();

    /** What preference {@code index} runs. */
    RunPlan preferenceRun(int index);

    /**
     * The sweep's preferences, each checked to lie in the open simplex of {@code objectives} objectives and copied,
     * so that a caller who changes its arrays later changes nothing here.
     */
    static List<double[]> checkedPreferences(List<double[]> preferences, int objectives) {
        if (preferences == null || preferences.isEmpty()) {
            throw new InvalidInputException("preferences", preferences, "at least one preference vector");
        }
        List<double[]> copies = new ArrayList<>(preferences.size());
        for (int i = 0; i < preferences.size(); i++) {
            copies.add(Checks.preference("preferences[" + i + "]", preferences.get(i), objectives).clone());
        }
        return List.copyOf(copies);
    }
}
