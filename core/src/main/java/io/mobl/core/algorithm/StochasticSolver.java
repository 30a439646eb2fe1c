package io.mobl.core.algorithm;

import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.CountingStochasticProblem;
import io.mobl.core.stochastic.StochasticBilevelProblem;
import io.mobl.core.checkpoint.RunJournal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Stochastic WC-MHGD on the synchronous loop ({@link IterativeRun}, through {@link StochasticWcMhgdAlgorithm}): the reference that the actor runtime must match bit for bit
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
        return solve(problem, config, preference, listener, guard, Durability.none(run, 0).withSource(source));
    }

    /**
     * As above, made durable by {@code durability} (whose source feeds the run): resumed from its journal's
     * checkpoint (the source resumed at the checkpoint's positions), checkpointed every N iterations. The loop is
     * {@link IterativeRun#runDurably} around {@link StochasticWcMhgdAlgorithm}.
     */
    public static Solution solve(StochasticBilevelProblem problem, StochasticWcMhgdConfig config, double[] preference,
                                 RunListener listener, DivergenceGuard guard, Durability durability) {
        CountingStochasticProblem counted = new CountingStochasticProblem(problem);
        StochasticWcMhgdAlgorithm algorithm = new StochasticWcMhgdAlgorithm(counted, config, durability.source());
        IterativeRun.Durable<WcMhgdState> result = IterativeRun.runDurably(algorithm, preference,
                counted.initialUpper(), config.budget(), listener, guard, durability);
        return new Solution(result.point(), result.x(WcMhgdState::x), result.state());
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
        return sweep(problem, config, preferences, sources, run, listener, steps, RunJournal.Factory.NONE, 0);
    }

    /**
     * As the sweep above, each preference i durable in the journal {@code journals.open(run, i)}, checkpointed
     * every {@code every} iterations (0: at the end only), with its source's positions.
     */
    public static List<Solution> sweep(StochasticBilevelProblem problem, StochasticWcMhgdConfig config,
                                       List<double[]> preferences, IntFunction<BatchSource> sources, String run,
                                       RunListener listener, List<StepSize> steps, RunJournal.Factory journals,
                                       int every) {
        List<Solution> solutions = new ArrayList<>(preferences.size());
        for (int i = 0; i < preferences.size(); i++) {
            try (BatchSource source = sources.apply(i); RunJournal journal = journals.open(run, i)) {
                solutions.add(solve(problem, config, preferences.get(i), listener,
                        steps.isEmpty() ? null : DivergenceGuard.of("stochastic wc-mhgd", steps),
                        new Durability(journal, every, run, i, source)));
            }
        }
        return solutions;
    }
}
