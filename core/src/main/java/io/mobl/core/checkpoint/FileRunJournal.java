package io.mobl.core.checkpoint;

import io.mobl.protocol.Checkpoint;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.codec.CheckpointCodec;
import io.mobl.protocol.codec.JsonCodec;
import io.mobl.protocol.codec.RecordDecodeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;
import java.util.regex.Pattern;

/**
 * A {@link RunJournal} in a directory: {@code <dir>/<run>/<preferenceIndex>/} holds {@value #CHECKPOINT} (the
 * newest checkpoint, {@link CheckpointCodec}'s bytes), {@value #TELEMETRY} and {@value #POINTS} (JSON lines,
 * {@link JsonCodec}). The synchronous runtime's journal; the Kafka one is the streams module's.
 *
 * <p>What survives a kill -9: lines wait in memory until {@link #commit}, which writes and forces them first, then writes the checkpoint to
 * a temporary file, forces it and moves it over the old one atomically (and forces the directory), so the file on
 * disk is always a whole checkpoint, and every line it covers is on disk before it. Lines after it (iterations the
 * resumed run recomputes, or a line torn by the kill) are cut off by {@link #recover}, so the history after a
 * resume has every iteration once.
 */
public final class FileRunJournal implements RunJournal {
    public static final String CHECKPOINT = "checkpoint.mbck";
    public static final String TELEMETRY = "telemetry.jsonl";
    public static final String POINTS = "points.jsonl";
    private static final Pattern RUN_NAME = Pattern.compile("[A-Za-z0-9._-]+");

    private final Path directory;
    private final String run;
    private final int preferenceIndex;
    private FileChannel telemetry;
    private FileChannel points;
    /** Lines appended since the last commit: written and forced at the commit (lines after it are cut on recover). */
    private final java.io.ByteArrayOutputStream pendingTelemetry = new java.io.ByteArrayOutputStream();
    private final java.io.ByteArrayOutputStream pendingPoints = new java.io.ByteArrayOutputStream();

    private final java.util.concurrent.ExecutorService writer;
    private java.util.concurrent.CompletableFuture<Void> inFlight;

