package io.mobl.core.algorithm;

import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.CountingStochasticProblem;
import io.mobl.core.stochastic.StochasticBilevelProblem;
import io.mobl.protocol.ParetoPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The plain loop around {@link StochasticWcMhgd}: the reference that the actor runtime must match bit for bit
 * when both are fed the same batch sequence. As {@link SynchronousSolver}: iteration k evaluates x_k and reports
 * it; the run ends at the first k with k = K or an estimated gap ≤ ε, and reports that x_k.
 * After an iteration has been reported, its minibatches are acknowledged with {@link BatchSource#iterationDone}
 * (at-least-once: a crash before that replays them).
 */
public final class StochasticSolver {
    private StochasticSolver() {}

    /** One run; {@code source} stays open (the caller owns it). */
    public static Solution solve(StochasticBilevelProblem problem, StochasticWcMhgdConfig config, BatchSource source,
                                 double[] preference, String run, RunListener listener) {
        return solve(problem, config, source, preference, run, listener, null);
    }

    /** As {@link #solve(StochasticBilevelProblem, StochasticWcMhgdConfig, BatchSource, double[], String, RunListener)}, watched by {@code guard} (or null). */
    public static Solution solve(StochasticBilevelProblem problem, StochasticWcMhgdConfig config, BatchSource source,
                                 double[] preference, String run, RunListener listener, DivergenceGuard guard) {
        CountingStochasticProblem counted = new CountingStochasticProblem(problem);
        StochasticWcMhgd algorithm = new StochasticWcMhgd(counted, config);
        WcMhgdState state = algorithm.initialState(preference);
        while (true) {
            StochasticWcMhgd.Iteration step;
            try {
                step = algorithm.iterate(state, source);
            } catch (NonFiniteValueException e) {
                if (guard == null) throw e;
                throw guard.nonFinite(e);
            }
            WcMhgd.Iteration iteration = step.iteration();
            if (guard != null) guard.observe(state.iteration(), iteration.update().objectives(), iteration.update().stepNorm());
            listener.onIteration(iteration.telemetry(run, counted.calls()));
            source.iterationDone(state.iteration(), step.used());
            if (config.finished(state.iteration(), iteration.update().stationarity())) {
                ParetoPoint point = iteration.paretoPoint(run, counted.calls());
                listener.onParetoPoint(point);
                return new Solution(point, state.x(), state);
            }
            state = iteration.next();
        }
    }

    /**
     * One run per preference, one after the other, each with its own source from {@code sources} (given the
     * preference's index), closed when its run ends.
     */
    public static List<Solution> sweep(StochasticBilevelProblem problem, StochasticWcMhgdConfig config,
                                       List<double[]> preferences, IntFunction<BatchSource> sources, String run,
                                       RunListener listener) {
        return sweep(problem, config, preferences, sources, run, listener, List.of());
    }

    /** As the sweep above, each run watched by a {@link DivergenceGuard} naming {@code steps} (none when empty). */
    public static List<Solution> sweep(StochasticBilevelProblem problem, StochasticWcMhgdConfig config,
                                       List<double[]> preferences, IntFunction<BatchSource> sources, String run,
                                       RunListener listener, List<StepSize> steps) {
        List<Solution> solutions = new ArrayList<>(preferences.size());
        for (int i = 0; i < preferences.size(); i++) {
            try (BatchSource source = sources.apply(i)) {
                solutions.add(solve(problem, config, source, preferences.get(i), run, listener,
                        steps.isEmpty() ? null : DivergenceGuard.of("stochastic wc-mhgd", steps)));
            }
        }
        return solutions;
    }
}
