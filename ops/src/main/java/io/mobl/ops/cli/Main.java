package io.mobl.ops.cli;

import io.mobl.protocol.InvalidInputException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mobl} command line. User mistakes print one line and exit with status 2; no stack trace. */
@Command(name = "mobl", mixinStandardHelpOptions = true, version = "mobl 0.1.0",
        description = "Multi-objective bilevel learning: preference-guided Pareto-stationary solutions and Pareto fronts.",
        subcommands = {RunCommand.class, DemoCommand.class, ReportCommand.class, CompareCommand.class,
                ExperimentCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    public static final int USER_ERROR = 2;

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command line with the given streams; returns the exit code. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof InvalidInputException)) cause = cause.getCause();
            if (cause instanceof InvalidInputException invalid) {
                err.println("mobl: " + invalid.getMessage());
                return USER_ERROR;
            }
            if (e instanceof ArithmeticException) {
                err.println("mobl: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli.execute(args);
    }
}
