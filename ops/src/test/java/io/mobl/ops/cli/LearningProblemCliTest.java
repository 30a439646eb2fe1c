package io.mobl.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.ops.config.LearningData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mobl run on a learning problem file: the header reports the derived steps; a broken file stops at start. */
class LearningProblemCliTest extends CliTest {
    @TempDir Path directory;

    @Test
    void aLearningProblemFileRunsWithStepsEstimatedFromItsData() {
        Path file = LearningData.problem(directory, "problem.conf", "kind = logistic", "sample-weights");
        int code = mobl("run", "--problem-file", file.toString(), "--runtime", "sync", "--metrics-port", "0",
                "--iterations", "5", "--preference", "0.5,0.5");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("p=80 q=15 S=2")
                .containsPattern("steps: α = [0-9.e-]+ \\(1/L, L = [0-9.e-]+ \\(estimated\\)\\), β = ")
                .contains("L_φ = ").contains("0.500,0.500");
    }

    @Test
    void aWrongKeyInTheFileIsRefusedWithItsPathAndLine() throws Exception {
        Path file = LearningData.problem(directory, "problem.conf", "kind = logistic, hiden = [3]", "sample-weights");
        assertThat(mobl("run", "--problem-file", file.toString(), "--metrics-port", "0")).isEqualTo(2);
        assertThat(err.toString()).startsWith("mobl: model.hiden = [3]: expected one of the keys [activation, hidden, kind]")
                .contains("problem.conf: 4");
        Files.createDirectories(directory.resolve("again"));
        Path good = LearningData.problem(directory.resolve("again"), "problem.conf", "kind = logistic", "sample-weights");
        Files.writeString(good.getParent().resolve("train-b.csv"), "f1,f2,f3,f4,label\n1,2,3,4,0\n1,2,3,oops,1\n");
        assertThat(mobl("run", "--problem-file", good.toString(), "--metrics-port", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("train-b.csv:3 column 4 (f4) = oops: expected a number");
    }
}
