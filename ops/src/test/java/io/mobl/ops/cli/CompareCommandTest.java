package io.mobl.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareCommandTest extends CliTest {
    @TempDir Path dir;
    @Test
    void comparesAlgorithmsOnTheSameRunsAndWritesTheTableAsJson() throws Exception {
        Path json = dir.resolve("compare.json");
        int code = mobl("compare", "--algorithms", "wc-mhgd,forum,moml,linear-scalarisation", "--budget", "25", "--points", "3",
                "--upper-dim", "3", "--lower-dim", "4", "--lower-iterations", "8", "--out", json.toString());
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("hypervolume").contains("forum").contains("moml").contains("wrote");
        JsonNode table = JsonMapper.builder().build().readTree(json.toFile());
        assertThat(table.get("budget").asInt()).isEqualTo(25);
        assertThat(table.get("trueFront").size()).isGreaterThan(10);
        assertThat(table.get("rows")).hasSize(4);
        for (JsonNode row : table.get("rows")) {
            assertThat(row.get("front")).hasSize(3);
            assertThat(row.get("hypervolume").asDouble()).isPositive();
            assertThat(row.get("igd").asDouble()).isGreaterThanOrEqualTo(0);
            assertThat(row.get("peakWorkingBytesPerIteration").asLong()).isPositive();
            assertThat(row.get("oracleCallsPerRun").get("Gc(f)").asLong()).isEqualTo(26L * 2);
        }
        JsonNode forum = table.get("rows").get(1);
        assertThat(forum.get("measure").asText()).isEqualTo("kkt");
        assertThat(forum.get("oracleCallsPerRun").get("HV(g)").asLong()).isZero();
        JsonNode moml = table.get("rows").get(2);
        // MOML keeps the D = 8 lower-level iterates for its backward pass; WC-MHGD (CG) does not
        assertThat(moml.get("peakWorkingBytesPerIteration").asLong())
                .isGreaterThan(table.get("rows").get(0).get("peakWorkingBytesPerIteration").asLong());
    }

    @Test
    void unknownAlgorithmsAreListedWithTheKnownOnes() {
        assertThat(mobl("compare", "--algorithms", "forum,magic", "--out", dir.resolve("x.json").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--algorithm = magic")
                .contains("one of wc-mhgd, wc-penalty, wc-penalty-stochastic, forum, moml, moco, linear-scalarisation, mgda").doesNotContain("Exception");
        assertThat(mobl("run", "--algorithm", "morum", "--metrics-port", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--algorithm = morum").contains("forum");
    }

    @Test
    void anAlgorithmNeedingAMissingOracleFailsBeforeStartingNamingIt() {
        Path json = dir.resolve("never.json");
        assertThat(mobl("compare", "--oracles", "first-order", "--algorithms", "forum,moml", "--out", json.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("algorithm = moml").contains("HV(g)").contains("JV(g)");
        assertThat(json).doesNotExist();
        assertThat(out.toString()).doesNotContain("mobl compare:");
        assertThat(mobl("run", "--oracles", "first-order", "--algorithm", "wc-mhgd", "--metrics-port", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("wc-mhgd").contains("HV(g)");
    }

    @Test
    void forumRunsOnAFirstOrderProblemAndWcPenaltyOnTheRankDeficientOne() {
        assertThat(mobl("run", "--oracles", "first-order", "--algorithm", "forum", "--iterations", "20", "--upper-dim", "3",
                "--lower-dim", "4", "--sweep", "2", "--runtime", "sync", "--metrics-port", "0")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("forum on the synchronous loop");
        assertThat(mobl("run", "--problem", "rank-deficient", "--algorithm", "wc-penalty", "--iterations", "30",
                "--upper-dim", "2", "--lower-dim", "4", "--preference", "0.4,0.6", "--metrics-port", "0"))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("wc-penalty");
        assertThat(mobl("run", "--problem", "rank-deficient", "--algorithm", "wc-penalty-stochastic", "--iterations", "30",
                "--upper-dim", "2", "--lower-dim", "4", "--preference", "0.4,0.6", "--penalty-step", "0.03",
                "--metrics-port", "0")).as(err.toString()).isZero();
        // the quadratics' lower level is a finite sum too (A's eigen-rows), as long as A can be decomposed densely
        assertThat(mobl("run", "--algorithm", "wc-penalty-stochastic", "--iterations", "3", "--metrics-port", "0"))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("wc-penalty-stochastic on the synchronous loop");
        assertThat(mobl("run", "--problem", "quadratic-large", "--lower-dim", "2500", "--algorithm", "wc-penalty-stochastic",
                "--iterations", "3", "--metrics-port", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("lower-dim = 2500").contains("sampled lower level");
    }
}
