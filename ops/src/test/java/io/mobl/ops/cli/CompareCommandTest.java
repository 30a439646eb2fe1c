package io.mobl.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        // the figures are those of the fronts written beside them, with the one reference point and the true front
        double[] reference = vector(table.get("hypervolumeReference"));
        double[][] truth = points(table.get("trueFront"));
        for (JsonNode row : table.get("rows")) {
            double[][] front = points(row.get("front"));
            String name = row.get("algorithm").asText();
            assertThat(row.get("hypervolume").asDouble()).as(name).isCloseTo(hypervolume(front, reference), within(1e-9));
            assertThat(row.get("igd").asDouble()).as(name).isCloseTo(igd(front, truth), within(1e-9));
            // the front is measured with the closed-form objectives Φ(x) = F(x, y*(x)): no point beats the true front
            for (double[] point : front) {
                for (double[] optimal : truth) {
                    assertThat(point[0] < optimal[0] - 1e-9 && point[1] < optimal[1] - 1e-9)
                            .as("%s's point %s dominates the true front's %s", name, java.util.Arrays.toString(point),
                                    java.util.Arrays.toString(optimal)).isFalse();
                }
            }
            // 25 iterations from three starts bring every algorithm close to Pareto stationarity (from about 1 at x_0);
            // measured: wc-mhgd 0.058, moml 0.023, linear scalarisation 0.019, and FORUM, whose steps are now its own
            // Theorem 1's (η = 1/L_z, μ = 1/max(L_F, L_z) = 0.0995, where it had WC-MHGD's β = 0.110), 0.106
            assertThat(row.get("exactStationarity").asDouble()).as(name).isLessThan(name.equals("forum") ? 0.12 : 0.1);
        }
        // WC-MHGD's own measure is its gap on CG hypergradients, which CG makes exact on this small problem
        JsonNode wcMhgd = table.get("rows").get(0);
        assertThat(wcMhgd.get("worstMeasure").asDouble())
                .isCloseTo(wcMhgd.get("exactStationarity").asDouble(), withinPercentage(1));
        // the run's best: hypervolume within the true front's, which bounds every front's
        assertThat(hypervolume(truth, reference)).isGreaterThan(wcMhgd.get("hypervolume").asDouble());
        JsonNode forum = table.get("rows").get(1);
        assertThat(forum.get("measure").asText()).isEqualTo("kkt");
        assertThat(forum.get("oracleCallsPerRun").get("HV(g)").asLong()).isZero();
        JsonNode moml = table.get("rows").get(2);
        // MOML keeps the D = 8 lower-level iterates for its backward pass; WC-MHGD (CG) does not
        assertThat(moml.get("peakWorkingBytesPerIteration").asLong())
                .isGreaterThan(table.get("rows").get(0).get("peakWorkingBytesPerIteration").asLong());
    }

    private static double[] vector(JsonNode array) {
        double[] v = new double[array.size()];
        for (int i = 0; i < v.length; i++) v[i] = array.get(i).asDouble();
        return v;
    }

    private static double[][] points(JsonNode array) {
        double[][] p = new double[array.size()][];
        for (int i = 0; i < p.length; i++) p[i] = vector(array.get(i));
        return p;
    }

    /** The area dominated by a two-objective front up to the reference point: a sweep along φ1. */
    private static double hypervolume(double[][] front, double[] reference) {
        double[][] sorted = front.clone();
        java.util.Arrays.sort(sorted, java.util.Comparator.comparingDouble(p -> p[0]));
        double area = 0;
        double ceiling = reference[1];
        for (double[] p : sorted) {
            if (p[0] >= reference[0] || p[1] >= ceiling) continue;
            area += (reference[0] - p[0]) * (ceiling - p[1]);
            ceiling = p[1];
        }
        return area;
    }

    /** The mean over the true front's points of the distance to the nearest point found. */
    private static double igd(double[][] front, double[][] truth) {
        double total = 0;
        for (double[] z : truth) {
            double best = Double.POSITIVE_INFINITY;
            for (double[] a : front) best = Math.min(best, Math.hypot(a[0] - z[0], a[1] - z[1]));
            total += best;
        }
        return total / truth.length;
    }

    @Test
    void unknownAlgorithmsAreListedWithTheKnownOnes() {
        assertThat(mobl("compare", "--algorithms", "forum,magic", "--out", dir.resolve("x.json").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--algorithms = forum,magic").contains("magic is not one of them")
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
        assertThat(err.toString()).contains("--oracles = first-order").contains("--algorithm forum").contains("HV(g)");
    }

    /** The points a run wrote with --out, one JSON line each. */
    private static List<JsonNode> pointsOf(Path file) throws Exception {
        var mapper = JsonMapper.builder().build();
        List<JsonNode> points = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(file)) points.add(mapper.readTree(line));
        return points;
    }

    @Test
    void forumRunsOnAFirstOrderProblemExactlyAsOnTheFullOneAndWcPenaltyDrivesItsKktMeasureDown() throws Exception {
        // FORUM takes no preference: one point (run refuses --sweep and --preference for it)
        String[] forum = {"run", "--algorithm", "forum", "--iterations", "20", "--upper-dim", "3", "--lower-dim", "4",
                "--runtime", "sync", "--metrics-port", "0", "--out"};
        Path firstOrder = dir.resolve("forum-first-order.jsonl");
        Path full = dir.resolve("forum-full.jsonl");
        assertThat(mobl(concat(forum, firstOrder.toString(), "--oracles", "first-order"))).as(err.toString()).isZero();
        assertThat(out.toString()).contains("forum, sync runtime");
        assertThat(mobl(concat(forum, full.toString()))).as(err.toString()).isZero();
        // and on the actor runtime, every preference at once: the same points to the last bit
        Path actors = dir.resolve("forum-actors.jsonl");
        String[] onActors = forum.clone();
        onActors[java.util.Arrays.asList(onActors).indexOf("sync")] = "actors";
        assertThat(mobl(concat(onActors, actors.toString()))).as(err.toString()).isZero();
        assertThat(out.toString()).contains("forum, actors runtime");
        assertThat(pointsOf(actors).toString()).isEqualTo(pointsOf(full).toString());
        // FORUM calls first-order oracles only, so hiding HV(g) and JV(g) changes nothing, to the last bit
        List<JsonNode> hidden = pointsOf(firstOrder);
        assertThat(hidden).hasSize(1);
        assertThat(hidden.toString()).isEqualTo(pointsOf(full).toString());
        for (JsonNode point : hidden) {
            assertThat(point.at("/iterations").asInt()).isEqualTo(20);
            assertThat(point.at("/oracleCalls/HV(g)").asLong()).isZero();
        }

        // WC-Penalty on a lower level that is convex, not strongly: 30 steps end well below the first step's KKT measure
        // (measured: 0.67 -> 0.21, and 0.89 -> 0.27 for the minibatch variant)
        for (String[] variant : List.of(new String[] {"wc-penalty"},
                new String[] {"wc-penalty-stochastic", "--penalty-step", "0.03"})) {
            double[] measure = new double[2];
            int[] horizons = {1, 30};
            for (int i = 0; i < 2; i++) {
                Path points = dir.resolve(variant[0] + "-" + horizons[i] + ".jsonl");
                assertThat(mobl(concat(concat(new String[] {"run", "--problem", "rank-deficient", "--algorithm"}, variant),
                        "--iterations", Integer.toString(horizons[i]), "--upper-dim", "2", "--lower-dim", "4",
                        "--preference", "0.4,0.6", "--metrics-port", "0", "--out", points.toString())))
                        .as(err.toString()).isZero();
                List<JsonNode> written = pointsOf(points);
                assertThat(written).hasSize(1);
                assertThat(written.get(0).at("/iterations").asInt()).isEqualTo(horizons[i]);
                measure[i] = written.get(0).at("/stationarity").asDouble();
            }
            assertThat(measure[1]).as(variant[0] + "'s KKT measure after 30 steps, against 1").isLessThan(measure[0] / 2);
        }
        assertThat(out.toString()).contains("wc-penalty");
        // the quadratics' lower level is a finite sum too (A's eigen-rows), as long as A can be decomposed densely
        assertThat(mobl("run", "--algorithm", "wc-penalty-stochastic", "--iterations", "3", "--metrics-port", "0"))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("wc-penalty-stochastic, actors runtime");
        assertThat(mobl("run", "--problem", "quadratic-large", "--lower-dim", "2500", "--algorithm", "wc-penalty-stochastic",
                "--iterations", "3", "--metrics-port", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("lower-dim = 2500").contains("sampled lower level");
    }

    private static String[] concat(String[] head, String... tail) {
        String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}
