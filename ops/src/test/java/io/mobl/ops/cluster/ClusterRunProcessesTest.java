package io.mobl.ops.cluster;

import static io.mobl.ops.cluster.ClusterNodeTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.ops.cli.Main;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.codec.ParetoPointJsonLines;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mobl run --cluster}: three {@code mobl node} child processes (role coordinator) on 127.0.0.1; a sweep of 6
 * preferences is submitted from this JVM, checkpointed every 20 iterations to a directory the nodes share; once one
 * of the children runs some of them, it is killed with SIGKILL. The two others down it and start its preferences
 * again from their checkpoints, and the sweep's points equal the single-process run's
 * ({@code --runtime actors}) bit for bit, oracle counts included (the run is deterministic).
 */
@Timeout(300)
class ClusterRunProcessesTest {
    @TempDir Path dir;
    private final List<Process> children = new ArrayList<>();

    /** The problem and the algorithm: long enough (a few seconds a preference) to kill a member mid-run. */
    private static final List<String> RUN = List.of("--problem", "quadratic", "--upper-dim", "60", "--lower-dim",
            "120", "--algorithm", "wc-mhgd", "--iterations", "400", "--sweep", "6", "--run", "procs");

    private Path start(int index, int port, String seeds) throws IOException {
        Path log = dir.resolve("node-" + index + ".log");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
                "-cp", NodeProcessesTest.classPath(), "io.mobl.ops.cli.Main", "node",
                "--seed-nodes", seeds, "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--management-port", "-1", "--metrics-port", "0", "--roles", "coordinator",
                "--checkpoint-dir", dir.resolve("shared-checkpoints").toString(),
                "--set", "pekko.cluster.split-brain-resolver.stable-after=2s");
        children.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start());
        return log;
    }

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Process child : children) child.destroyForcibly();
        for (Process child : children) child.waitFor(10, TimeUnit.SECONDS);
    }

    private static int execute(List<String> args, StringWriter out) {
        List<String> line = new ArrayList<>(List.of("run"));
        line.addAll(args);
        return Main.execute(new PrintWriter(out, true), new PrintWriter(out, true), line.toArray(new String[0]));
    }

    @Test
    void aSweepOnThreeNodeProcessesSurvivesOneKilledMidRunWithTheSingleProcessPoints() throws Exception {
        int[] ports = {ClusterNodeTest.freePort(), ClusterNodeTest.freePort(), ClusterNodeTest.freePort()};
        String seeds = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
        List<Path> logs = new ArrayList<>();
        for (int i = 0; i < 3; i++) logs.add(start(i, ports[i], seeds));
        for (Path log : logs) {
            await(log + " is a member", Duration.ofSeconds(90),
                    () -> assertThat(Files.readString(log)).contains("SIGTERM or Ctrl-C leaves the cluster."));
        }

        Path clustered = dir.resolve("cluster.jsonl");
        List<String> onCluster = new ArrayList<>(RUN);
        onCluster.addAll(List.of("--cluster", seeds, "--out", clustered.toString(), "--checkpoint-every", "20",
                "--set", "pekko.cluster.split-brain-resolver.stable-after=2s"));
        StringWriter out = new StringWriter();
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> execute(onCluster, out));

        // the victim: a member that runs preferences (which ones get shards is the allocation's choice, and under
        // load two members could take all six before the third is asked; the third is preferred when it has some)
        int[] chosen = {-1};
        await("a member runs preferences", Duration.ofSeconds(90), () -> {
            for (int i = 2; i >= 0; i--) {
                if (Files.readString(logs.get(i)).contains(": started on")) {
                    chosen[0] = i;
                    return;
                }
            }
            throw new AssertionError("no member has started a preference yet");
        });
        int v = chosen[0];
        Path shared = dir.resolve("shared-checkpoints");
        await("every preference has a checkpoint", Duration.ofSeconds(90), () -> {
            try (var files = Files.walk(shared)) {
                assertThat(files.filter(f -> f.getFileName().toString().equals("checkpoint.mbck")).count()).isEqualTo(6);
            }
        });
        assertThat(run).as("the sweep is still running: " + out).isNotDone();
        children.get(v).destroyForcibly(); // SIGKILL
        assertThat(children.get(v).waitFor(10, TimeUnit.SECONDS)).isTrue();

        assertThat(run.get(240, TimeUnit.SECONDS)).as(out.toString()).isZero();
        String ranOn = out.toString().lines().filter(l -> l.startsWith("ran on ")).findFirst().orElseThrow();
        assertThat(ranOn).doesNotContain("127.0.0.1:" + ports[v]);
        StringBuilder others = new StringBuilder();
        for (int i = 0; i < 3; i++) if (i != v) others.append(Files.readString(logs.get(i)));
        String survivors = others.toString();
        long starts = survivors.lines().filter(l -> l.contains(": started on")).count();
        assertThat(starts).as("the killed member's preferences started again on the others").isGreaterThan(4);
        assertThat(survivors).as("from the checkpoints the killed member left in the shared directory")
                .contains("resumed from the checkpoint at iteration");

        Path single = dir.resolve("single.jsonl");
        List<String> alone = new ArrayList<>(RUN);
        alone.addAll(List.of("--runtime", "actors", "--out", single.toString()));
        StringWriter singleOut = new StringWriter();
        assertThat(execute(alone, singleOut)).as(singleOut.toString()).isZero();
        List<ParetoPoint> expected = ParetoPointJsonLines.read(single);
        assertThat(ParetoPointJsonLines.read(clustered)).hasSize(6).isEqualTo(expected);
    }
}
