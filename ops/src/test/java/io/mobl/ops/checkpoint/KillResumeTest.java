package io.mobl.ops.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.core.checkpoint.FileRunJournal;
import io.mobl.protocol.Checkpoint;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.codec.JsonCodec;
import io.mobl.protocol.codec.JsonLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a deterministic CG run: a child JVM runs {@code mobl run} (WC-MHGD with CG on the quadratic problem, two
 * preferences, a checkpoint every 10 iterations) and is killed with SIGKILL at a random point after a checkpoint,
 * then started again with {@code --resume}. Its final points, every preference's history in the journal and the
 * telemetry the resumed process printed are bit for bit those of an uninterrupted run.
 */
class KillResumeTest {
    static final int K = 400;
    static final String RUN = "killed";

    @TempDir Path dir;

    @Test
    void aRunKilledAtRandomAndResumedEndsBitForBitAsAnUninterruptedOne() throws Exception {
        Path reference = dir.resolve("reference");
        Process straight = start(reference, List.of());
        assertThat(straight.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(straight.exitValue()).as(log(reference)).isZero();
        List<String> referenceTelemetry = withoutTimes(reference.resolve("telemetry.jsonl"));

        for (long seed : new long[] {1, 2}) {
            Path attempt = dir.resolve("seed-" + seed);
            Random random = new Random(seed);
            int preference = random.nextInt(2);
            int target = 15 + random.nextInt(K - 40);
            Process killed = start(attempt, List.of());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (checkpointAt(attempt, preference) < target && killed.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertThat(killed.isAlive()).as("the run is still going at preference %d, iteration %d: %s", preference,
                    target, log(attempt)).isTrue();
            killed.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
            assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.exists(attempt.resolve("points.jsonl"))).isFalse();
            long[] resumedAt = {Math.max(checkpointAt(attempt, 0), 0), Math.max(checkpointAt(attempt, 1), 0)};
            assertThat(resumedAt[preference]).isGreaterThanOrEqualTo(target);

            Process resumed = start(attempt, List.of("--resume", RUN));
            assertThat(resumed.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(resumed.exitValue()).as(log(attempt)).isZero();

            assertThat(Files.readAllLines(attempt.resolve("points.jsonl")))
                    .isEqualTo(Files.readAllLines(reference.resolve("points.jsonl")));
            for (int i = 0; i < 2; i++) {
                assertThat(withoutTimes(journal(attempt, i))).as("history of preference %d", i)
                        .isEqualTo(withoutTimes(journal(reference, i)));
            }
            // what the resumed process itself computed: from each preference's checkpoint on, once
            List<String> expected = new ArrayList<>();
            List<double[]> order = preferences(referenceTelemetry);
            for (String line : referenceTelemetry) {
                IterateTelemetry t = JsonCodec.decodeTelemetry(line);
                int index = indexOf(order, t.preference());
                if (t.iteration() >= resumedAt[index]) expected.add(line);
            }
            assertThat(withoutTimes(attempt.resolve("telemetry.jsonl"))).isEqualTo(expected);
        }
    }

    /** {@code mobl run} in a child JVM, writing into {@code out}. */
    private static Process start(Path out, List<String> extra) throws IOException {
        Files.createDirectories(out);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
                "-cp", classPath(), "io.mobl.ops.cli.Main", "run",
                "--problem", "quadratic", "--algorithm", "wc-mhgd", "--hypergradient", "cg", "--iterations",
                Integer.toString(K), "--tolerance", "1e-300", "--sweep", "2", "--runtime", "sync", "--metrics-port", "0",
                "--checkpoint-every", "10", "--checkpoint-dir", out.resolve("checkpoints").toString(), "--run", RUN,
                "--out", out.resolve("points.jsonl").toString(), "--telemetry-out",
                out.resolve("telemetry.jsonl").toString()));
        command.addAll(extra);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.resolve("log").toFile())).start();
    }

    /** The test's own class path, as the launcher gives ops. */
    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private static Path journal(Path out, int preference) {
        return FileRunJournal.directory(out.resolve("checkpoints"), RUN, preference).resolve(FileRunJournal.TELEMETRY);
    }

    /** The iteration of the newest checkpoint of a preference, −1 before the first. */
    private static long checkpointAt(Path out, int preference) {
        Path file = FileRunJournal.directory(out.resolve("checkpoints"), RUN, preference).resolve(FileRunJournal.CHECKPOINT);
        try {
            Optional<Checkpoint> c = FileRunJournal.read(file);
            return c.map(Checkpoint::iteration).orElse(-1L);
        } catch (RuntimeException moving) {
            return -1;
        }
    }

    /** Telemetry lines with the phase times (wall clock, never the same twice) left out. */
    private static List<String> withoutTimes(Path file) {
        return JsonLines.read(file, JsonCodec::decodeTelemetry).stream()
                .map(t -> JsonCodec.encodeToString(new IterateTelemetry(t.run(), t.preference(), t.iteration(),
                        t.objectives(), t.weights(), t.stationarity(), t.stepNorm(), t.oracleCalls(), Map.of())))
                .toList();
    }

    private static List<double[]> preferences(List<String> lines) {
        List<double[]> seen = new ArrayList<>();
        for (String line : lines) {
            double[] r = JsonCodec.decodeTelemetry(line).preference();
            if (indexOf(seen, r) < 0) seen.add(r);
        }
        return seen;
    }

    private static int indexOf(List<double[]> preferences, double[] r) {
        for (int i = 0; i < preferences.size(); i++) if (Arrays.equals(preferences.get(i), r)) return i;
        return -1;
    }

    private static String log(Path out) {
        try {
            return Files.readString(out.resolve("log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
