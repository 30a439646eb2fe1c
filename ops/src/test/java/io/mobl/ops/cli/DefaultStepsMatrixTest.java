package io.mobl.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.core.algorithm.AlgorithmPlan;
import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.IterativeRun;
import io.mobl.core.algorithm.StepReport;
import io.mobl.core.algorithm.StepSizes;
import io.mobl.core.algorithm.penalty.StochasticWcPenalty;
import io.mobl.core.algorithm.penalty.WcPenalty;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.CountingProblem;
import io.mobl.protocol.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every algorithm on every built-in problem with the defaults only (what {@code mobl run --problem P --algorithm A}
 * does with no other option but a short budget): every step size is derived from the problem, and the run must
 * end finite and improving.
 */
class DefaultStepsMatrixTest {
    static final int BUDGET = 100;

    /** The algorithms that solve ∇²_yy g·v = ∇_y f by CG, which a singular lower level (rank-deficient) refuses. */
    static final List<String> CONJUGATE_GRADIENT = List.of("wc-mhgd", "linear-scalarisation", "mgda");

    static Stream<Arguments> deterministic() {
        List<Arguments> cases = new ArrayList<>();
        for (String problem : List.of("quadratic", "quadratic-large", "rank-deficient")) {
            for (String algorithm : AlgorithmOptions.KNOWN) {
                if (!(problem.equals("rank-deficient") && CONJUGATE_GRADIENT.contains(algorithm))) {
                    cases.add(Arguments.of(problem, algorithm, "cg"));
                }
            }
            cases.add(Arguments.of(problem, "wc-mhgd", "ns"));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} is refused on rank-deficient")
    @MethodSource("conjugateGradient")
    void conjugateGradientHypergradientsAreRefusedOnASingularLowerLevelNamingTheAlternatives(String algorithmName) {
        RunCommand command = command("--problem", "rank-deficient", "--algorithm", algorithmName);
        BilevelProblem problem = command.problem.build();
        assertThatThrownBy(() -> command.algorithm.plan(algorithmName, problem, StepSizes.of(problem)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("∇²_yy g is singular").hasMessageContaining("--hypergradient ns")
                .hasMessageContaining("wc-penalty");
    }

    static Stream<String> conjugateGradient() {
        return CONJUGATE_GRADIENT.stream();
    }

    @ParameterizedTest(name = "{1} ({2}) on {0}")
    @MethodSource("deterministic")
    void everyAlgorithmConvergesOnEveryProblemWithDerivedSteps(String problemName, String algorithmName, String hypergradient) {
        RunCommand command = command("--problem", problemName, "--algorithm", algorithmName, "--hypergradient", hypergradient,
                "--iterations", String.valueOf(BUDGET));
        BilevelProblem problem = command.problem.build();
        AlgorithmPlan plan = command.algorithm.plan(algorithmName, problem, StepSizes.of(problem));
        List<StepReport> reports = new ArrayList<>();
        IterativeAlgorithm<?> algorithm = plan.on(new CountingProblem(problem));
        run(algorithm, reports, plan);
        StepReport first = reports.get(0);
        StepReport last = reports.get(reports.size() - 1);
        System.out.printf(Locale.ROOT, "%-16s %-22s %s: %s  measure %.3e -> %.3e  f %s -> %s%n", problemName, algorithmName,
                hypergradient, plan.describeSteps(), first.measure(), last.measure(),
                java.util.Arrays.toString(first.objectives()), java.util.Arrays.toString(last.objectives()));
        for (double f : last.objectives()) assertThat(f).isFinite();
        assertThat(last.measure()).isFinite().isLessThanOrEqualTo(improvement(algorithmName) * first.measure());
    }

    /**
     * What "improving" means, as the factor by which the algorithm's own measure must fall from x_0 to x_K: the
     * hypergradient methods' Pareto-stationarity gap min_λ‖Ĝλ‖² by at least 100× (they converge linearly on these
     * problems); FORUM's KKT measure 𝒦 by 10×; WC-Penalty's ‖𝒦‖², which its theorem bounds only on average as
     * O(S/√T) with the penalties growing in T, by 10 % (deterministic) and 5 % (on minibatches of 2 rows).
     */
    static double improvement(String algorithm) {
        return switch (algorithm) {
            case "wc-penalty" -> 0.9;
            case "wc-penalty-stochastic" -> 0.95;
            case "forum" -> 0.1;
            default -> 0.01;
        };
    }

    private static <S> void run(IterativeAlgorithm<S> algorithm, List<StepReport> reports, AlgorithmPlan plan) {
        IterativeRun.run(algorithm, algorithm.initialState(new double[] {0.5, 0.5}, algorithm.problem().initialUpper()),
                BUDGET, reports::add, plan.guard());
    }

    static RunCommand command(String... args) {
        RunCommand command = new RunCommand();
        CommandLine cli = new CommandLine(command);
        cli.setDefaultValueProvider(ConfigDefaults.load(Optional.empty(), Map.of()));
        cli.parseArgs(args);
        return command;
    }
}