    private FileRunJournal(Path directory, String run, int preferenceIndex, boolean overlapping) {
        this.directory = directory;
        this.run = run;
        this.preferenceIndex = preferenceIndex;
        this.writer = overlapping ? java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mobl-checkpoint-" + run + "-" + preferenceIndex);
            t.setDaemon(true);
            return t;
        }) : null;
    }

    /** Journals under {@code root}: one directory per run, one below it per preference. */
    public static Factory in(Path root) {
        return (run, preferenceIndex) -> open(root, run, preferenceIndex);
    }

    /**
     * As {@link #in}, with each checkpoint written while the run goes on: {@link #commit} writes and forces the lines,
     * then hands the checkpoint (immutable) to a writer thread and returns; the next commit, and {@link #close}, wait
     * for it first. The files are as durable and as consistent as with {@link #in} (the lines a checkpoint covers are
     * on disk before it, a checkpoint is whole or absent), but a checkpoint is durable once the next commit or close
     * returns, not when its own does: a kill -9 can lose up to 2N − 1 iterations instead of N − 1. What a large state
     * gains: the run does not wait for the disk (see the checkpoint benchmark).
     */
    public static Factory overlapping(Path root) {
        return (run, preferenceIndex) -> new FileRunJournal(directory(root, run, preferenceIndex), run,
                preferenceIndex, true);
    }

    /** The journal of one run/preference under {@code root}. */
    public static FileRunJournal open(Path root, String run, int preferenceIndex) {
        return new FileRunJournal(directory(root, run, preferenceIndex), run, preferenceIndex, false);
    }

    /** Where the journal of one run/preference lives. */
    public static Path directory(Path root, String run, int preferenceIndex) {
        if (run == null || !RUN_NAME.matcher(run).matches() || run.equals(".") || run.equals("..")) {
            throw new InvalidInputException("run", run, "a run name of letters, digits, '.', '_' and '-' (it names a directory)");
        }
        if (preferenceIndex < 0) throw new InvalidInputException("preferenceIndex", preferenceIndex, "an index >= 0");
        return root.resolve(run).resolve(Integer.toString(preferenceIndex));
    }

    /** This journal's directory. */
    public Path directory() {
        return directory;
    }

    /**
     * The checkpoint file decoded and checked (a corrupt one, one of another version or of another run is refused
     * naming the field), or empty when there is none; cuts the telemetry and point files back to the iterations
     * before it.
     */
    @Override
    public Optional<Checkpoint> recover() {
        if (telemetry != null) throw new IllegalStateException("recover() is called once, before anything is appended");
        Optional<Checkpoint> checkpoint = read(directory.resolve(CHECKPOINT));
        checkpoint.ifPresent(c -> {
            if (!c.run().equals(run) || c.preferenceIndex() != preferenceIndex) {
                throw new InvalidInputException("checkpoint.run", c.key(), run + "/" + preferenceIndex
                        + ", the run this directory belongs to (" + directory + ")");
            }
        });
        long next = checkpoint.map(Checkpoint::iteration).orElse(0L);
        try {
            Files.createDirectories(directory);
            telemetry = keepBefore(directory.resolve(TELEMETRY), next, line -> JsonCodec.decodeTelemetry(line).iteration());
            points = keepBefore(directory.resolve(POINTS), next, line -> JsonCodec.decodeParetoPoint(line).iterations());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the run journal in " + directory, e);
        }
        return checkpoint;
    }

    /** The checkpoint in {@code file}, decoded; an error naming the field when it cannot be used. */
    public static Optional<Checkpoint> read(Path file) {
        if (!Files.exists(file)) return Optional.empty();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the checkpoint " + file, e);
        }
        try {
            return Optional.of(CheckpointCodec.decode(bytes));
        } catch (RecordDecodeException e) {
            throw new InvalidInputException(e.field() == null ? "checkpoint" : "checkpoint." + e.field(), file,
                    "a readable mobl checkpoint, but " + e.reason() + "; remove it (the run starts over) or resume "
                            + "another run name");
        }
    }

    @Override
    public void append(IterateTelemetry t) {
        telemetry();
        pending(pendingTelemetry, JsonCodec.encodeToString(t));
    }

    @Override
    public void append(ParetoPoint point) {
        telemetry();
        pending(pendingPoints, JsonCodec.encodeToString(point));
    }

    @Override
    public void commit(Checkpoint checkpoint) {
        awaitWrite();
        try {
            write(telemetry(), pendingTelemetry);
            write(points, pendingPoints);
            telemetry.force(false);
            points.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit the telemetry of " + run + "/" + preferenceIndex + " in "
                    + directory, e);
        }
        if (checkpoint == null) return;
        if (!checkpoint.run().equals(run) || checkpoint.preferenceIndex() != preferenceIndex) {
            throw new IllegalArgumentException("checkpoint " + checkpoint.key() + " in the journal of " + run + "/"
                    + preferenceIndex);
        }
        if (writer == null) {
            writeCheckpoint(checkpoint);
        } else {
            inFlight = java.util.concurrent.CompletableFuture.runAsync(() -> writeCheckpoint(checkpoint), writer);
        }
    }

    /** Encodes the checkpoint to a temporary file, forces it, moves it over the old one and forces the directory. */
    private void writeCheckpoint(Checkpoint checkpoint) {
        try {
            Path tmp = directory.resolve(CHECKPOINT + ".tmp");
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer data = ByteBuffer.wrap(CheckpointCodec.encode(checkpoint));
                while (data.hasRemaining()) out.write(data);
                out.force(true);
            }
            Files.move(tmp, directory.resolve(CHECKPOINT), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            forceDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit the checkpoint of " + run + "/" + preferenceIndex + " in "
                    + directory, e);
        }
    }

    /** Waits for the checkpoint being written in the background (an overlapping journal), rethrowing its failure. */
    private void awaitWrite() {
        if (inFlight == null) return;
        try {
            inFlight.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        } finally {
            inFlight = null;
        }
    }

    @Override
    public void close() {
        try {
            awaitWrite();
        } finally {
            if (writer != null) writer.shutdown();
        }
        try {
            if (telemetry != null) telemetry.close();
            if (points != null) points.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private FileChannel telemetry() {
        if (telemetry == null) recover(); // a writer that never asked: start where the checkpoint stands
        return telemetry;
    }

    private static void pending(java.io.ByteArrayOutputStream buffer, String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        buffer.write(bytes, 0, bytes.length);
    }

    private static void write(FileChannel channel, java.io.ByteArrayOutputStream pending) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(pending.toByteArray());
        while (data.hasRemaining()) channel.write(data);
        pending.reset();
    }

    /**
     * Keeps the leading lines of {@code file} whose iteration is below {@code next} (rewritten atomically when any
     * is cut) and opens it for appending. A line that does not decode can only be one torn by a kill after the last
     * commit: it and what follows go.
     */
    private FileChannel keepBefore(Path file, long next, ToLongFunction<String> iteration) throws IOException {
        if (Files.exists(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<String> kept = new ArrayList<>(lines.size());
            for (String line : lines) {
                long k;
                try {
                    k = iteration.applyAsLong(line);
                } catch (RuntimeException torn) {
                    break;
                }
                if (k >= next) break;
                kept.add(line);
            }
            long keptBytes = 0;
            for (String line : kept) keptBytes += line.getBytes(StandardCharsets.UTF_8).length + 1;
            if (keptBytes != Files.size(file)) {
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.write(tmp, kept, StandardCharsets.UTF_8);
                try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    c.force(true);
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                forceDirectory();
            }
        }
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    private void forceDirectory() throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // some file systems cannot open a directory; the rename is still atomic there
        }
    }

    @Override
    public String toString() {
        return "FileRunJournal[" + directory + "]";
    }
}
