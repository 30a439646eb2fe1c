package io.mobl.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.codec.ParetoPointJsonLines;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** {@code --config} and {@code --set} through {@link Main}, end to end: precedence, and mistakes at start. */
class ConfigOptionsTest {
    @TempDir Path dir;
    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    private int mobl(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    /** A small, quick synchronous run; the points it wrote. */
    private List<ParetoPoint> run(String... args) throws IOException {
        Path points = dir.resolve("points-" + System.nanoTime() + ".jsonl");
        List<String> all = new ArrayList<>(List.of(args));
        int at = all.indexOf("run");
        all.addAll(at + 1, List.of("--runtime", "sync", "--upper-dim", "2", "--lower-dim", "3",
                "--lower-iterations", "5", "--metrics-port", "0", "--out", points.toString()));
        assertThat(mobl(all.toArray(String[]::new))).as(err.toString()).isZero();
        return ParetoPointJsonLines.read(points);
    }

    private Path conf(String text) throws IOException {
        Path file = Files.createTempFile(dir, "mobl", ".conf");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void anOptionWinsOverSetWhichWinsOverTheFileWhichWinsOverReferenceConf() throws IOException {
        Path file = conf("""
                mobl {
                  run = fromfile
                  sweep = 2
                  algorithm { iterations = 7, tolerance = 1e-30 }
                }
                """);

        List<ParetoPoint> defaults = run("run", "--iterations", "3");
        assertThat(defaults).hasSize(5).allSatisfy(p -> assertThat(p.run()).isEqualTo("run"));

        List<ParetoPoint> fromFile = run("run", "--config", file.toString());
        assertThat(fromFile).hasSize(2).allSatisfy(p -> {
            assertThat(p.run()).isEqualTo("fromfile");
            assertThat(p.iterations()).isEqualTo(7);
        });

        List<ParetoPoint> set = run("run", "--config", file.toString(), "--set", "mobl.algorithm.iterations=9",
                "--set", "mobl.sweep=3");
        assertThat(set).hasSize(3).allSatisfy(p -> {
            assertThat(p.run()).isEqualTo("fromfile");
            assertThat(p.iterations()).isEqualTo(9);
        });

        List<ParetoPoint> flag = run("run", "--config", file.toString(), "--set", "mobl.algorithm.iterations=9",
                "--iterations", "11", "--run", "flag");
        assertThat(flag).hasSize(2).allSatisfy(p -> {
            assertThat(p.run()).isEqualTo("flag");
            assertThat(p.iterations()).isEqualTo(11);
        });
    }

    @Test
    void configAndSetMayStandBeforeTheSubcommandToo() throws IOException {
        Path file = conf("mobl.algorithm.iterations = 6\n");
        List<ParetoPoint> points = run("--config", file.toString(), "--set", "mobl.preference=0.25,0.75", "run");
        assertThat(points).singleElement().satisfies(p -> {
            assertThat(p.iterations()).isEqualTo(6);
            assertThat(p.preference()).containsExactly(0.25, 0.75);
        });
    }

    @Test
    void aPreferenceGivenOnTheCommandLineReplacesTheConfiguredSweepAndTheReverse() throws IOException {
        Path file = conf("mobl { preference = [0.4, 0.6], algorithm.iterations = 3 }\n");
        assertThat(run("run", "--config", file.toString())).singleElement()
                .satisfies(p -> assertThat(p.preference()).containsExactly(0.4, 0.6));
        assertThat(run("run", "--config", file.toString(), "--sweep", "2")).hasSize(2);
        assertThat(run("run", "--set", "mobl.sweep=3", "--set", "mobl.algorithm.iterations=3",
                "--preference", "0.5,0.5")).singleElement()
                .satisfies(p -> assertThat(p.preference()).containsExactly(0.5, 0.5));
    }

    @Test
    void theOutputKeyNamesTheFileRunWrites() throws IOException {
        Path points = dir.resolve("from-config.jsonl");
        assertThat(mobl("run", "--runtime", "sync", "--sweep", "1", "--iterations", "2", "--upper-dim", "2",
                "--lower-dim", "2", "--set", "mobl.metrics.port=0", "--set", "mobl.output=" + points))
                .as(err.toString()).isZero();
        assertThat(ParetoPointJsonLines.read(points)).hasSize(1);
    }

    @Test
    void helpShowsTheConfiguredDefault() {
        assertThat(mobl("--set", "mobl.algorithm.iterations=77", "run", "--help")).isZero();
        assertThat(out.toString()).contains("Default: 77");
    }

    @Test
    void anUnknownKeyFailsAtStartInOneLineNamingIt() {
        assertThat(mobl("run", "--set", "mobl.algorithm.iteratons=5")).isEqualTo(Main.USER_ERROR);
        assertThat(err.toString()).hasLineCount(1)
                .startsWith("mobl: mobl.algorithm.iteratons = \"5\": expected a key mobl knows")
                .contains("iterations").doesNotContain("Exception");
        assertThat(out.toString()).isEmpty();

        assertThat(mobl("--set", "kafka.topic=x", "report", "--from", "x.jsonl", "--out", "x.png")).isEqualTo(2);
        assertThat(err.toString()).hasLineCount(1).startsWith("mobl: kafka = ").contains("unknown top-level key");
    }

    @Test
    void aWrongValueFailsAtStartNamingKeyValueAndWhatIsAllowed() throws IOException {
        assertThat(mobl("run", "--set", "mobl.algorithm.iterations=many")).isEqualTo(2);
        assertThat(err.toString()).hasLineCount(1).startsWith(
                "mobl: mobl.algorithm.iterations = \"many\": expected an integer in [1, 100000000]")
                .contains("--set mobl.algorithm.iterations=many");

        Path file = conf("mobl {\n  metrics.port = 70000\n}\n");
        assertThat(mobl("run", "--config", file.toString())).isEqualTo(2);
        assertThat(err.toString()).hasLineCount(1)
                .startsWith("mobl: mobl.metrics.port = 70000: expected an integer in [-1, 65535]")
                .contains(file.getFileName() + ": 2");

        assertThat(mobl("run", "--set", "mobl.actors.ask-timeout=fast")).isEqualTo(2);
        assertThat(err.toString()).hasLineCount(1)
                .startsWith("mobl: mobl.actors.ask-timeout = \"fast\": expected a duration");

        assertThat(mobl("run", "--config", dir.resolve("absent.conf").toString())).isEqualTo(2);
        assertThat(err.toString()).hasLineCount(1).startsWith("mobl: config file = ").contains("a readable HOCON file");
    }

    @Test
    void aValueTheConfigurationAllowsButTheCommandRefusesSaysWhereItCameFrom() {
        // the dense quadratic problem takes q <= 2000, a limit of that problem, not of mobl.problem.lower-dim
        assertThat(mobl("run", "--set", "mobl.problem.lower-dim=3000", "--metrics-port", "0")).isEqualTo(2);
        assertThat(err.toString()).hasLineCount(1)
                .startsWith("mobl: --lower-dim = 3000: expected at most 2000 for the dense quadratic problem")
                .contains("the value of mobl.problem.lower-dim, set at --set mobl.problem.lower-dim=3000");
        // given on the command line, the option's value is its own
        assertThat(mobl("run", "--lower-dim", "3000", "--metrics-port", "0")).isEqualTo(2);
        assertThat(err.toString()).hasLineCount(1).doesNotContain("the value of");
        // a key the command line's values are checked with: the option names its value, the key where it was set
        assertThat(mobl("run", "--set", "mobl.preference=0.4,0.6", "--objectives", "3",
                "--metrics-port", "0", "--runtime", "sync")).isEqualTo(2);
        assertThat(err.toString()).hasLineCount(1).startsWith("mobl: mobl.preference = \"0.4,0.6\": expected one entry per objective (--objectives = 3)")
                .contains("set at --set mobl.preference=0.4,0.6");
        // a name the configuration does not know fails at start, from the command line as from --set
        assertThat(mobl("run", "--set", "mobl.algorithm.name=wc-mhgd-stochastic", "--metrics-port", "0")).isEqualTo(2);
        assertThat(err.toString()).hasLineCount(1)
                .startsWith("mobl: mobl.algorithm.name = \"wc-mhgd-stochastic\": expected one of wc-mhgd, wc-penalty")
                .contains("set at --set mobl.algorithm.name=wc-mhgd-stochastic");
        assertThat(mobl("run", "--algorithm", "wc-mhgd-stochastic", "--metrics-port", "0")).isEqualTo(2);
        assertThat(err.toString()).hasLineCount(1).startsWith("mobl: --algorithm = wc-mhgd-stochastic: expected one of wc-mhgd")
                .doesNotContain("set at");
    }

    /** mobl and every subcommand under it, the experiments' included. */
    private static List<CommandSpec> everyCommand() {
        List<CommandSpec> commands = new ArrayList<>();
        java.util.ArrayDeque<CommandLine> todo = new java.util.ArrayDeque<>(List.of(new CommandLine(new Main())));
        while (!todo.isEmpty()) {
            CommandLine cli = todo.pop();
            commands.add(cli.getCommandSpec());
            todo.addAll(cli.getSubcommands().values());
        }
        return commands;
    }

    /** "run", "experiment hyper-cleaning"; "" for mobl itself. */
    private static String nameOf(CommandSpec command) {
        String qualified = command.qualifiedName(" ");
        int space = qualified.indexOf(' ');
        return space < 0 ? "" : qualified.substring(space + 1);
    }

    @Test
    void noOptionStatesADefaultOfItsOwnReferenceConfIsTheOnlySource() {
        List<String> own = new ArrayList<>();
        for (CommandSpec command : everyCommand()) {
            for (OptionSpec option : command.options()) {
                if (option.defaultValue() != null) own.add(nameOf(command) + " " + option.longestName() + " = " + option.defaultValue());
            }
        }
        assertThat(own).as("options with a defaultValue of their own (give the default a key in reference.conf)").isEmpty();
        // and the defaults they show are reference.conf's
        assertThat(mobl("compare", "--help")).isZero();
        assertThat(out.toString()).contains("Default: 200").contains("Default: compare.json");
        assertThat(mobl("experiment", "data-mixture", "--help")).isZero();
        assertThat(out.toString()).contains("Default: results/data-mixture").contains("wc-penalty,cg.");
    }

    @Test
    void everyOptionAcceptsExactlyTheValuesItsKeyAllows() {
        ConfigDefaults defaults = ConfigDefaults.load(Optional.empty(), Map.of());
        Map<String, String> expectations = defaults.config().keys();
        java.util.regex.Pattern range = java.util.regex.Pattern.compile("an integer in \\[(-?\\d+), (-?\\d+)]");
        java.util.regex.Pattern names = java.util.regex.Pattern.compile("one of (.+)");
        int probed = 0;
        for (CommandSpec command : everyCommand()) {
            String name = nameOf(command);
            for (OptionSpec option : command.options()) {
                Optional<String> key = defaults.keyOf(name, option.longestName());
                if (key.isEmpty()) continue;
                String expected = expectations.get(key.get());
                assertThat(expected).as("%s %s reads %s, which the configuration never reads", name, option.longestName(), key.get())
                        .isNotNull();
                List<String> accepted = new ArrayList<>();
                List<String> refused = new ArrayList<>();
                var bounds = range.matcher(expected);
                var choices = names.matcher(expected);
                if (bounds.matches()) {
                    long lo = Long.parseLong(bounds.group(1));
                    long hi = Long.parseLong(bounds.group(2));
                    accepted.addAll(List.of(Long.toString(lo), Long.toString(hi)));
                    if (lo > Long.MIN_VALUE) refused.add(Long.toString(lo - 1));
                    if (hi < Long.MAX_VALUE && (hi < Integer.MAX_VALUE || option.type() == long.class)) refused.add(Long.toString(hi + 1));
                } else if (choices.matches()) {
                    accepted.addAll(List.of(choices.group(1).split(", ")));
                    refused.add("bogus");
                } else {
                    continue;
                }
                for (String value : accepted) {
                    assertThat(failure(defaults, command, option, value)).as("%s %s %s", name, option.longestName(), value)
                            .satisfiesAnyOf(e -> assertThat(e).isNull(), // or it fails for another key's sake
                                    e -> assertThat(e.field()).isNotEqualTo(option.longestName()).isNotEqualTo(key.get()));
                    assertThat(failureOfSet(key.get(), value)).as("--set %s=%s", key.get(), value)
                            .satisfiesAnyOf(e -> assertThat(e).isNull(), e -> assertThat(e.field()).isNotEqualTo(key.get()));
                }
                for (String value : refused) {
                    assertThat(failure(defaults, command, option, value)).as("%s %s %s", name, option.longestName(), value)
                            .isNotNull().satisfies(e -> assertThat(e.field()).isEqualTo(option.longestName()))
                            .satisfies(e -> assertThat(e.expected()).startsWith(expected));
                    assertThat(failureOfSet(key.get(), value)).as("--set %s=%s", key.get(), value)
                            .isNotNull().satisfies(e -> assertThat(e.field()).isEqualTo(key.get()));
                }
                probed++;
            }
        }
        assertThat(probed).as("options probed").isGreaterThan(30);
        // the two the configuration and the command line once disagreed on
        assertThat(mobl("run", "--objectives", "65", "--metrics-port", "0")).isEqualTo(Main.USER_ERROR);
        assertThat(err.toString()).startsWith("mobl: --objectives = 65: expected an integer in [2, 64]");
        assertThat(mobl("run", "--set", "mobl.problem.objectives=65", "--metrics-port", "0")).isEqualTo(Main.USER_ERROR);
        assertThat(err.toString()).startsWith("mobl: mobl.problem.objectives = \"65\": expected an integer in [2, 64]");
        assertThat(mobl("run", "--set", "mobl.algorithm.name=wc-mhgd-stochastic", "--metrics-port", "0")).isEqualTo(Main.USER_ERROR);
    }

    /** The failure of the command line {@code COMMAND OPTION VALUE} at its start (null: it would start). */
    private static io.mobl.protocol.InvalidInputException failure(ConfigDefaults defaults, CommandSpec command,
                                                                   OptionSpec option, String value) {
        List<String> args = new ArrayList<>(List.of(nameOf(command).split(" ")));
        args.removeIf(String::isEmpty);
        args.addAll(List.of(option.longestName(), value));
        for (var required : command.requiredArgs()) {
            if (required instanceof OptionSpec other && other != option) args.addAll(List.of(other.longestName(), "x.png"));
        }
        StringWriter ignored = new StringWriter();
        CommandLine cli = Main.commandLine(new Main(), defaults, new PrintWriter(ignored), new PrintWriter(ignored));
        try {
            defaults.resolve(cli.parseArgs(args.toArray(String[]::new)));
            return null;
        } catch (io.mobl.protocol.InvalidInputException e) {
            return e;
        }
    }

    private static io.mobl.protocol.InvalidInputException failureOfSet(String key, String value) {
        try {
            ConfigDefaults.load(Optional.empty(), Map.of(key, value));
            return null;
        } catch (io.mobl.protocol.InvalidInputException e) {
            return e;
        }
    }

    @Test
    void theKafkaTopicNamesFollowTheRunAndTheirKeys() {
        ConfigDefaults defaults = ConfigDefaults.load(Optional.empty(), Map.of("mobl.kafka.topics.telemetry", "ops.telemetry"));
        StringWriter ignored = new StringWriter();
        CommandLine cli = Main.commandLine(new Main(), defaults, new PrintWriter(ignored), new PrintWriter(ignored));
        var topics = defaults.resolve(cli.parseArgs("run", "--run", "r7")).kafka().topics();
        assertThat(topics).isEqualTo(new io.mobl.streams.kafka.TopicNames("mobl.r7.lower", "mobl.r7.upper", "ops.telemetry",
                "mobl.pareto", "mobl.control", "mobl.checkpoints", "mobl.dlq"));
        // another run's data topics (the demo's), the shared ones unchanged
        var demo = defaults.config().topicsFor("demo");
        assertThat(demo.lower()).isEqualTo("mobl.demo.lower");
        assertThat(demo.upper()).isEqualTo("mobl.demo.upper");
        assertThat(demo.telemetry()).isEqualTo("ops.telemetry");
        // a data topic a user named keeps its name for every run
        var named = ConfigDefaults.load(Optional.empty(), Map.of("mobl.kafka.topics.lower", "raw.samples")).config();
        assertThat(named.topicsFor("demo").lower()).isEqualTo("raw.samples");
        assertThat(named.topicsFor("demo").upper()).isEqualTo("mobl.demo.upper");
    }

    @Test
    void everyOptionOfEverySubcommandReadsAtMostOneKeyAndTheIrregularOnesAreListed() {
        ConfigDefaults defaults = ConfigDefaults.load(Optional.empty(), Map.of());
        for (CommandSpec command : everyCommand()) {
            String name = nameOf(command);
            for (OptionSpec option : command.options()) {
                assertThatCode(() -> defaults.keyOf(name, option.longestName()))
                        .as(name + " " + option.longestName()).doesNotThrowAnyException();
            }
        }
        assertThat(defaults.keyOf("run", "--iterations")).hasValue("mobl.algorithm.iterations");
        assertThat(defaults.keyOf("run", "--metrics-port")).hasValue("mobl.metrics.port");
        assertThat(defaults.keyOf("run", "--run")).hasValue("mobl.run");
        assertThat(defaults.keyOf("run", "--problem")).hasValue("mobl.problem.type");
        assertThat(defaults.keyOf("run", "--problem-file")).hasValue("mobl.problem.file");
        assertThat(defaults.keyOf("run", "--out")).hasValue("mobl.output");
        assertThat(defaults.keyOf("report", "--out")).isEmpty();
        assertThat(defaults.keyOf("report", "--telemetry")).isEmpty();
        assertThat(defaults.keyOf("report", "--bootstrap-servers")).hasValue("mobl.kafka.bootstrap-servers");
        assertThat(defaults.keyOf("", "--config")).isEmpty();
        assertThat(defaults.keyOf("compare", "--budget")).hasValue("mobl.compare.budget");
        assertThat(defaults.keyOf("compare", "--out")).hasValue("mobl.compare.out");
        assertThat(defaults.keyOf("experiment hyper-cleaning", "--seeds")).hasValue("mobl.experiment.hyper-cleaning.seeds");
        assertThat(defaults.keyOf("experiment data-mixture", "--methods")).hasValue("mobl.experiment.data-mixture.methods");
        assertThat(defaults.keyOf("experiment hyper-cleaning", "--iterations")).isEmpty();
        assertThat(defaults.keyOf("demo", "--iterations")).hasValue("mobl.demo.iterations");
        assertThat(defaults.keyOf("demo", "--sweep")).hasValue("mobl.sweep");
        assertThat(defaults.keyOf("produce", "--rate")).hasValue("mobl.produce.rate");
        assertThat(defaults.keyOf("run", "--rate")).hasValue("mobl.continuous.rate");
        assertThat(defaults.keyOf("produce", "--batch-size")).hasValue("mobl.demo.batch-size");
        assertThat(defaults.keyOf("run", "--batch-size")).hasValue("mobl.stochastic.batch-size");
    }
}
