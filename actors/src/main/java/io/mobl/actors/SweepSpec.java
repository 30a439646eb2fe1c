package io.mobl.actors;

import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.WcMhgd;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.problem.BilevelProblem;
import java.util.List;
import java.util.Objects;

/**
 * A Pareto front exploration (P2): WC-MHGD on one problem for each of several preferences, all in parallel.
 * Checked when built, so a wrong input fails at the call rather than inside an actor.
 *
 * @param problem     the problem, shared read-only by every preference
 * @param config      the algorithm's inputs, the same for every preference
 * @param preferences one r per run, each in the open simplex (length S); at least one
 * @param run         the run's name, as in telemetry and points
 * @param listener    receives every preference's telemetry and point; called from several threads at once
 *                    (each preference's calls in order), so it must be thread-safe, and it must not block
 */
public record SweepSpec(BilevelProblem problem, WcMhgdConfig config, List<double[]> preferences, String run,
                        RunListener listener) implements SweepPlan {
    public SweepSpec {
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(listener, "listener");
        preferences = SweepPlan.checkedPreferences(preferences, problem.objectiveCount());
        new WcMhgd(problem, config); // the problem offers the oracles the algorithm needs
    }

    @Override
    public int size() {
        return preferences.size();
    }

    @Override
    public PreferenceRun preferenceRun(int index) {
        return new PreferenceRun(problem, config, run, index, preferences.get(index), listener);
    }
}
