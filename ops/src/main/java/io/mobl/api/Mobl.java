package io.mobl.api;

import io.mobl.actors.ActorRuntime;
import io.mobl.actors.AlgorithmSweepSpec;
import io.mobl.core.algorithm.AlgorithmPlan;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.StepSizes;
import io.mobl.core.algorithm.SynchronousSolver;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.CountingProblem;
import io.mobl.ops.cli.AlgorithmOptions;
import io.mobl.protocol.ParetoPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * mobl from Java, in one chain:
 * <pre>{@code
 *   Front front = Mobl.problem(problem).algorithm(Algorithm.wcMhgd()).preferences(Preferences.grid(7)).run();
 * }</pre>
 * The same choices as {@code mobl run}, read the same way (defaults from reference.conf, step sizes derived from the
 * problem and reported in {@link Front#steps()}, bad values refused naming the option) and run by the same code: a
 * front from here equals the one {@code mobl run --runtime sync} prints for the same settings.
 */
public final class Mobl {
    private Mobl() {}

    /** Starts a run description on {@code problem} (a built-in one, one from a problem file, or your own). */
    public static Run problem(BilevelProblem problem) {
        return new Run(Objects.requireNonNull(problem, "problem"), Algorithm.wcMhgd(), Preferences.grid(5), "run");
    }

    /**
     * An immutable run description: each method returns a new one.
     *
     * @param problem     the problem
     * @param algorithm   the algorithm and its settings (WC-MHGD with CG unless told)
     * @param preferences the preferences (a grid of 5 unless told)
     * @param name        the run's name in its points
     */
    public record Run(BilevelProblem problem, Algorithm algorithm, Preferences preferences, String name) {
        public Run algorithm(Algorithm choice) { return new Run(problem, Objects.requireNonNull(choice), preferences, name); }
        public Run preferences(Preferences choice) { return new Run(problem, algorithm, Objects.requireNonNull(choice), name); }
        public Run named(String run) { return new Run(problem, algorithm, preferences, Objects.requireNonNull(run)); }

        /** Runs it on the synchronous loop. */
        public Front run() {
            return run(Runtime.synchronous());
        }

        /** Runs it on {@code runtime}. */
        public Front run(Runtime runtime) {
            AlgorithmOptions options = AlgorithmOptions.parse(algorithm.arguments());
            String chosen = options.name();
            List<double[]> prefs = preferences.forObjectives(problem.objectiveCount());
            StepSizes steps = StepSizes.of(problem);
            if (runtime instanceof Runtime.Synchronous) return synchronous(options, chosen, prefs, steps);
            if (runtime instanceof Runtime.Actors) return actors(options, chosen, prefs, steps);
            throw new IllegalStateException("no runtime " + runtime); // Runtime is sealed: every kind is handled above
        }

        private Front actors(AlgorithmOptions options, String chosen, List<double[]> prefs, StepSizes steps) {
            try (ActorRuntime actors = new ActorRuntime()) {
                if (chosen.equals("wc-mhgd")) { // WC-MHGD's phases as messages, the S hypergradients at once
                    StepSizes.Derived<WcMhgdConfig> derived = options.wcMhgd(problem, steps);
                    return new Front(chosen, join(actors.sweep(problem, derived.config(), prefs, name, RunListener.NONE)
                            .points()), derived.steps());
                }
                AlgorithmPlan plan = options.plan(chosen, problem, steps);
                return new Front(chosen, join(actors.sweep(AlgorithmSweepSpec.of(i -> new AlgorithmSweepSpec.Part(
                                plan.on(new CountingProblem(problem)), null, plan.guard()), prefs, options.iterations(), name,
                        RunListener.NONE)).points()), plan.steps());
            }
        }

        private static List<ParetoPoint> join(java.util.concurrent.CompletionStage<List<ParetoPoint>> points) {
            try {
                return points.toCompletableFuture().join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw e;
            }
        }

        private Front synchronous(AlgorithmOptions options, String chosen, List<double[]> prefs, StepSizes steps) {
            if (chosen.equals("wc-mhgd")) { // core's reference loop, stopping at ε as mobl run does
                StepSizes.Derived<WcMhgdConfig> derived = options.wcMhgd(problem, steps);
                List<ParetoPoint> points = SynchronousSolver.sweep(problem, derived.config(), prefs, name,
                        RunListener.NONE, derived.steps()).stream().map(Solution::point).toList();
                return new Front(chosen, points, derived.steps());
            }
            AlgorithmPlan plan = options.plan(chosen, problem, steps);
            List<ParetoPoint> points = new ArrayList<>();
            for (double[] r : prefs) points.add(plan.solve(problem, r, options.iterations(), name));
            return new Front(chosen, points, plan.steps());
        }
    }
}
