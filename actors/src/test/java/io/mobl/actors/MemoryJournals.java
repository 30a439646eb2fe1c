package io.mobl.actors;

import io.mobl.core.checkpoint.RunJournal;
import io.mobl.protocol.Checkpoint;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.codec.CheckpointCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Journals in memory with a Kafka journal's semantics: appended records become visible at the next commit
 * (the telemetry of iterations before the checkpoint's k; all of it for a records-only commit), checkpoints go
 * through the binary codec, and what was appended but not committed is lost when the journal is dropped. A commit
 * can be made to fail once at a chosen iteration, as a process that dies there.
 */
final class MemoryJournals implements RunJournal.Factory {
    private final Map<String, byte[]> checkpoints = new HashMap<>();
    private final List<IterateTelemetry> telemetry = new ArrayList<>();
    private final List<ParetoPoint> points = new ArrayList<>();
    private long crashAt = -1;
    private int crashIndex = -1;
    private int commits;

    /** The next commit of preference {@code index}'s checkpoint at {@code iteration} fails, and every later one of that journal. */
    synchronized void crashAt(int index, long iteration) {
        crashIndex = index;
        crashAt = iteration;
    }

    synchronized List<IterateTelemetry> telemetry() {
        return List.copyOf(telemetry);
    }

    synchronized List<ParetoPoint> points() {
        return List.copyOf(points);
    }

    synchronized int commits() {
        return commits;
    }

    synchronized void put(Checkpoint checkpoint) {
        checkpoints.put(checkpoint.key(), CheckpointCodec.encode(checkpoint));
    }

    @Override
    public RunJournal open(String run, int index) {
        return new RunJournal() {
            private final List<IterateTelemetry> pendingTelemetry = new ArrayList<>();
            private final List<ParetoPoint> pendingPoints = new ArrayList<>();
            private boolean dead;

            @Override
            public Optional<Checkpoint> recover() {
                synchronized (MemoryJournals.this) {
                    byte[] data = checkpoints.get(Checkpoint.key(run, index));
                    return data == null ? Optional.empty() : Optional.of(CheckpointCodec.decode(data));
                }
            }

            @Override public synchronized void append(IterateTelemetry t) { pendingTelemetry.add(t); }
            @Override public synchronized void append(ParetoPoint p) { pendingPoints.add(p); }

            @Override
            public synchronized void commit(Checkpoint checkpoint) {
                synchronized (MemoryJournals.this) {
                    if (dead || (index == crashIndex && checkpoint != null && checkpoint.iteration() == crashAt)) {
                        dead = true;
                        crashAt = -1;
                        throw new IllegalStateException("simulated crash at the commit of iteration "
                                + (checkpoint == null ? "-" : checkpoint.iteration()));
                    }
                    long before = checkpoint == null ? Long.MAX_VALUE : checkpoint.iteration();
                    pendingTelemetry.removeIf(t -> {
                        if (t.iteration() >= before) return false;
                        telemetry.add(t);
                        return true;
                    });
                    points.addAll(pendingPoints);
                    pendingPoints.clear();
                    if (checkpoint != null) checkpoints.put(checkpoint.key(), CheckpointCodec.encode(checkpoint));
                    commits++;
                }
            }

            @Override public void close() {}
        };
    }
}
