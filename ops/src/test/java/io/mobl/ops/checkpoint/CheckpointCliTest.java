package io.mobl.ops.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.core.checkpoint.FileRunJournal;
import io.mobl.ops.cli.Main;
import io.mobl.protocol.codec.CheckpointCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mobl run --checkpoint-every / --resume}: what resumes, and what is refused with exit 2 naming the field. */
class CheckpointCliTest {
    @TempDir Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int mobl(List<String> base, String... extra) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        List<String> args = new ArrayList<>(base);
        args.addAll(List.of(extra));
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
    }

    private List<String> run(String problem, int iterations, String points) {
        return run("wc-mhgd", problem, iterations, points);
    }

    private List<String> run(String algorithm, String problem, int iterations, String points) {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--problem", problem, "--algorithm", algorithm,
                "--iterations", Integer.toString(iterations), "--runtime", "sync", "--metrics-port", "0",
                "--checkpoint-every", "5", "--checkpoint-dir", dir.resolve("ck").toString(), "--out",
                dir.resolve(points).toString()));
        // FORUM, MOML, MoCo and MGDA take no preference (run refuses one) and run one point
        if (io.mobl.ops.cli.AlgorithmOptions.TAKES_PREFERENCE.contains(algorithm)) args.addAll(List.of("--preference", "0.3,0.7"));
        return List.copyOf(args);
    }

    private Path checkpoint(String run) {
        return FileRunJournal.directory(dir.resolve("ck"), run, 0).resolve(FileRunJournal.CHECKPOINT);
    }

    @Test
    void aResumeThatCannotGoOnIsRefusedWithExitTwoNamingTheField() throws Exception {
        List<String> first = run("quadratic", 20, "a.jsonl");
        assertThat(mobl(first, "--run", "a")).as(err.toString()).isZero();
        assertThat(Files.exists(checkpoint("a"))).isTrue();

        assertThat(mobl(first, "--run", "a")).isEqualTo(Main.USER_ERROR);
        assertThat(err.toString()).contains("--run").contains("--resume a");
        assertThat(mobl(first, "--resume", "nothing")).isEqualTo(Main.USER_ERROR);
        assertThat(err.toString()).contains("--resume");
        assertThat(mobl(first, "--resume", "a", "--upper-dim", "9")).isEqualTo(Main.USER_ERROR);
        assertThat(err.toString()).contains("checkpoint.upperDimension");
        assertThat(mobl(first, "--resume", "a", "--lower-iterations", "7")).isEqualTo(Main.USER_ERROR);
        assertThat(err.toString()).contains("checkpoint.configuration");
        assertThat(mobl(run("linear-scalarisation", "quadratic", 20, "m.jsonl"), "--resume", "a")).isEqualTo(Main.USER_ERROR);
        assertThat(err.toString()).contains("checkpoint.algorithm");
        assertThat(mobl(onActors(first), "--resume", "a", "--lower-iterations", "7")).as("the actors check it too")
                .isEqualTo(Main.USER_ERROR);
        assertThat(err.toString()).contains("checkpoint.configuration");

        byte[] good = Files.readAllBytes(checkpoint("a"));
        byte[] corrupt = good.clone();
        corrupt[corrupt.length - 2] ^= 1;
        Files.write(checkpoint("a"), corrupt);
        assertThat(mobl(first, "--resume", "a")).isEqualTo(Main.USER_ERROR);
        assertThat(err.toString()).contains("checkpoint.checksum");
        byte[] otherVersion = good.clone();
        otherVersion[4] = (byte) (CheckpointCodec.VERSION + 1);
        Files.write(checkpoint("a"), otherVersion);
        assertThat(mobl(first, "--resume", "a")).isEqualTo(Main.USER_ERROR);
        assertThat(err.toString()).contains("checkpoint.version");

        Files.write(checkpoint("a"), good);
        assertThat(mobl(run("quadratic", 20, "again.jsonl"), "--resume", "a")).as(err.toString()).isZero();
        assertThat(Files.readAllLines(dir.resolve("again.jsonl"))).isEqualTo(Files.readAllLines(dir.resolve("a.jsonl")));
    }

    @Test
    void aFinishedRunResumedWithALargerBudgetGoesOnAsOneRunOfThatBudget() throws Exception {
        assertThat(mobl(run("quadratic", 12, "short.jsonl"), "--run", "b")).as(err.toString()).isZero();
        assertThat(mobl(run("quadratic", 30, "longer.jsonl"), "--resume", "b")).as(err.toString()).isZero();
        assertThat(mobl(run("quadratic", 30, "straight.jsonl"), "--run", "c")).as(err.toString()).isZero();
        assertThat(Files.readString(dir.resolve("longer.jsonl")).replace("\"run\":\"b\"", "\"run\":\"c\""))
                .isEqualTo(Files.readString(dir.resolve("straight.jsonl")));
        assertThat(Files.readAllLines(FileRunJournal.directory(dir.resolve("ck"), "b", 0).resolve(FileRunJournal.TELEMETRY)))
                .hasSize(31);
    }

    private static List<String> onActors(List<String> args) {
        return args.stream().map(a -> a.equals("sync") ? "actors" : a).toList();
    }

    /** The points of {@code file} as run {@code as} would have written them. */
    private String points(String file, String run, String as) throws Exception {
        return Files.readString(dir.resolve(file)).replace("\"run\":\"" + run + "\"", "\"run\":\"" + as + "\"");
    }

    @Test
    void aRunCheckpointedOnOneRuntimeGoesOnOnTheOtherAsOneRun() throws Exception {
        // both runtimes write the same checkpoints (a finished run's: the state after its last step, with its point)
        for (String algorithm : List.of("wc-mhgd", "forum")) {
            String a = algorithm + "-a", b = algorithm + "-b", c = algorithm + "-c";
            assertThat(mobl(run(algorithm, "quadratic", 12, a + ".jsonl"), "--run", a)).as(err.toString()).isZero();
            assertThat(mobl(onActors(run(algorithm, "quadratic", 25, a + "-more.jsonl")), "--resume", a))
                    .as(err.toString()).isZero();
            assertThat(mobl(onActors(run(algorithm, "quadratic", 12, b + ".jsonl")), "--run", b)).as(err.toString()).isZero();
            assertThat(mobl(run(algorithm, "quadratic", 25, b + "-more.jsonl"), "--resume", b)).as(err.toString()).isZero();
            assertThat(mobl(run(algorithm, "quadratic", 25, c + ".jsonl"), "--run", c)).as(err.toString()).isZero();
            assertThat(points(a + "-more.jsonl", a, c)).as(algorithm + ": sync, then actors").isEqualTo(points(c + ".jsonl", c, c));
            assertThat(points(b + "-more.jsonl", b, c)).as(algorithm + ": actors, then sync").isEqualTo(points(c + ".jsonl", c, c));
            assertThat(points(b + ".jsonl", b, a)).as(algorithm + ": K = 12 on either").isEqualTo(points(a + ".jsonl", a, a));
            // a finished run started again gives its point back, on either runtime, without a step
            assertThat(mobl(onActors(run(algorithm, "quadratic", 25, a + "-again.jsonl")), "--resume", a)).isZero();
            assertThat(points(a + "-again.jsonl", a, c)).isEqualTo(points(c + ".jsonl", c, c));
            assertThat(Files.readAllLines(FileRunJournal.directory(dir.resolve("ck"), a, 0).resolve(FileRunJournal.TELEMETRY)))
                    .as("one history: iterations 0..25 once").hasSize(26);
        }
        // stochastic WC-MHGD: the source resumes at the checkpoint's positions on the actors too
        assertThat(mobl(onActors(run("stochastic-quadratic", 8, "sa.jsonl")), "--run", "sa")).as(err.toString()).isZero();
        assertThat(mobl(run("stochastic-quadratic", 15, "sa-more.jsonl"), "--resume", "sa")).as(err.toString()).isZero();
        assertThat(mobl(run("stochastic-quadratic", 15, "sc.jsonl"), "--run", "sc")).as(err.toString()).isZero();
        assertThat(points("sa-more.jsonl", "sa", "sc")).isEqualTo(points("sc.jsonl", "sc", "sc"));
    }

    @Test
    void aStochasticSyncRunResumesFromItsSourcePositions() throws Exception {
        List<String> stochastic = run("stochastic-quadratic", 15, "s.jsonl");
        assertThat(mobl(stochastic, "--run", "s")).as(err.toString()).isZero();
        assertThat(mobl(run("stochastic-quadratic", 15, "s2.jsonl"), "--resume", "s")).as(err.toString()).isZero();
        assertThat(Files.readAllLines(dir.resolve("s2.jsonl"))).isEqualTo(Files.readAllLines(dir.resolve("s.jsonl")));
        assertThat(FileRunJournal.read(checkpoint("s")).orElseThrow().positions()).isNotEmpty();
    }
}
