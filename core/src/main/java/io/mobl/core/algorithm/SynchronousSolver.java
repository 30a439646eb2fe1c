package io.mobl.core.algorithm;

import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.CountingProblem;
import io.mobl.protocol.ParetoPoint;
import java.util.ArrayList;
import java.util.List;

/**
 * The plain loop around {@link WcMhgd}: the reference that every other runtime must match bit for bit.
 *
 * <p>Iteration k evaluates x_k (lower level, hypergradients, QP) and reports it. The run ends at the first k
 * with k = K or a stationarity gap ≤ ε; the reported point is that x_k, so its objectives and gap are
 * measured at the point itself. K iterations therefore make K updates and K + 1 evaluations.
 */
public final class SynchronousSolver {
    private SynchronousSolver() {}

    public static Solution solve(BilevelProblem problem, WcMhgdConfig config, double[] preference, String run,
                                 RunListener listener) {
        return solve(problem, config, preference, run, listener, null);
    }

    /** As {@link #solve(BilevelProblem, WcMhgdConfig, double[], String, RunListener)}, watched by {@code guard} (or null). */
    public static Solution solve(BilevelProblem problem, WcMhgdConfig config, double[] preference, String run,
                                 RunListener listener, DivergenceGuard guard) {
        CountingProblem counted = new CountingProblem(problem);
        WcMhgd algorithm = new WcMhgd(counted, config);
        WcMhgdState state = algorithm.initialState(preference);
        while (true) {
            WcMhgd.Iteration iteration;
            try {
                iteration = algorithm.iterate(state);
            } catch (NonFiniteValueException e) {
                if (guard == null) throw e;
                throw guard.nonFinite(e);
            }
            if (guard != null) guard.observe(state.iteration(), iteration.update().objectives(), iteration.update().stepNorm());
            listener.onIteration(iteration.telemetry(run, counted.calls()));
            if (config.finished(state.iteration(), iteration.update().stationarity())) {
                ParetoPoint point = iteration.paretoPoint(run, counted.calls());
                listener.onParetoPoint(point);
                return new Solution(point, state.x(), state);
            }
            state = iteration.next();
        }
    }

    /** One solve per preference, one after the other (the actor runtime runs them in parallel). */
    public static List<Solution> sweep(BilevelProblem problem, WcMhgdConfig config, List<double[]> preferences,
                                       String run, RunListener listener) {
        return sweep(problem, config, preferences, run, listener, List.of());
    }

    /**
     * As {@link #sweep(BilevelProblem, WcMhgdConfig, List, String, RunListener)}, each preference's run watched by a
     * {@link DivergenceGuard} of its own that names these steps (none when {@code steps} is empty).
     */
    public static List<Solution> sweep(BilevelProblem problem, WcMhgdConfig config, List<double[]> preferences,
                                       String run, RunListener listener, List<StepSize> steps) {
        List<Solution> solutions = new ArrayList<>(preferences.size());
        for (double[] preference : preferences) {
            solutions.add(solve(problem, config, preference, run, listener,
                    steps.isEmpty() ? null : DivergenceGuard.of("wc-mhgd", steps)));
        }
        return solutions;
    }
}
