package io.mobl.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.core.algorithm.Budget;
import io.mobl.core.algorithm.Durability;
import io.mobl.core.algorithm.IterativeRun;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.WcMhgdAlgorithm;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.problem.CountingProblem;
import io.mobl.core.problem.quadratic.QuadraticProblem;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import io.mobl.core.stochastic.GeneratedBatchSource;
import io.mobl.core.stochastic.ListBatchSource;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.mobl.protocol.Checkpoint;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.SourcePosition;
import io.mobl.protocol.codec.CheckpointCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRunJournalTest {
    private static final double[] PREFERENCE = {0.4, 0.6};
    @TempDir Path root;

    private final QuadraticProblem problem = QuadraticProblems.dense(5, 3, 4, 2, 3, 0.5);

    private WcMhgdAlgorithm algorithm(int cgSteps) {
        return new WcMhgdAlgorithm(new CountingProblem(problem),
                WcMhgdConfig.defaults(problem, new ConjugateGradient(cgSteps), 5, 0.1, 100, 0));
    }

    private IterativeRun.Durable<?> run(WcMhgdAlgorithm algorithm, int iterations, int every, RunListener listener) {
        try (RunJournal journal = FileRunJournal.open(root, "run-1", 0)) {
            return IterativeRun.runDurably(algorithm, PREFERENCE, problem.initialUpper(), new Budget(iterations, 0),
                    listener, null, new Durability(journal, every, "run-1", 0, Durability.NO_SOURCE));
        }
    }

    private Path file(String name) {
        return FileRunJournal.directory(root, "run-1", 0).resolve(name);
    }

    private static Checkpoint checkpoint(String run, int index, long iteration) {
        return StateImage.builder(iteration, PREFERENCE).array("x", new double[] {1, 2, 3}).build()
                .toCheckpoint(run, index, "wc-mhgd", "c", 3, 4, false, new OracleCalls(1, 2, 3, 4), List.of());
    }

    @Test
    void aCommittedCheckpointComesBackEqualAndAFreshDirectoryHasNone() {
        try (FileRunJournal journal = FileRunJournal.open(root, "run-1", 0)) {
            assertThat(journal.recover()).isEmpty();
            journal.commit(checkpoint("run-1", 0, 4));
        }
        try (FileRunJournal journal = FileRunJournal.open(root, "run-1", 0)) {
            assertThat(journal.recover()).contains(checkpoint("run-1", 0, 4));
        }
        assertThat(Files.exists(file(FileRunJournal.CHECKPOINT + ".tmp"))).isFalse();
    }

    @Test
    void aCorruptCheckpointIsRefusedNamingTheChecksumAndNothingIsLoaded() throws Exception {
        run(algorithm(4), 6, 3, RunListener.NONE);
        byte[] bytes = Files.readAllBytes(file(FileRunJournal.CHECKPOINT));
        bytes[bytes.length - 3] ^= 0x10;
        Files.write(file(FileRunJournal.CHECKPOINT), bytes);
        assertThatThrownBy(() -> run(algorithm(4), 6, 3, RunListener.NONE)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("checkpoint.checksum").hasMessageContaining("CRC-32C");
    }

    @Test
    void aCheckpointOfAnotherVersionIsRefusedNamingTheVersion() throws Exception {
        run(algorithm(4), 6, 3, RunListener.NONE);
        byte[] bytes = Files.readAllBytes(file(FileRunJournal.CHECKPOINT));
        bytes[4] = (byte) (CheckpointCodec.VERSION + 1);
        Files.write(file(FileRunJournal.CHECKPOINT), bytes);
        assertThatThrownBy(() -> run(algorithm(4), 6, 3, RunListener.NONE)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("checkpoint.version");
    }

    @Test
    void aCheckpointOfOtherSettingsOrAnotherRunIsRefusedNamingTheField() {
        run(algorithm(4), 6, 3, RunListener.NONE);
        assertThatThrownBy(() -> run(algorithm(7), 6, 3, RunListener.NONE)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("checkpoint.configuration");
        try (FileRunJournal journal = FileRunJournal.open(root, "run-2", 0)) {
            journal.recover();
        }
        try (FileRunJournal wrong = FileRunJournal.open(root, "run-1", 0)) {
            wrong.recover();
            assertThatThrownBy(() -> wrong.commit(checkpoint("run-2", 0, 1))).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> FileRunJournal.open(root, "../x", 0)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("run");
    }

    @Test
    void recoverCutsTheTelemetryBackToTheCheckpointAndDropsATornLastLine() throws Exception {
        List<Integer> seen = new ArrayList<>();
        assertThatThrownBy(() -> run(algorithm(4), 20, 4, new RunListener() {
            @Override
            public void onIteration(IterateTelemetry t) {
                seen.add(t.iteration());
                if (t.iteration() == 10) throw new IllegalStateException("crash");
            }
        })).hasMessage("crash");
        Files.writeString(file(FileRunJournal.TELEMETRY), "{\"run\":\"run-1\",\"prefer", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        try (FileRunJournal journal = FileRunJournal.open(root, "run-1", 0)) {
            assertThat(journal.recover().orElseThrow().iteration()).isEqualTo(8);
        }
        List<String> lines = Files.readAllLines(file(FileRunJournal.TELEMETRY));
        assertThat(lines).hasSize(8);
        IterativeRun.Durable<?> resumed = run(algorithm(4), 20, 4, RunListener.NONE);
        assertThat(resumed.resumedAt()).isEqualTo(8);
        assertThat(Files.readAllLines(file(FileRunJournal.TELEMETRY)).stream()
                .map(l -> io.mobl.protocol.codec.JsonCodec.decodeTelemetry(l).iteration()).toList())
                .isEqualTo(java.util.stream.IntStream.rangeClosed(0, 20).boxed().toList());
        IterativeRun.Durable<?> straight = IterativeRun.runDurably(algorithm(4), PREFERENCE, problem.initialUpper(),
                new Budget(20, 0), RunListener.NONE, null, Durability.none("run-1", 0));
        assertThat(resumed.point().x()).containsExactly(straight.point().x());
        assertThat(resumed.point().oracleCalls()).isEqualTo(straight.point().oracleCalls());
    }

    @Test
    void anOverlappingJournalWritesTheSameFilesAndResumesTheSame() throws Exception {
        RunJournal.Factory overlapping = FileRunJournal.overlapping(root.resolve("overlapping"));
        assertThatThrownBy(() -> {
            try (RunJournal journal = overlapping.open("run-1", 0)) {
                IterativeRun.runDurably(algorithm(4), PREFERENCE, problem.initialUpper(), new Budget(20, 0),
                        new RunListener() {
                            @Override
                            public void onIteration(IterateTelemetry t) {
                                if (t.iteration() == 10) throw new IllegalStateException("crash");
                            }
                        }, null, new Durability(journal, 4, "run-1", 0, Durability.NO_SOURCE));
            }
        }).hasMessage("crash");
        // closed: the checkpoint handed to the writer before the crash is on disk
        Path dir = FileRunJournal.directory(root.resolve("overlapping"), "run-1", 0);
        assertThat(FileRunJournal.read(dir.resolve(FileRunJournal.CHECKPOINT)).orElseThrow().iteration()).isEqualTo(8);
        IterativeRun.Durable<?> resumed;
        try (RunJournal journal = overlapping.open("run-1", 0)) {
            resumed = IterativeRun.runDurably(algorithm(4), PREFERENCE, problem.initialUpper(), new Budget(20, 0),
                    RunListener.NONE, null, new Durability(journal, 4, "run-1", 0, Durability.NO_SOURCE));
        }
        assertThat(resumed.resumedAt()).isEqualTo(8);
        run(algorithm(4), 20, 4, RunListener.NONE);
        assertThat(Files.readAllLines(dir.resolve(FileRunJournal.TELEMETRY)).stream()
                .map(l -> io.mobl.protocol.codec.JsonCodec.decodeTelemetry(l).objectives()[0]).toList())
                .isEqualTo(Files.readAllLines(file(FileRunJournal.TELEMETRY)).stream()
                        .map(l -> io.mobl.protocol.codec.JsonCodec.decodeTelemetry(l).objectives()[0]).toList());
        assertThat(Files.readAllLines(dir.resolve(FileRunJournal.POINTS)))
                .isEqualTo(Files.readAllLines(file(FileRunJournal.POINTS)));
    }

    @Test
    void aFinishedRunStartedAgainReportsTheSamePointAndKeepsOneHistory() {
        IterativeRun.Durable<?> first = run(algorithm(4), 9, 0, RunListener.NONE);
        IterativeRun.Durable<?> again = run(algorithm(4), 9, 0, RunListener.NONE);
        assertThat(again.resumedAt()).as("the final checkpoint: the state after step 9, with its point").isEqualTo(10);
        assertThat(again.state()).as("nothing stepped").isNull();
        assertThat(again.point().x()).containsExactly(first.point().x());
        assertThat(again.point().oracleCalls()).isEqualTo(first.point().oracleCalls());
        try {
            assertThat(Files.readAllLines(file(FileRunJournal.TELEMETRY))).hasSize(10);
            assertThat(Files.readAllLines(file(FileRunJournal.POINTS))).hasSize(1);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void inMemorySourcesResumeJustPastTheAcknowledgedBatches() {
        GeneratedBatchSource generated = GeneratedBatchSource.of(StochasticQuadraticSpec.defaults(3), 2);
        Minibatch a = next(generated, Minibatch.LOWER);
        Minibatch b = next(generated, 0);
        generated.iterationDone(0, List.of(a, b));
        next(generated, Minibatch.LOWER); // delivered, not acknowledged: comes again after a resume
        List<SourcePosition> positions = generated.positions();
        GeneratedBatchSource resumed = GeneratedBatchSource.of(StochasticQuadraticSpec.defaults(3), 2);
        resumed.resumeAt(positions);
        GeneratedBatchSource reference = GeneratedBatchSource.of(StochasticQuadraticSpec.defaults(3), 2);
        next(reference, Minibatch.LOWER);
        next(reference, 0);
        assertThat(next(resumed, Minibatch.LOWER).batchId()).isEqualTo(next(reference, Minibatch.LOWER).batchId());
        assertThat(next(resumed, 0).batchId()).isEqualTo(next(reference, 0).batchId());
        assertThat(next(resumed, 1).batchId()).isEqualTo(next(reference, 1).batchId());
        assertThatThrownBy(() -> resumed.resumeAt(List.of(new SourcePosition("topic", 0, 0, 1))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("positions");

        List<Minibatch> batches = List.of(a, b, next(reference, Minibatch.LOWER), next(reference, 0));
        ListBatchSource list = new ListBatchSource(batches);
        list.iterationDone(0, List.of(next(list, Minibatch.LOWER), next(list, 0)));
        ListBatchSource again = new ListBatchSource(batches);
        again.resumeAt(list.positions());
        assertThat(next(again, Minibatch.LOWER)).isEqualTo(batches.get(2));
        assertThat(next(again, 0)).isEqualTo(batches.get(3));
    }

    private static Minibatch next(io.mobl.core.stochastic.BatchSource source, int role) {
        try {
            return source.next(role, Duration.ofMillis(100));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void telemetryAppendedWithoutRecoverStartsFromTheCheckpointToo() {
        try (FileRunJournal journal = FileRunJournal.open(root, "run-1", 0)) {
            journal.append(new IterateTelemetry("run-1", PREFERENCE, 0, new double[] {1, 2}, new double[] {0.5, 0.5},
                    0, 0, OracleCalls.NONE, Map.of()));
            journal.commit(null);
        }
        assertThat(FileRunJournal.read(file(FileRunJournal.CHECKPOINT))).isEqualTo(Optional.empty());
        try {
            assertThat(Files.readAllLines(file(FileRunJournal.TELEMETRY))).hasSize(1);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
