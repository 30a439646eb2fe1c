package io.mobl.ops.cli;

import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.FirstOrderView;
import io.mobl.core.problem.quadratic.RankDeficientProblem;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import io.mobl.ops.config.ProblemFile;
import io.mobl.protocol.InvalidInputException;
import java.nio.file.Path;
import io.mobl.ops.config.MoblConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Which problem to solve: a built-in one or a problem file. The values are read from the typed configuration
 * ({@link MoblConfig#problem()}), where the command line's have passed their keys' checks.
 */
public final class ProblemOptions {
    @Spec(Spec.Target.MIXEE) CommandSpec command;

    @Option(names = "--problem",
            description = "Built-in problem: quadratic (dense, small), quadratic-large (structured, memory O(p+q)), "
                    + "stochastic-quadratic (noisy samples around a dense quadratic, stochastic WC-MHGD) or "
                    + "rank-deficient (lower level convex, not strongly: rank q/2); "
                    + "file reads --problem-file. Default: ${DEFAULT-VALUE}.")
    String problem;

    @Option(names = "--problem-file", description = "A problem file (F.conf or F.json: HOCON or JSON, the same keys): type = quadratic (A, B, objectives) or type = learning (a model trained on named CSV/IDX data sources; see the README).")
    Path problemFile;

    @Option(names = "--seed", description = "Seed of the built-in problem's generator. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--upper-dim", description = "p, the upper-level dimension of a built-in problem. Default: ${DEFAULT-VALUE}.")
    int upperDimension;

    @Option(names = "--lower-dim", description = "q, the lower-level dimension of a built-in problem. Default: ${DEFAULT-VALUE}.")
    int lowerDimension;

    @Option(names = "--objectives", description = "S, the number of upper objectives of a built-in problem. Default: ${DEFAULT-VALUE}.")
    int objectives;

    @Option(names = "--oracles",
            description = "all, or first-order (hide the HV(g)/JV(g) oracles, as for a model without second derivatives). Default: ${DEFAULT-VALUE}.")
    String oracles;

    private MoblConfig.Problem config() {
        return Main.config(command.commandLine()).problem();
    }

    public BilevelProblem build() {
        return switch (config().oracles()) {
            case ALL -> buildAll();
            case FIRST_ORDER -> new FirstOrderView(buildAll());
        };
    }

    private BilevelProblem buildAll() {
        MoblConfig.Problem p = config();
        if (p.file().isPresent()) return ProblemFile.read(p.file().get());
        int lower = p.lowerDim();
        return switch (p.type()) {
            case QUADRATIC -> {
                if (lower > 2000) {
                    throw new InvalidInputException("--lower-dim", lower,
                            "at most 2000 for the dense quadratic problem (use --problem quadratic-large)");
                }
                yield QuadraticProblems.dense(p.seed(), p.upperDim(), lower, p.objectives(), 10, 0.5);
            }
            case QUADRATIC_LARGE -> QuadraticProblems.structured(p.seed(), p.upperDim(), lower, p.objectives(), 4, 10, 0.5);
            case RANK_DEFICIENT -> {
                if (lower < 2 || lower > 2000) {
                    throw new InvalidInputException("--lower-dim", lower, "an integer from 2 to 2000 for the rank-deficient problem");
                }
                yield RankDeficientProblem.random(p.seed(), p.upperDim(), lower, lower / 2, p.objectives(), 0.5);
            }
            case STOCHASTIC_QUADRATIC -> throw new InvalidInputException("--problem", "stochastic-quadratic",
                    "a deterministic problem here (stochastic-quadratic runs stochastic WC-MHGD)");
            case FILE -> throw new InvalidInputException("--problem-file", null, "a problem file with --problem file");
        };
    }

    /** Whether the problem is a stochastic one (solved by stochastic WC-MHGD on minibatches). */
    public boolean stochastic() {
        return config().type() == MoblConfig.ProblemType.STOCHASTIC_QUADRATIC;
    }

    public String describe() {
        MoblConfig.Problem p = config();
        return (p.file().isPresent() ? p.file().get().toString() : p.type().configName() + " (seed " + p.seed() + ")")
                + (p.oracles() == MoblConfig.OracleSet.ALL ? "" : ", " + p.oracles().configName() + " oracles");
    }
}
