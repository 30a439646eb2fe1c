package io.mobl.core.algorithm;

import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.CountingProblem;
import io.mobl.protocol.ParetoPoint;
import java.util.List;
import java.util.function.Function;

/**
 * An algorithm chosen and configured for one problem: its name, its step sizes (given or derived from the problem,
 * {@link StepSizes}) and how to build it on that problem or on a wrapper of it (a
 * {@link io.mobl.core.problem.CountingProblem} per run), so that the steps are derived once and every run of a
 * sweep uses the same ones.
 *
 * @param name    the algorithm's name ("wc-penalty")
 * @param steps   its step sizes, in the order they are reported
 * @param factory builds the algorithm on the problem or a wrapper of it
 */
public record AlgorithmPlan(String name, List<StepSize> steps, Function<BilevelProblem, IterativeAlgorithm<?>> factory) {

    public AlgorithmPlan {
        steps = List.copyOf(steps);
    }

    /** The algorithm on {@code problem} (the planned problem, or a counting wrapper of it). */
    public IterativeAlgorithm<?> on(BilevelProblem problem) {
        return factory.apply(problem);
    }

    /** A fresh guard for one run, naming these steps. */
    public DivergenceGuard guard() {
        return DivergenceGuard.of(name, steps);
    }

    /**
     * One run for one preference on the synchronous loop ({@link IterativeRun}): K updates from the problem's x_0 on
     * a counting wrapper, watched by a fresh {@link #guard()}; the point x_K with the objectives and measure the
     * algorithm reports there (a negative measure, rounding below 0, is reported as 0) and the run's oracle calls.
     */
    public ParetoPoint solve(BilevelProblem problem, double[] preference, int iterations, String run) {
        return solve(problem, preference, iterations, RunListener.NONE, Durability.none(run, 0));
    }

    /**
     * As {@link #solve(BilevelProblem, double[], int, String)}, each iteration's telemetry to {@code listener}, made
     * durable by {@code durability} ({@link IterativeRun#runDurably}): a run with the same arguments resumes from the
     * journal's newest checkpoint.
     */
    public ParetoPoint solve(BilevelProblem problem, double[] preference, int iterations, RunListener listener,
                             Durability durability) {
        return solveOn(on(new CountingProblem(problem)), preference, iterations, listener, durability);
    }

    private <S> ParetoPoint solveOn(IterativeAlgorithm<S> algorithm, double[] preference, int iterations,
                                    RunListener listener, Durability durability) {
        return IterativeRun.runDurably(algorithm, preference, algorithm.problem().initialUpper(),
                new Budget(iterations, 0), listener, guard(), durability).point();
    }

    /** "α = 0.1 (1/L, L = 10 (stated)), β = 0.11 (…)". */
    public String describeSteps() {
        return String.join(", ", steps.stream().map(StepSize::describe).toList());
    }
}
