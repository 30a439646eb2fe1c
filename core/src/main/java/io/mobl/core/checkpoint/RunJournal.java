package io.mobl.core.checkpoint;

import io.mobl.protocol.Checkpoint;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;
import java.util.Optional;

/**
 * Where one run/preference makes its progress durable: its telemetry, its Pareto points and its checkpoints, with
 * the data positions they cover. A Kafka journal publishes everything appended since the last commit, the
 * checkpoint record and the consumer offsets of {@link Checkpoint#positions()} in one transaction, so readers with
 * {@code read_committed} see an iteration's records exactly once, and a run resumed from the checkpoint neither
 * skips nor re-uses a minibatch; a file journal writes the checkpoint atomically.
 *
 * <p>One journal per run/preference ({@link Factory#open}), used by one coordinator at a time: opening it again
 * (a restarted process, another node) fences the earlier writer where the journal can. {@link #commit} blocks
 * until the commit is durable: call it off the actor threads.
 */
public interface RunJournal extends AutoCloseable {

    /** A journal that keeps nothing: no checkpoints, no resume. */
    RunJournal NONE = new RunJournal() {
        @Override public Optional<Checkpoint> recover() { return Optional.empty(); }
        @Override public void append(IterateTelemetry telemetry) {}
        @Override public void append(ParetoPoint point) {}
        @Override public void commit(Checkpoint checkpoint) {}
        @Override public void close() {}
    };

    /** Opens the journal of one run/preference. */
    @FunctionalInterface
    interface Factory {
        Factory NONE = (run, preferenceIndex) -> RunJournal.NONE;

        RunJournal open(String run, int preferenceIndex);
    }

    /**
     * The newest committed checkpoint of this run/preference, if any (decoded and checked: a corrupt or
     * incompatible one is an error, never half-loaded). Called once, before anything is appended.
     */
    Optional<Checkpoint> recover();

    /** One iteration's telemetry, published at the next {@link #commit}. */
    void append(IterateTelemetry telemetry);

    /** A Pareto point (the current one of a continuous run, or the final one), published at the next commit. */
    void append(ParetoPoint point);

    /**
     * Makes everything appended since the last commit durable, together with {@code checkpoint} (null: records
     * only) and the data positions it covers, atomically. Blocks until done; throws if it could not be done (the
     * run then stops rather than go on undurably).
     */
    void commit(Checkpoint checkpoint);

    /** Commits nothing more; releases the producer or file. */
    @Override
    void close();
}
