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
        return solveOn(on(new CountingProblem(problem)), preference, iterations, run);
    }

    private <S> ParetoPoint solveOn(IterativeAlgorithm<S> algorithm, double[] preference, int iterations, String run) {
        IterativeRun.Outcome outcome = IterativeRun.run(algorithm,
                algorithm.initialState(preference, algorithm.problem().initialUpper()), iterations, r -> {}, guard());
        return outcome.last().point(run, preference, outcome.calls());
    }

    /** "α = 0.1 (1/L, L = 10 (stated)), β = 0.11 (…)". */
    public String describeSteps() {
        return String.join(", ", steps.stream().map(StepSize::describe).toList());
    }
}
