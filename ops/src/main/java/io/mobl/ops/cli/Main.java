package io.mobl.ops.cli;

import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.codec.RecordDecodeException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * The {@code mobl} command line. User mistakes print one line and exit with status 2; no stack trace.
 *
 * <p>{@code --config file.conf} and {@code --set key=value} go with every subcommand. They are read before
 * the real parse, because they decide the other options' defaults ({@link ConfigDefaults}): an option on the
 * command line wins over {@code --set}, which wins over the file, which wins over {@code reference.conf}.
 */
@Command(name = "mobl", mixinStandardHelpOptions = true, version = "mobl 0.1.0",
        description = "Multi-objective bilevel learning: preference-guided Pareto-stationary solutions and Pareto fronts.",
        subcommands = {RunCommand.class, DemoCommand.class, ReportCommand.class, CompareCommand.class, BrokerCommand.class,
                ProduceCommand.class, Experiments.class, NodeCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    public static final int USER_ERROR = 2;
    static final String CONFIG = "--config";
    static final String SET = "--set";

    @Option(names = CONFIG, scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "A HOCON file of settings (keys as in reference.conf); command-line options win over it.")
    Path configFile;

    @Option(names = SET, scope = ScopeType.INHERIT, paramLabel = "KEY=VALUE",
            description = "Set one configuration key, e.g. --set mobl.algorithm.iterations=200; repeatable; wins over --config.")
    Map<String, String> overrides = new LinkedHashMap<>();

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command line with the given streams; returns the exit code. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        ConfigDefaults defaults;
        try {
            defaults = loadDefaults(args);
        } catch (InvalidInputException invalid) {
            err.println("mobl: " + invalid.getMessage());
            return USER_ERROR;
        }
        return execute(out, err, defaults, args);
    }

    /** Runs the command line with configuration already loaded (a command that runs another, like demo). */
    static int execute(PrintWriter out, PrintWriter err, ConfigDefaults defaults, String... args) {
        return commandLine(new Main(), defaults, out, err).execute(args);
    }

    /**
     * A command line for {@code command} (mobl itself, or one subcommand on its own, as a test runs it) that works
     * as mobl's does: defaults from the configuration, the options' values checked with it before the command
     * runs, and user mistakes told in one line with exit status 2.
     */
    static CommandLine commandLine(Object command, ConfigDefaults defaults, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(command);
        cli.setOut(out);
        cli.setErr(err);
        cli.setDefaultValueProvider(defaults);
        CommandLine.IParameterExceptionHandler parseErrors = cli.getParameterExceptionHandler();
        cli.setParameterExceptionHandler((e, args) -> {
            int code = parseErrors.handleParseException(e, args);
            CommandLine wrong = e.getCommandLine();
            if (e instanceof CommandLine.UnmatchedArgumentException && !wrong.getSubcommands().isEmpty()) {
                wrong.getErr().println("the subcommands of " + wrong.getCommandSpec().qualifiedName() + " are "
                        + String.join(", ", wrong.getSubcommands().keySet().stream().filter(n -> !n.equals("help")).toList()));
            }
            return code;
        });
        cli.setExecutionStrategy(parsed -> {
            if (CommandLine.printHelpIfRequested(parsed)) return 0;
            try {
                defaults.resolve(parsed); // the command line's values pass their keys' checks, before anything runs
            } catch (InvalidInputException invalid) {
                err.println("mobl: " + invalid.getMessage());
                return USER_ERROR;
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof InvalidInputException)) cause = cause.getCause();
            if (cause instanceof InvalidInputException invalid) {
                err.println("mobl: " + invalid.getMessage() + defaults.origin(parseResult, invalid.field()));
                return USER_ERROR;
            }
            if (cause instanceof RecordDecodeException undecodable) {
                err.println("mobl: " + undecodable.getMessage());
                return USER_ERROR;
            }
            if (e instanceof ArithmeticException) {
                err.println("mobl: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli;
    }

    /** The typed configuration in force for a running command: reference.conf, file, --set and its options. */
    static io.mobl.ops.config.MoblConfig config(CommandLine commandLine) {
        return ConfigDefaults.of(commandLine).config();
    }

    /** The names of mobl's subcommands, as typed after {@code mobl}. */
    static java.util.Set<String> subcommandNames() {
        Command command = Main.class.getAnnotation(Command.class);
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (Class<?> sub : command.subcommands()) {
            Command c = sub.getAnnotation(Command.class);
            if (c != null && !c.name().isEmpty()) names.add(c.name());
        }
        return names;
    }

    /**
     * Finds {@code --config} and {@code --set} wherever they stand (before or after the subcommand) with a
     * parse of its own, then loads and validates the configuration. When that parse fails the arguments are
     * wrong anyway, and the real parse reports how; the defaults alone are used until then.
     */
    static ConfigDefaults loadDefaults(String... args) {
        Optional<Path> file = Optional.empty();
        Map<String, String> overrides = new LinkedHashMap<>();
        try {
            ParseResult parsed = new CommandLine(new Main()).parseArgs(args);
            for (ParseResult level = parsed; level != null; level = level.subcommand()) {
                if (level.hasMatchedOption(CONFIG)) file = Optional.of(level.matchedOptionValue(CONFIG, (Path) null));
                if (level.hasMatchedOption(SET)) overrides.putAll(level.matchedOptionValue(SET, Map.<String, String>of()));
            }
        } catch (CommandLine.ParameterException wrongArguments) {
            return ConfigDefaults.load(Optional.empty(), Map.of());
        }
        return ConfigDefaults.load(file, overrides);
    }
}
