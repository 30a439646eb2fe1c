package io.mobl.core.algorithm;

import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.CountingProblem;
import io.mobl.core.checkpoint.RunJournal;
import java.util.ArrayList;
import java.util.List;

/**
 * WC-MHGD on the synchronous loop ({@link IterativeRun}, through {@link WcMhgdAlgorithm}): the reference that every other runtime must match bit for bit.
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
        return solve(problem, config, preference, listener, guard, Durability.none(run, 0));
    }

    /**
     * As {@link #solve(BilevelProblem, WcMhgdConfig, double[], String, RunListener)}, made durable by
     * {@code durability}: resumed from its journal's checkpoint, checkpointed every N iterations. The loop is
     * {@link IterativeRun#runDurably} around {@link WcMhgdAlgorithm}, the one synchronous loop of every algorithm.
     */
    public static Solution solve(BilevelProblem problem, WcMhgdConfig config, double[] preference, RunListener listener,
                                 DivergenceGuard guard, Durability durability) {
        CountingProblem counted = new CountingProblem(problem);
        WcMhgdAlgorithm algorithm = new WcMhgdAlgorithm(counted, config);
        IterativeRun.Durable<WcMhgdState> result = IterativeRun.runDurably(algorithm, preference,
                counted.initialUpper(), config.budget(), listener, guard, durability);
        return new Solution(result.point(), result.x(WcMhgdState::x), result.state());
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
        return sweep(problem, config, preferences, run, listener, steps, RunJournal.Factory.NONE, 0);
    }

    /**
     * As the sweep above, each preference i durable in the journal {@code journals.open(run, i)}, checkpointed
     * every {@code every} iterations (0: at the end only): a sweep run again with the same arguments resumes each
     * preference from its newest checkpoint.
     */
    public static List<Solution> sweep(BilevelProblem problem, WcMhgdConfig config, List<double[]> preferences,
                                       String run, RunListener listener, List<StepSize> steps,
                                       RunJournal.Factory journals, int every) {
        List<Solution> solutions = new ArrayList<>(preferences.size());
        for (int i = 0; i < preferences.size(); i++) {
            try (RunJournal journal = journals.open(run, i)) {
                solutions.add(solve(problem, config, preferences.get(i), listener,
                        steps.isEmpty() ? null : DivergenceGuard.of("wc-mhgd", steps),
                        new Durability(journal, every, run, i, Durability.NO_SOURCE)));
            }
        }
        return solutions;
    }
}
