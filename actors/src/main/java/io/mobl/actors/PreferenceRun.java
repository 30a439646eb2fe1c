package io.mobl.actors;

import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.protocol.Checks;
import java.util.Objects;

/**
 * What one coordinator runs: WC-MHGD on {@code problem} for one preference.
 *
 * @param problem    the problem, shared read-only by every preference (the coordinator counts its own calls)
 * @param config     the algorithm's inputs
 * @param run        the run's name, as in telemetry and points
 * @param index      the preference's position in its sweep, from 0
 * @param preference r at the start, in the open simplex (length S)
 * @param listener   receives this preference's telemetry and point, in order, on the coordinator's thread;
 *                   shared by the preferences of a sweep, so it must be thread-safe, and it must not block
 */
public record PreferenceRun(BilevelProblem problem, WcMhgdConfig config, String run, int index, double[] preference,
                            RunListener listener) implements RunPlan {
    public PreferenceRun {
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(listener, "listener");
        preference = Checks.preference("preference", preference, problem.objectiveCount()).clone();
    }
}
