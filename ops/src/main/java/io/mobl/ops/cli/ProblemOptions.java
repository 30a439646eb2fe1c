package io.mobl.ops.cli;

import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.FirstOrderView;
import io.mobl.core.problem.quadratic.RankDeficientProblem;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import io.mobl.ops.config.ProblemFile;
import io.mobl.protocol.InvalidInputException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which problem to solve: a built-in one or a problem file. */
public final class ProblemOptions {
    @Option(names = "--problem", defaultValue = "quadratic",
            description = "Built-in problem: quadratic (dense, small), quadratic-large (structured, memory O(p+q)), "
                    + "stochastic-quadratic (noisy samples around a dense quadratic, stochastic WC-MHGD) or "
                    + "rank-deficient (lower level convex, not strongly: rank q/2); "
                    + "file reads --problem-file. Default: ${DEFAULT-VALUE}.")
    String problem;

    @Option(names = "--problem-file", description = "A problem file (F.conf or F.json: HOCON or JSON, the same keys): type = quadratic (A, B, objectives) or type = learning (a model trained on named CSV/IDX data sources; see the README).")
    Path problemFile;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the built-in problem's generator. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--upper-dim", defaultValue = "8", description = "p, the upper-level dimension of a built-in problem. Default: ${DEFAULT-VALUE}.")
    int upperDimension;

    @Option(names = "--lower-dim", defaultValue = "12", description = "q, the lower-level dimension of a built-in problem. Default: ${DEFAULT-VALUE}.")
    int lowerDimension;

    @Option(names = "--objectives", defaultValue = "2", description = "S, the number of upper objectives of a built-in problem. Default: ${DEFAULT-VALUE}.")
    int objectives;

    @Option(names = "--oracles", defaultValue = "all",
            description = "all, or first-order (hide the HV(g)/JV(g) oracles, as for a model without second derivatives). Default: ${DEFAULT-VALUE}.")
    String oracles;

    public BilevelProblem build() {
        return switch (oracles) {
            case "all" -> buildAll();
            case "first-order" -> new FirstOrderView(buildAll());
            default -> throw new InvalidInputException("--oracles", oracles, "one of all, first-order");
        };
    }

    private BilevelProblem buildAll() {
        if (problemFile != null) return ProblemFile.read(problemFile);
        if (upperDimension < 1) throw new InvalidInputException("--upper-dim", upperDimension, "an integer >= 1");
        if (lowerDimension < 1) throw new InvalidInputException("--lower-dim", lowerDimension, "an integer >= 1");
        if (objectives < 1 || objectives > 64) throw new InvalidInputException("--objectives", objectives, "an integer from 1 to 64");
        return switch (problem) {
            case "quadratic" -> {
                if (lowerDimension > 2000) {
                    throw new InvalidInputException("--lower-dim", lowerDimension,
                            "at most 2000 for the dense quadratic problem (use --problem quadratic-large)");
                }
                yield QuadraticProblems.dense(seed, upperDimension, lowerDimension, objectives, 10, 0.5);
            }
            case "quadratic-large" -> QuadraticProblems.structured(seed, upperDimension, lowerDimension, objectives, 4, 10, 0.5);
            case "rank-deficient" -> {
                if (lowerDimension < 2 || lowerDimension > 2000) {
                    throw new InvalidInputException("--lower-dim", lowerDimension, "an integer from 2 to 2000 for the rank-deficient problem");
                }
                yield RankDeficientProblem.random(seed, upperDimension, lowerDimension, lowerDimension / 2, objectives, 0.5);
            }
            case "file" -> throw new InvalidInputException("--problem-file", null, "a problem file with --problem file");
            default -> throw new InvalidInputException("--problem", problem,
                    "one of quadratic, quadratic-large, stochastic-quadratic, rank-deficient, file");
        };
    }

    /** Whether the problem is a stochastic one (solved by stochastic WC-MHGD on minibatches). */
    public boolean stochastic() {
        return problemFile == null && "stochastic-quadratic".equals(problem);
    }

    public String describe() {
        return (problemFile != null ? problemFile.toString() : problem + " (seed " + seed + ")")
                + (oracles.equals("all") ? "" : ", " + oracles + " oracles");
    }
}
