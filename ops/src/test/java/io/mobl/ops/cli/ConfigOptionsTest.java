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
        // wc-mhgd-stochastic is a configuration name (chosen through --problem stochastic-quadratic), not an --algorithm
        assertThat(mobl("run", "--set", "mobl.algorithm.name=wc-mhgd-stochastic", "--metrics-port", "0")).isEqualTo(2);
        assertThat(err.toString()).hasLineCount(1)
                .startsWith("mobl: --algorithm = wc-mhgd-stochastic: expected one of wc-mhgd")
                .contains("the value of mobl.algorithm.name, set at --set mobl.algorithm.name=wc-mhgd-stochastic");
        // given on the command line, the option's value is its own
        assertThat(mobl("run", "--algorithm", "wc-mhgd-stochastic", "--metrics-port", "0")).isEqualTo(2);
        assertThat(err.toString()).hasLineCount(1).doesNotContain("the value of");
        // an entry of a list option, checked by the command
        assertThat(mobl("run", "--set", "mobl.preference=0.4,0.6", "--objectives", "3",
                "--metrics-port", "0", "--runtime", "sync")).isEqualTo(2);
        assertThat(err.toString()).hasLineCount(1).startsWith("mobl: --preference")
                .contains("the value of mobl.preference, set at --set mobl.preference=");
    }

    @Test
    void everyOptionOfEverySubcommandReadsAtMostOneKeyAndTheIrregularOnesAreListed() {
        ConfigDefaults defaults = ConfigDefaults.load(Optional.empty(), Map.of());
        CommandLine cli = new CommandLine(new Main());
        List<CommandSpec> commands = new ArrayList<>(List.of(cli.getCommandSpec()));
        cli.getSubcommands().values().forEach(sub -> commands.add(sub.getCommandSpec()));
        for (CommandSpec command : commands) {
            String name = command == cli.getCommandSpec() ? "" : command.name();
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
    }
}
