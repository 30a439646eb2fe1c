package io.mobl.api;

import io.mobl.core.algorithm.StepSize;
import io.mobl.protocol.ParetoPoint;
import java.util.List;

/**
 * What a run found: one Pareto point per preference (x, objectives, the algorithm's measure, iterations, oracle
 * calls) and the step sizes it used, given or derived.
 *
 * @param algorithm its name
 * @param points    one per preference, in the order of the preferences
 * @param steps     each step size with the rule that gave it
 */
public record Front(String algorithm, List<ParetoPoint> points, List<StepSize> steps) {
    public Front {
        points = List.copyOf(points);
        steps = List.copyOf(steps);
    }
}
