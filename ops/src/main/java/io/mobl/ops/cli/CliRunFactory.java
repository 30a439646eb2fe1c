package io.mobl.ops.cli;

import io.mobl.actors.AlgorithmSweepSpec;
import io.mobl.actors.RunFactory;
import io.mobl.actors.RunSpec;
import io.mobl.core.algorithm.AlgorithmPlan;
import io.mobl.core.algorithm.StepSizes;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.CountingProblem;
import io.mobl.protocol.InvalidInputException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import picocli.CommandLine;

/**
 * The CLI's {@link RunFactory}: a {@link RunSpec}'s {@code args} are the words a user typed after {@code mobl run}
 * (with its {@code --config} and {@code --set}), read on each node exactly as {@code mobl run} reads them: the same
 * problem (a built-in one from its options, or the problem file, which must be readable at the same path on every
 * member) and the same algorithm with the same step sizes. The problem and plan are made once per distinct
 * {@code args} on a node; each preference gets its own counting wrapper and guard.
 */
public final class CliRunFactory implements RunFactory {
    private record Planned(BilevelProblem problem, AlgorithmPlan plan) {}

    private final Map<List<String>, Planned> planned = new ConcurrentHashMap<>();

    @Override
    public AlgorithmSweepSpec.Part part(RunSpec spec) {
        Planned p = planned.computeIfAbsent(spec.args(), CliRunFactory::plan);
        return new AlgorithmSweepSpec.Part(p.plan().on(new CountingProblem(p.problem())), null, p.plan().guard());
    }

    /** The iterations K the run's options give (what each preference's spec carries). */
    static int iterations(List<String> args) {
        return parse(args).algorithm.iterations();
    }

    private static Planned plan(List<String> args) {
        RunCommand command = parse(args);
        if (command.problem.stochastic()) {
            throw new InvalidInputException("--problem", "stochastic-quadratic", "a deterministic problem on a cluster");
        }
        BilevelProblem built = command.problem.build();
        return new Planned(built, command.algorithm.plan(command.algorithm.name(), built, StepSizes.of(built)));
    }

    private static RunCommand parse(List<String> args) {
        List<String> line = new ArrayList<>();
        line.add("run");
        line.addAll(args);
        String[] words = line.toArray(new String[0]);
        ConfigDefaults defaults = Main.loadDefaults(words);
        StringWriter ignored = new StringWriter();
        CommandLine cli = Main.commandLine(new Main(), defaults, new PrintWriter(ignored), new PrintWriter(ignored));
        CommandLine.ParseResult parsed;
        try {
            parsed = cli.parseArgs(words);
        } catch (CommandLine.ParameterException e) {
            throw new InvalidInputException("run options", String.join(" ", args), e.getMessage());
        }
        defaults.resolve(parsed);
        return (RunCommand) parsed.subcommand().commandSpec().userObject();
    }
}
