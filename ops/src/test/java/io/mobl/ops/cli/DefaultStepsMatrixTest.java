package io.mobl.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.core.algorithm.AlgorithmPlan;
import io.mobl.core.algorithm.DivergenceGuard;
import io.mobl.core.lower.LowerLevelDescent;
import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.IterativeRun;
import io.mobl.core.algorithm.StepReport;
import io.mobl.core.algorithm.StepSizes;
import io.mobl.core.algorithm.penalty.StochasticWcPenalty;
import io.mobl.core.algorithm.penalty.WcPenalty;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.StochasticSolver;
import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.CountingProblem;
import io.mobl.core.problem.quadratic.ExactFronts;
import io.mobl.core.problem.quadratic.QuadraticProblem;
import io.mobl.core.stochastic.GeneratedBatchSource;
import io.mobl.core.stochastic.SampledView;
import io.mobl.core.stochastic.StochasticQuadraticProblem;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.mobl.core.weights.MinNormWeights;
import io.mobl.ops.config.LearningData;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
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
    /** K on the quadratic problems (milliseconds an iteration) and on the learning problems (a network pass a step). */
    static final int BUDGET = 100;
    static final int LEARNING_BUDGET = 30;
    @TempDir static Path data;

    /** The problems: the built-in ones, and two configured learning problems on generated CSV data. */
    static final List<String> PROBLEMS = List.of("quadratic", "quadratic-large", "rank-deficient", "stochastic-quadratic",
            "learning-logistic", "learning-shared-trunk");

    @BeforeAll
    static void writeProblemFiles() {
        LearningData.problem(data, "learning-logistic.conf", "kind = logistic", "sample-weights");
        LearningData.problem(data, "learning-shared-trunk.conf", "kind = shared-trunk, hidden = [6], activation = tanh",
                "sample-weights");
    }

    /**
     * The problem a name stands for, as {@code mobl run} builds it: the deterministic algorithms see the stochastic
     * quadratic problem through its mean (the expectation over samples, which is what a full batch is).
     */
    static BilevelProblem problem(String name) {
        if (name.startsWith("learning-")) return command("--problem-file", data.resolve(name + ".conf").toString()).problem.build();
        RunCommand command = command("--problem", name);
        if (name.equals("stochastic-quadratic")) {
            ProblemOptions p = command.problem;
            return command.stochastic.spec(p.seed, p.upperDimension, p.lowerDimension, p.objectives).problem().mean();
        }
        return command.problem.build();
    }

    /** The algorithms that solve ∇²_yy g·v = ∇_y f by CG, which a singular lower level (rank-deficient) refuses. */
    static final List<String> CONJUGATE_GRADIENT = AlgorithmOptions.TAKES_HYPERGRADIENT;

    static Stream<Arguments> deterministic() {
        List<Arguments> cases = new ArrayList<>();
        for (String problem : PROBLEMS) {
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
        RunCommand command = command("--algorithm", algorithmName);
        BilevelProblem problem = problem("rank-deficient");
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
        boolean learning = problemName.startsWith("learning-");
        int budget = learning ? LEARNING_BUDGET : BUDGET;
        RunCommand command = command("--algorithm", algorithmName, "--hypergradient", hypergradient,
                "--iterations", String.valueOf(budget));
        BilevelProblem problem = PROBLEM_CACHE.computeIfAbsent(problemName, DefaultStepsMatrixTest::problem);
        StepSizes steps = STEP_CACHE.computeIfAbsent(problemName, name -> StepSizes.of(problem)); // estimated once
        AlgorithmPlan plan = command.algorithm.plan(algorithmName, problem, steps);
        IterativeAlgorithm<?> algorithm = plan.on(new CountingProblem(problem));
        Trace trace = run(algorithm, budget, plan);
        StepReport first = trace.reports().get(0);
        StepReport last = trace.reports().get(trace.reports().size() - 1);
        for (double f : last.objectives()) assertThat(f).isFinite();
        double before;
        double after;
        boolean onTrueObjectives = learning && !algorithmName.startsWith("wc-penalty");
        if (onTrueObjectives) {
            // the true objectives Φ_s(x) = f_s(x, y*(x)), scalarised as the algorithm scalarises them
            INDArray start = START_CACHE.computeIfAbsent(problemName, name -> solveLower(problem, steps, first.x(),
                    problem.initialLower(), 2000));
            before = scalarised(algorithmName, objectives(problem, first.x(), start));
            after = scalarised(algorithmName, objectives(problem, last.x(), solveLower(problem, steps, last.x(), start, 1000)));
        } else {
            boolean sampled = algorithmName.equals("wc-penalty-stochastic");
            before = sampled ? trace.fullResidualBefore() : first.measure();
            after = sampled ? trace.fullResidualAfter() : last.measure();
        }
        System.out.printf(Locale.ROOT, "%-22s %-22s %s | %s | %s %.4e -> %.4e%n", problemName, algorithmName, hypergradient,
                plan.describeSteps(), onTrueObjectives ? scalarisation(algorithmName) + " of Φ" : last.measureName(), before, after);
        if (onTrueObjectives) {
            assertThat(after).as("%s of Φ", scalarisation(algorithmName)).isFinite().isLessThan(before);
        } else {
            assertThat(after).as(last.measureName()).isFinite().isLessThanOrEqualTo(improvement(algorithmName) * before);
        }
    }

    /**
     * What "improving" means on the problems whose measure falls fast, as the factor by which the algorithm's own
     * measure must fall from x_0 to x_K: the hypergradient methods' Pareto-stationarity gap min_λ‖Ĝλ‖² by at least
     * 100× (they converge linearly there); FORUM's KKT measure 𝒦 by 10×; WC-Penalty's ‖𝒦‖², which its theorem bounds
     * only on average as O(S/√T) with penalties growing in T, by 10 % (deterministic; the stochastic one on the
     * whole problem, not on its minibatch, by 5 %).
     */
    static double improvement(String algorithm) {
        return switch (algorithm) {
            case "wc-penalty" -> 0.9;
            case "wc-penalty-stochastic" -> 0.95;
            case "forum" -> 0.1;
            default -> 0.01;
        };
    }

    /**
     * On the learning problems the lower level itself is still converging during the first iterations (y_0 is the
     * network's initialisation; κ is in the hundreds), so the hypergradient methods' gaps at x_0 and x_K compare
     * different lower-level errors. There "improving" is judged on the true objectives Φ_s(x) = f_s(x, y*(x)), y*
     * solved to convergence, scalarised as each algorithm does: the weighted-Chebyshev value max_s r_s Φ_s falls for
     * WC-MHGD, Σ_s r_s Φ_s for linear scalarisation, and the mean Φ for the methods without a preference (MGDA, MOML,
     * MoCo, FORUM: their common descent direction lowers every objective to first order). WC-Penalty is judged on its
     * own ‖𝒦‖² there too: in K = 30 its x has barely moved (it reaches x only through ν = u·h while it fits y), and
     * 𝒦 is what its theorem bounds.
     */
    static String scalarisation(String algorithm) {
        if (algorithm.startsWith("wc-")) return "max r_s Φ_s";
        if (algorithm.equals("linear-scalarisation")) return "Σ r_s Φ_s";
        return "mean Φ_s";
    }

    static double scalarised(String algorithm, double[] phi) {
        double value = algorithm.startsWith("wc-") ? Double.NEGATIVE_INFINITY : 0;
        for (int s = 0; s < phi.length; s++) {
            if (algorithm.startsWith("wc-")) value = Math.max(value, PREFERENCE[s] * phi[s]);
            else if (algorithm.equals("linear-scalarisation")) value += PREFERENCE[s] * phi[s];
            else value += phi[s] / phi.length;
        }
        return value;
    }

    /** y*(x) by gradient descent with α = 1/L from {@code start}. */
    static INDArray solveLower(BilevelProblem problem, StepSizes steps, INDArray x, INDArray start, int iterations) {
        return LowerLevelDescent.descend(problem, x, start, iterations, 1 / steps.constants().lowerLipschitz().value(),
                false).solution();
    }

    static double[] objectives(BilevelProblem problem, INDArray x, INDArray y) {
        double[] phi = new double[problem.objectiveCount()];
        for (int s = 0; s < phi.length; s++) phi[s] = problem.upper(s, x, y).value();
        return phi;
    }

    /** Each problem, its constants and its y*(x_0), made once for all the algorithms that run on it. */
    static final Map<String, BilevelProblem> PROBLEM_CACHE = new java.util.concurrent.ConcurrentHashMap<>();
    static final Map<String, StepSizes> STEP_CACHE = new java.util.concurrent.ConcurrentHashMap<>();
    static final Map<String, INDArray> START_CACHE = new java.util.concurrent.ConcurrentHashMap<>();

    /** Every report of a run, and for the stochastic WC-Penalty its residual on the whole problem at θ_0 and θ_K. */
    record Trace(List<StepReport> reports, double fullResidualBefore, double fullResidualAfter) {}

    static final double[] PREFERENCE = {0.5, 0.5};

    @SuppressWarnings("unchecked")
    private static <S> Trace run(IterativeAlgorithm<S> algorithm, int budget, AlgorithmPlan plan) {
        List<StepReport> reports = new ArrayList<>();
        S start = algorithm.initialState(PREFERENCE, algorithm.problem().initialUpper());
        if (algorithm instanceof StochasticWcPenalty stochastic) {
            // its own measure is estimated on each step's minibatch: step by step, to keep θ_K for the whole residual
            DivergenceGuard guard = plan.guard();
            S state = start;
            for (int k = 0; k <= budget; k++) {
                IterativeAlgorithm.Step<S> step = algorithm.step(state);
                guard.observe(k, step.report().objectives(), step.report().stepNorm());
                reports.add(step.report());
                if (k < budget) state = step.next();
            }
            return new Trace(reports, stochastic.fullResidual((WcPenalty.State) start),
                    stochastic.fullResidual((WcPenalty.State) state));
        }
        IterativeRun.run(algorithm, start, budget, reports::add, plan.guard());
        return new Trace(reports, Double.NaN, Double.NaN);
    }

    /**
     * Stochastic WC-MHGD (Alg. 2/3) on the stochastic problem with its defaults: "improving" is the exact
     * Pareto-stationarity gap min_λ‖∇Φ(x)λ‖² of the mean problem (closed-form hypergradients) falling by half from
     * x_0 to x_K; the sampled gap the run reports stays at the noise level.
     */
    @Test
    void stochasticWcMhgdConvergesOnTheStochasticProblemWithDerivedSteps() {
        RunCommand command = command("--problem", "stochastic-quadratic", "--iterations", String.valueOf(BUDGET));
        ProblemOptions p = command.problem;
        StochasticQuadraticSpec spec = command.stochastic.spec(p.seed, p.upperDimension, p.lowerDimension, p.objectives);
        StochasticQuadraticProblem problem = spec.problem();
        StepSizes.Derived<StochasticWcMhgdConfig> derived = command.stochastic.derive(problem,
                () -> SampledView.of(problem, GeneratedBatchSource.of(spec, 8), 32, Duration.ofSeconds(1)));
        List<Solution> solutions = StochasticSolver.sweep(problem, derived.config(), List.of(new double[] {0.5, 0.5}),
                i -> GeneratedBatchSource.of(spec, command.stochastic.minibatchRows), "matrix", RunListener.NONE,
                derived.steps());
        System.out.printf(Locale.ROOT, "%-16s %-22s: %s%n", "stochastic-quadratic", "stochastic wc-mhgd", derived.describe());
        double start = exactGap(problem.mean(), problem.initialUpper());
        double end = exactGap(problem.mean(), solutions.get(0).x());
        assertThat(end).isFinite().isLessThanOrEqualTo(0.5 * start);
    }

    private static double exactGap(QuadraticProblem mean, INDArray x) {
        List<INDArray> g = ExactFronts.trueHypergradients(mean, x).orElseThrow();
        double[][] gram = new double[g.size()][g.size()];
        for (int a = 0; a < g.size(); a++) for (int b = 0; b < g.size(); b++) gram[a][b] = Vectors.dot(g.get(a), g.get(b));
        return MinNormWeights.stationarityGap(gram);
    }

    static RunCommand command(String... args) {
        RunCommand command = new RunCommand();
        CommandLine cli = new CommandLine(command);
        ConfigDefaults defaults = ConfigDefaults.load(Optional.empty(), Map.of());
        cli.setDefaultValueProvider(defaults);
        defaults.resolve(cli.parseArgs(args)); // what mobl does before a command runs: the values pass their keys' checks
        return command;
    }
}
