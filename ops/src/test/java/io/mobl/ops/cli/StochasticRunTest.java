package io.mobl.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.protocol.codec.ParetoPointJsonLines;
import io.mobl.protocol.ParetoPoint;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mobl run --problem stochastic-quadratic}: stochastic WC-MHGD from the command line, in memory. */
class StochasticRunTest extends CliTest {
    @TempDir Path dir;
    private List<ParetoPoint> run(String runtime) throws Exception {
        Path points = dir.resolve(runtime + ".jsonl");
        int code = mobl("run", "--problem", "stochastic-quadratic", "--runtime", runtime, "--sweep", "2",
                "--iterations", "4", "--lower-iterations", "3", "--neumann-steps", "4", "--batch-size", "16",
                "--minibatch-rows", "8", "--upper-dim", "3", "--lower-dim", "4", "--metrics-port", "0",
                "--out", points.toString());
        assertThat(code).as(err.toString()).isZero();
        return ParetoPointJsonLines.read(points);
    }

    @Test
    void runsOnTheActorsAndTheSynchronousLoopAlikeAndCountsOracleCallsPerSample() throws Exception {
        List<ParetoPoint> actors = run("actors");
        assertThat(actors).hasSize(2).allSatisfy(p -> {
            assertThat(p.x()).hasSize(3);
            assertThat(p.iterations()).isEqualTo(4);
            // 5 evaluations × D = 3 steps × 16 samples
            assertThat(p.oracleCalls().lowerGradients()).isEqualTo(5L * 3 * 16);
            assertThat(p.oracleCalls().upperGradients()).isEqualTo(5L * 2 * 16);
        });
        assertThat(out.toString()).contains("stochastic wc-mhgd (Alg. 2/3)").contains("0.333,0.667");
        assertThat(run("sync")).isEqualTo(actors);
    }

    @Test
    void aBadBatchSizeIsRefusedByName() {
        assertThat(mobl("run", "--problem", "stochastic-quadratic", "--batch-size", "0", "--metrics-port", "0"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--batch-size = 0").contains("an integer in [1, 1000000]");
    }
}
