package io.mobl.ops.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigSyntax;
import io.mobl.core.model.Activation;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.learning.LearningProblem;
import io.mobl.core.problem.learning.LearningSpec;
import io.mobl.core.problem.quadratic.QuadraticProblem;
import io.mobl.protocol.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Problem files in HOCON or JSON, read into the typed spec, and every way one can be wrong. */
class ProblemFileTest {
    @TempDir Path directory;

    static final String HOCON = """
            type = learning
            classes = 3
            upper = source-weights
            model { kind = shared-trunk, hidden = [8, 4], activation = tanh }
            precision = float32
            seed = 5
            sources {
              a { format = csv, file = "a.csv", label = y, features = [u, v], delimiter = ";" }
              b { format = idx, images = "b-images.gz", labels = "b-labels.gz" }
            }
            train = [a, b]
            objectives = [ { name = first, source = b, train = [a] }, { name = second, source = a } ]
            """;

    static final String JSON = """
            {"type": "learning", "classes": 3, "upper": "source-weights",
             "model": {"kind": "shared-trunk", "hidden": [8, 4], "activation": "tanh"},
             "precision": "float32", "seed": 5,
             "sources": {"a": {"format": "csv", "file": "a.csv", "label": "y", "features": ["u", "v"], "delimiter": ";"},
                         "b": {"format": "idx", "images": "b-images.gz", "labels": "b-labels.gz"}},
             "train": ["a", "b"],
             "objectives": [{"name": "first", "source": "b", "train": ["a"]}, {"name": "second", "source": "a"}]}
            """;

    @Test
    void hoconAndJsonWithTheSameKeysGiveTheSameSpec() {
        LearningSpec fromHocon = ProblemFile.learning(HOCON, ConfigSyntax.CONF);
        LearningSpec fromJson = ProblemFile.learning(JSON, ConfigSyntax.JSON);
        assertThat(fromJson).isEqualTo(fromHocon);
        assertThat(fromHocon.model().kind()).isEqualTo(LearningSpec.ModelKind.SHARED_TRUNK);
        assertThat(fromHocon.model().hidden()).containsExactly(8, 4);
        assertThat(fromHocon.model().activation()).isEqualTo(Activation.TANH);
        assertThat(fromHocon.trainOf(0)).containsExactly("a");
        assertThat(fromHocon.trainOf(1)).containsExactly("a", "b");
        assertThat(((LearningSpec.Csv) fromHocon.sources().get("a")).layout().delimiter()).isEqualTo(';');
        assertThat(fromHocon.lowerRegularisation()).isEqualTo(ProblemFile.DEFAULT_LOWER_REGULARISATION);
    }

    @Test
    void aLearningFileIsReadWithItsDataFromItsOwnDirectory() {
        Path file = LearningData.problem(directory, "problem.conf", "kind = mlp, hidden = [6]", "sample-weights");
        BilevelProblem problem = ProblemFile.read(file);
        assertThat(problem).isInstanceOf(LearningProblem.class);
        assertThat(problem.upperDimension()).isEqualTo(80); // one weight per training example
        assertThat(problem.objectiveCount()).isEqualTo(2);
        assertThat(problem.lowerDimension()).isEqualTo(4 * 6 + 6 + 6 * 3 + 3);
    }

    @Test
    void aQuadraticFileReadsInEitherSyntax() throws Exception {
        String quadratic = """
                type = quadratic
                A = [[2, 0.5], [0.5, 1]]
                B = [[1, 0, 2], [0, 1, 1]]
                objectives = [ { c = [1, 0], d = [0, 0, 1], a = 0.5 }, { c = [0, 1], d = [1, 1, 0], a = 2 } ]
                """;
        Files.writeString(directory.resolve("q.conf"), quadratic);
        Files.writeString(directory.resolve("q.json"), "{\"type\":\"quadratic\",\"A\":[[2,0.5],[0.5,1]],\"B\":[[1,0,2],[0,1,1]],"
                + "\"objectives\":[{\"c\":[1,0],\"d\":[0,0,1],\"a\":0.5},{\"c\":[0,1],\"d\":[1,1,0],\"a\":2}]}");
        QuadraticProblem conf = (QuadraticProblem) ProblemFile.read(directory.resolve("q.conf"));
        QuadraticProblem json = (QuadraticProblem) ProblemFile.read(directory.resolve("q.json"));
        assertThat(conf.upperDimension()).isEqualTo(3);
        assertThat(conf.smoothness()).isEqualTo(json.smoothness());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "modl = 1|modl = 1: expected one of the keys [classes, initial-regularisation, lower-regularisation, model, objectives, precision, seed, sources, train, type, upper] (this key is unknown)",
            "upper = weights|upper = \"weights\": expected one of sample-weights | source-weights | regularisation",
            "classes = 1|classes = 1: expected an integer in [2, 1000000]",
            "model.hidden = [0]|model.hidden[0] = 0: expected a layer width, an integer in [1, 1000000]",
            "model.depth = 2|model.depth = 2: expected one of the keys [activation, hidden, kind] (this key is unknown)",
            "model.activation = sigmoid|model.activation = \"sigmoid\": expected one of relu | tanh",
            "sources.a.delimiter = \";;\"|sources.a.delimiter = \";;\": expected one character",
            "sources.a.header = maybe|sources.a.header = \"maybe\": expected true or false",
            "sources.b.format = parquet|sources.b.format = \"parquet\": expected csv or idx",
            "train = [a, c]|train[1] = c: expected one of the sources [a, b]",
            "lower-regularisation = -1|lower-regularisation = -1: expected a finite number >= 0",
            "precision = float16|precision = \"float16\": expected one of float32 | float64",
    })
    void aWrongKeyOrValueNamesItsPathTheValueAndWhatIsAllowed(String override, String message) {
        String text = HOCON + "\n" + override + "\n";
        assertThatThrownBy(() -> ProblemFile.learning(text, ConfigSyntax.CONF))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith(message);
    }

    @Test
    void crossReferencesAreCheckedWithTheirPath() {
        String badObjective = HOCON.replace("{ name = second, source = a }", "{ name = second, source = nope }");
        assertThatThrownBy(() -> ProblemFile.learning(badObjective, ConfigSyntax.CONF))
                .hasMessage("objectives[1].source = nope: expected one of the sources [a, b]");
        String headOfOneHead = HOCON.replace("kind = shared-trunk", "kind = mlp");
        assertThatThrownBy(() -> ProblemFile.learning(headOfOneHead, ConfigSyntax.CONF))
                .hasMessageStartingWith("objectives[0].train = [a]: expected no per-objective training sources");
        assertThatThrownBy(() -> ProblemFile.read(directory.resolve("none.conf")))
                .hasMessageContaining("an existing problem file");
    }
}
