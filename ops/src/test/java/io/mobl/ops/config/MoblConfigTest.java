package io.mobl.ops.config;

import io.mobl.ops.config.MoblConfig.AlgorithmName;
import io.mobl.ops.config.MoblConfig.Fixed;
import io.mobl.ops.config.MoblConfig.HypergradientMethod;
import io.mobl.ops.config.MoblConfig.ProblemType;
import io.mobl.ops.config.MoblConfig.RuntimeMode;
import io.mobl.ops.config.MoblConfig.Sweep;
import io.mobl.protocol.InvalidInputException;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MoblConfigTest {
    @TempDir
    Path dir;

    @Test
    void referenceConfDefaultsLoadIntoTheTypedTree() {
        MoblConfig config = MoblConfig.defaults();

        assertThat(config.run()).isEqualTo("run");
        assertThat(config.problem()).isEqualTo(new MoblConfig.Problem(ProblemType.QUADRATIC, Optional.empty(), 1, 8, 12, 2));
        assertThat(config.algorithm().name()).isEqualTo(AlgorithmName.WC_MHGD);
        assertThat(config.algorithm().hypergradient()).isEqualTo(HypergradientMethod.CG);
        assertThat(config.algorithm().lowerIterations()).isEqualTo(50);
        assertThat(config.algorithm().lowerStepSize()).isEmpty();
        assertThat(config.algorithm().upperStepSize()).isEmpty();
        assertThat(config.algorithm().cgSteps()).isEqualTo(10);
        assertThat(config.algorithm().chebyshevWeight()).isEqualTo(1.0);
        assertThat(config.algorithm().iterations()).isEqualTo(500);
        assertThat(config.algorithm().tolerance()).isEqualTo(1e-10);
        assertThat(config.preferences()).isEqualTo(new Sweep(5));
        assertThat(config.runtime()).isEqualTo(RuntimeMode.ACTORS);
        assertThat(config.kafka().embedded()).isTrue();
        assertThat(config.kafka().topics()).isEqualTo(new io.mobl.streams.kafka.TopicNames("mobl.run.lower", "mobl.run.upper",
                "mobl.telemetry", "mobl.pareto", "mobl.control", "mobl.checkpoints", "mobl.dlq"));
        assertThat(config.metrics()).isEqualTo(new MoblConfig.Metrics("127.0.0.1", 9464));
        assertThat(config.output()).isEmpty();
    }

    @Test
    void everyKeyOfReferenceConfIsReadAndAKeyNobodyReadsFails() {
        com.typesafe.config.Config reference = com.typesafe.config.ConfigFactory.defaultReferenceUnresolved();
        // ops' reference.conf (the first on the class path: this module's), and the actor runtime's block, which its
        // RuntimeSettings reads and this configuration checks at load; the actors module's other keys
        // (mobl.serialization) are read by the actor system it starts
        java.net.URL ops = MoblConfig.class.getResource("/reference.conf");
        assertThat(ops.toString()).contains("ops");
        java.util.Set<String> keys = new java.util.TreeSet<>();
        for (var entry : com.typesafe.config.ConfigFactory.parseURL(ops).getConfig("mobl").entrySet()) {
            keys.add("mobl." + entry.getKey());
        }
        for (var entry : com.typesafe.config.ConfigFactory.defaultReference().getConfig("mobl.actors").entrySet()) {
            keys.add("mobl.actors." + entry.getKey());
        }
        assertThat(keys).hasSizeGreaterThan(60);
        Map<String, String> read = MoblConfig.defaults().keys();
        for (String key : keys) {
            // loading without the key must fail naming it: every key is read (none is only parsed and dropped)
            assertThatThrownBy(() -> MoblConfig.load(reference.withoutPath(key), com.typesafe.config.ConfigFactory.empty()))
                    .as(key).isInstanceOf(InvalidInputException.class)
                    .satisfies(e -> assertThat(((InvalidInputException) e).field() + " " + e.getMessage())
                            .contains(key.startsWith("mobl.actors.") ? key.substring("mobl.actors.".length()) : key));
            // and, outside the actor runtime's block (RuntimeSettings reads that), into the typed tree, with its range
            if (!key.startsWith("mobl.actors.")) assertThat(read).as(key).containsKey(key);
        }
        // a key that nothing reads is a key nobody may set
        assertThat(read.keySet()).allSatisfy(key -> assertThat(keys).contains(key));
    }

    @Test
    void theCommandsOwnBlocksLoadIntoTheTypedTree() {
        MoblConfig config = MoblConfig.defaults();
        assertThat(config.problem().oracles()).isEqualTo(MoblConfig.OracleSet.ALL);
        assertThat(config.baselines()).isEqualTo(new MoblConfig.Baselines(0.1, java.util.OptionalDouble.empty(), 1.0, 2, 1));
        assertThat(config.stochastic()).isEqualTo(new MoblConfig.Stochastic(32, 10, 8, 1.0));
        assertThat(config.continuous()).isEqualTo(new MoblConfig.Continuous(50, 500));
        assertThat(config.kafka().batchTimeout()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(config.kafka().partitions()).isEqualTo(2);
        assertThat(config.demo()).isEqualTo(new MoblConfig.Demo("demo", 200, 5, 8, 5, 8));
        assertThat(config.produce()).isEqualTo(new MoblConfig.Produce(java.util.List.of("synthetic"), 5000, 1000, 0.5, 10_000, 0, MoblConfig.ProduceFormat.BATCHES));
        assertThat(config.compare().algorithms()).containsExactly("wc-mhgd", "linear-scalarisation", "mgda", "moml", "moco", "forum");
        assertThat(config.compare().out()).isEqualTo(Path.of("compare.json"));
        assertThat(config.report()).isEqualTo(new MoblConfig.Report(800, 600, 30));
        assertThat(config.experiments().hyperCleaning()).isEqualTo(new MoblConfig.HyperCleaning(3,
                Path.of("results/hyper-cleaning"), java.util.List.of("cg", "ns", "moml"), MoblConfig.Model.LOGISTIC,
                MoblConfig.Dtype.FLOAT64, 5));
        assertThat(config.experiments().dataMixture().methods()).containsExactly("wc-penalty", "cg");
        // durations and lists also as the command line writes them
        MoblConfig set = MoblConfig.load(Optional.empty(), Map.of("mobl.kafka.batch-timeout", "500ms",
                "mobl.produce.dataset", "mnist,fashion-mnist", "mobl.experiment.hyper-cleaning.sweep", "0"));
        assertThat(set.kafka().batchTimeout()).isEqualTo(java.time.Duration.ofMillis(500));
        assertThat(set.produce().dataset()).containsExactly("mnist", "fashion-mnist");
        assertThat(set.experiments().hyperCleaning().sweep()).isZero();
    }

    @Test
    void overridesWinOverTheFileWhichWinsOverTheDefaults() throws IOException {
        Path file = write("""
                mobl {
                  run = fromfile
                  algorithm { iterations = 50, cg-steps = 7 }
                }
                """);
        MoblConfig config = MoblConfig.load(Optional.of(file), Map.of("mobl.algorithm.iterations", "200"));

        assertThat(config.run()).isEqualTo("fromfile");
        assertThat(config.algorithm().iterations()).isEqualTo(200);
        assertThat(config.algorithm().cgSteps()).isEqualTo(7);
        assertThat(config.algorithm().lowerIterations()).isEqualTo(50);
    }

    @Test
    void perRunTopicsFollowTheRunName() {
        MoblConfig config = MoblConfig.load(Optional.empty(), Map.of("mobl.run", "cleaning-7"));
        assertThat(config.kafka().topics().lower()).isEqualTo("mobl.cleaning-7.lower");
        assertThat(config.kafka().topics().upper()).isEqualTo("mobl.cleaning-7.upper");
    }

    @Test
    void everyKeyCanBeSetFromTheCommandLineAsText() throws IOException {
        Path problem = write("p x");
        Map<String, String> set = new LinkedHashMap<>();
        set.put("mobl.problem.type", "file");
        set.put("mobl.problem.file", problem.toString());
        set.put("mobl.problem.seed", "-7");
        set.put("mobl.problem.upper-dim", "3");
        set.put("mobl.problem.lower-dim", "4");
        set.put("mobl.problem.objectives", "3");
        set.put("mobl.algorithm.name", "forum");
        set.put("mobl.algorithm.hypergradient", "ns");
        set.put("mobl.algorithm.lower-iterations", "16");
        set.put("mobl.algorithm.lower-step-size", "0.05");
        set.put("mobl.algorithm.upper-step-size", "1e-3");
        set.put("mobl.algorithm.chebyshev-weight", "2");
        set.put("mobl.algorithm.tolerance", "1E-8");
        set.put("mobl.preference", "0.2, 0.3, 0.5");
        set.put("mobl.runtime", "sync");
        set.put("mobl.kafka.bootstrap-servers", "kafka-1:9092, 10.0.0.2:9093");
        set.put("mobl.kafka.topics.dlq", "ops.dead-letters");
        set.put("mobl.metrics.host", "0.0.0.0");
        set.put("mobl.metrics.port", "-1");
        set.put("mobl.output", "out/front.jsonl");
        MoblConfig config = MoblConfig.load(Optional.empty(), set);

        assertThat(config.problem()).isEqualTo(new MoblConfig.Problem(ProblemType.FILE, Optional.of(problem), -7, 3, 4, 3));
        assertThat(config.algorithm().name()).isEqualTo(AlgorithmName.FORUM);
        assertThat(config.algorithm().hypergradient()).isEqualTo(HypergradientMethod.NS);
        assertThat(config.algorithm().lowerIterations()).isEqualTo(16);
        assertThat(config.algorithm().lowerStepSize()).hasValue(0.05);
        assertThat(config.algorithm().upperStepSize()).hasValue(1e-3);
        assertThat(config.algorithm().chebyshevWeight()).isEqualTo(2.0);
        assertThat(config.algorithm().tolerance()).isEqualTo(1e-8);
        assertThat(config.preferences()).isEqualTo(new Fixed(new double[] {0.2, 0.3, 0.5}));
        assertThat(config.runtime()).isEqualTo(RuntimeMode.SYNC);
        assertThat(config.kafka().bootstrapServers()).containsExactly("kafka-1:9092", "10.0.0.2:9093");
        assertThat(config.kafka().bootstrapServersProperty()).isEqualTo("kafka-1:9092,10.0.0.2:9093");
        assertThat(config.kafka().embedded()).isFalse();
        assertThat(config.kafka().topics().dlq()).isEqualTo("ops.dead-letters");
        assertThat(config.metrics()).isEqualTo(new MoblConfig.Metrics("0.0.0.0", -1));
        assertThat(config.metrics().enabled()).isTrue();
        assertThat(config.output()).hasValue(Path.of("out/front.jsonl"));
    }

    @Test
    void aListOverrideMayBeWrittenInHocon() {
        MoblConfig config = MoblConfig.load(Optional.empty(), Map.of("mobl.preference", "[0.25, 0.75]"));
        assertThat(config.preferences()).isEqualTo(new Fixed(new double[] {0.25, 0.75}));
    }

    @Test
    void aPekkoBlockPassesThroughToTheEffectiveConfig() throws IOException {
        Path file = write("pekko.loglevel = DEBUG\nmobl.metrics.port = 0\n");
        MoblConfig config = MoblConfig.load(Optional.of(file), Map.of());
        assertThat(config.effective().getString("pekko.loglevel")).isEqualTo("DEBUG");
        assertThat(config.metrics().enabled()).isFalse();
    }

    @Test
    void describeRendersTheEffectiveMoblBlock() {
        String text = MoblConfig.load(Optional.empty(), Map.of("mobl.algorithm.iterations", "77")).describe();
        assertThat(text).contains("mobl").contains("iterations").contains("77").doesNotContain("pekko");
    }

    @Test
    void thePreferenceIsCopiedIn() {
        double[] r = {0.5, 0.5};
        Fixed fixed = new Fixed(r);
        r[0] = 9;
        fixed.preference()[1] = 9;
        assertThat(fixed.preference()).containsExactly(0.5, 0.5);
    }

    @Nested
    class Errors {
        @Test
        void anUnknownKeyInTheFileNamesItsFullPathAndWhereItWasWritten() throws IOException {
            Path file = write("mobl {\n  algorithm {\n    iteratons = 5\n  }\n}\n");
            fails(Optional.of(file), Map.of())
                    .satisfies(e -> assertThat(e.field()).isEqualTo("mobl.algorithm.iteratons"))
                    .satisfies(e -> assertThat(e.value()).isEqualTo("5"))
                    .hasMessageContaining("unknown key")
                    .hasMessageContaining(file.getFileName() + ": 3")
                    .hasMessageContaining("iterations");
        }

        @Test
        void anUnknownKeyFromTheCommandLineIsNamed() {
            fails(Map.of("mobl.kafka.bootstrap", "x:1"))
                    .satisfies(e -> assertThat(e.field()).isEqualTo("mobl.kafka.bootstrap"))
                    .hasMessageContaining("--set mobl.kafka.bootstrap=x:1")
                    .hasMessageContaining("bootstrap-servers");
        }

        @Test
        void anUnknownTopLevelKeyIsRejected() {
            fails(Map.of("mbol.run", "x"))
                    .satisfies(e -> assertThat(e.field()).isEqualTo("mbol"))
                    .hasMessageContaining("keys under mobl");
        }

        @Test
        void anObjectWhereAValueBelongsAndTheReverseAreTypeErrors() {
            fails(Map.of("mobl.algorithm.iterations", "{ k = 5 }"))
                    .satisfies(e -> assertThat(e.field()).isEqualTo("mobl.algorithm.iterations"))
                    .hasMessageContaining("a single value");
            fails(Map.of("mobl.algorithm", "5"))
                    .satisfies(e -> assertThat(e.field()).isEqualTo("mobl.algorithm"))
                    .hasMessageContaining("an object with keys");
        }

        @ParameterizedTest(name = "{0} = {1}")
        @CsvSource(delimiter = '|', value = {
                "mobl.algorithm.iterations        | many    | an integer in [1, 100000000]",
                "mobl.algorithm.iterations        | 3.5     | an integer in [1, 100000000]",
                "mobl.algorithm.iterations        | 0       | an integer in [1, 100000000]",
                "mobl.algorithm.lower-iterations  | -1      | an integer in [1, 1000000]",
                "mobl.algorithm.cg-steps          | 1e3     | an integer in [1, 1000000]",
                "mobl.problem.objectives          | 1       | an integer in [2, 64]",
                "mobl.problem.objectives          | 65      | an integer in [2, 64]",
                "mobl.problem.upper-dim           | 0       | an integer in [1, 100000000]",
                "mobl.problem.lower-dim           | 99999999999 | an integer in [1, 100000000]",
                "mobl.problem.seed                | 1.5     | an integer in",
                "mobl.sweep                       | 0       | an integer in [1, 10000]",
                "mobl.metrics.port                | 70000   | an integer in [-1, 65535]",
                "mobl.metrics.port                | -2      | an integer in [-1, 65535]",
                "mobl.algorithm.tolerance         | 0       | a finite number > 0",
                "mobl.algorithm.tolerance         | NaN     | a finite number > 0",
                "mobl.algorithm.chebyshev-weight  | -0.1    | a finite number > 0",
                "mobl.algorithm.chebyshev-weight  | 1.5d    | a finite number > 0",
                "mobl.algorithm.lower-step-size   | fast    | a finite number > 0, or auto",
                "mobl.algorithm.upper-step-size   | 0       | a finite number > 0, or auto",
                "mobl.algorithm.name              | adam    | one of wc-mhgd, wc-penalty, wc-penalty-stochastic, forum",
                "mobl.algorithm.name              | WC-MHGD | one of wc-mhgd",
                "mobl.algorithm.hypergradient     | lbfgs   | one of cg, ns",
                "mobl.problem.type                | csv     | one of quadratic, quadratic-large, stochastic-quadratic, rank-deficient, file",
                "mobl.runtime                     | threads | one of actors, sync",
                "mobl.run                         | my run  | letters, digits",
                "mobl.kafka.topics.pareto         | ..      | a Kafka topic name",
                "mobl.kafka.topics.control        | a/b     | a Kafka topic name",
                "mobl.kafka.bootstrap-servers     | kafka   | a comma-separated list of host:port",
                "mobl.kafka.bootstrap-servers     | k:99999 | ports 1..65535",
                "mobl.metrics.host                | a b     | a host name or IP address",
                "mobl.output                      | ' '     | a file path",
                "mobl.preference                  | 0.5,x   | a list of finite numbers",
                "mobl.kafka.batch-timeout         | soon    | a positive duration such as 500ms, 30s or 2m",
                "mobl.kafka.batch-timeout         | 0s      | a positive duration",
                "mobl.produce.dataset             | cifar   | synthetic, or one or more of mnist, fashion-mnist",
                "mobl.produce.corruption          | 1       | a number in [0, 1)",
                "mobl.compare.algorithms          | forum,x | algorithms, each one of",
                "mobl.experiment.hyper-cleaning.sweep | 1   | 0 or an integer >= 2",
                "mobl.experiment.hyper-cleaning.dtype | float16 | one of float64, float32",
                "mobl.problem.oracles             | some    | one of all, first-order",
                "mobl.stochastic.noise            | -1      | a finite number >= 0",
        })
        void aWrongValueNamesKeyValueAndWhatIsAllowed(String key, String value, String expected) {
            fails(Map.of(key, value))
                    .satisfies(e -> assertThat(e.field()).isEqualTo(key))
                    .satisfies(e -> assertThat(e.value()).contains(value.trim()))
                    .satisfies(e -> assertThat(e.expected()).contains(expected).contains("--set " + key));
        }

        @Test
        void aWrongValueInAFileSaysWhichLine() throws IOException {
            Path file = write("mobl.algorithm.tolerance = -1\n");
            fails(Optional.of(file), Map.of())
                    .satisfies(e -> assertThat(e.field()).isEqualTo("mobl.algorithm.tolerance"))
                    .hasMessageContaining(file.getFileName() + ": 1");
        }

        @Test
        void aNullValueIsRejected() throws IOException {
            Path file = write("mobl.algorithm.iterations = null\n");
            fails(Optional.of(file), Map.of())
                    .satisfies(e -> assertThat(e.field()).isEqualTo("mobl.algorithm.iterations"))
                    .satisfies(e -> assertThat(e.value()).isEqualTo("null"));
        }

        @Test
        void aPreferenceMustHaveOneEntryPerObjective() {
            fails(Map.of("mobl.preference", "[0.2, 0.3, 0.5]"))
                    .satisfies(e -> assertThat(e.field()).isEqualTo("mobl.preference"))
                    .hasMessageContaining("mobl.problem.objectives = 2");
        }

        @Test
        void aPreferenceMustLieInTheOpenSimplex() {
            fails(Map.of("mobl.preference", "[0, 1]"))
                    .satisfies(e -> assertThat(e.field()).isEqualTo("mobl.preference[0]"))
                    .hasMessageContaining("strictly positive");
            fails(Map.of("mobl.preference", "[0.5, 0.6]"))
                    .satisfies(e -> assertThat(e.field()).isEqualTo("mobl.preference"))
                    .hasMessageContaining("summing to 1");
        }

        @Test
        void aPreferenceAndASweepTogetherAreAmbiguous() {
            Map<String, String> set = new LinkedHashMap<>();
            set.put("mobl.preference", "0.5,0.5");
            set.put("mobl.sweep", "9");
            fails(set).satisfies(e -> assertThat(e.field()).isEqualTo("mobl.sweep"))
                    .hasMessageContaining("not both");
        }

        @Test
        void aFileProblemNeedsAReadableFileAndTheQuadraticOneNone() {
            fails(Map.of("mobl.problem.type", "file"))
                    .satisfies(e -> assertThat(e.field()).isEqualTo("mobl.problem.file"));
            Map<String, String> set = new LinkedHashMap<>();
            set.put("mobl.problem.type", "file");
            set.put("mobl.problem.file", dir.resolve("absent.bin").toString());
            fails(set).satisfies(e -> assertThat(e.field()).isEqualTo("mobl.problem.file"))
                    .hasMessageContaining("a readable problem file");
            Map<String, String> quadratic = new LinkedHashMap<>();
            quadratic.put("mobl.problem.type", "quadratic");
            quadratic.put("mobl.problem.file", "data.bin");
            fails(quadratic)
                    .satisfies(e -> assertThat(e.field()).isEqualTo("mobl.problem.file"))
                    .hasMessageContaining("empty unless mobl.problem.type = file");
            // a file alone names the problem (as --problem-file alone does), so it must be readable
            fails(Map.of("mobl.problem.file", "data.bin"))
                    .satisfies(e -> assertThat(e.field()).isEqualTo("mobl.problem.file"))
                    .hasMessageContaining("a readable problem file");
        }

        @Test
        void twoTopicsMayNotShareAName() {
            fails(Map.of("mobl.kafka.topics.dlq", "mobl.pareto"))
                    .satisfies(e -> assertThat(e.field()).isEqualTo("mobl.kafka.topics.dlq"))
                    .hasMessageContaining("distinct from mobl.kafka.topics.pareto");
        }

        @Test
        void aMissingOrMalformedConfigFileIsNamed() throws IOException {
            fails(Optional.of(dir.resolve("nope.conf")), Map.of())
                    .satisfies(e -> assertThat(e.field()).isEqualTo("config file"))
                    .hasMessageContaining("a readable HOCON file");
            Path broken = write("mobl { run = \n");
            fails(Optional.of(broken), Map.of())
                    .satisfies(e -> assertThat(e.field()).isEqualTo("config file"))
                    .hasMessageContaining("valid HOCON");
        }

        @Test
        void anUnresolvableSubstitutionIsNamed() throws IOException {
            Path file = write("mobl.run = ${mobl.nothing}\n");
            fails(Optional.of(file), Map.of())
                    .satisfies(e -> assertThat(e.field()).isEqualTo("substitution ${mobl.nothing}"))
                    .hasMessageContaining(file.getFileName() + ": 1");
        }

        @Test
        void aMalformedOverrideKeyOrHoconValueIsNamed() {
            fails(Map.of("mobl..run", "x")).satisfies(e -> assertThat(e.field()).isEqualTo("--set key"));
            fails(Map.of("mobl.preference", "[0.5, 0.5"))
                    .satisfies(e -> assertThat(e.field()).isEqualTo("--set mobl.preference"));
        }
    }

    private AbstractThrowableAssert<?, InvalidInputException> fails(Map<String, String> overrides) {
        return fails(Optional.empty(), overrides);
    }

    private static AbstractThrowableAssert<?, InvalidInputException> fails(Optional<Path> file,
                                                                            Map<String, String> overrides) {
        return assertThatThrownBy(() -> MoblConfig.load(file, overrides))
                .isInstanceOf(InvalidInputException.class)
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.throwable(InvalidInputException.class));
    }

    private Path write(String text) throws IOException {
        Path file = Files.createTempFile(dir, "mobl", ".conf");
        Files.writeString(file, text);
        return file;
    }
}
