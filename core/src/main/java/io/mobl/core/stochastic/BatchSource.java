package io.mobl.core.stochastic;

import io.mobl.protocol.Minibatch;
import io.mobl.protocol.SourcePosition;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Where a stochastic run gets its samples: the seam between the mathematics (stochastic WC-MHGD, Alg. 2/3) and
 * whatever carries the data (an in-memory generator in tests, Kafka topics in the streams module).
 *
 * <p>A run asks for one minibatch at a time for one role: {@link Minibatch#LOWER} for lower-level data, or the
 * upper objective s ≥ 0. The source delivers only when asked, so a slow solver slows consumption instead of
 * buffering without bound. {@link #next} may block (a Kafka-backed source waits for data); it never returns null.
 *
 * <p>Delivery is at-least-once: when an outer iteration has finished with every batch it used, the run calls
 * {@link #iterationDone}, and a source with offsets commits them then. A source may deliver a batch again after
 * a restart; the batch id tells a replay from new data.
 *
 * <p>Resuming: {@link #positions} says where every stream of the source stands just past the batches acknowledged
 * so far, which a checkpoint records; a new source told {@link #resumeAt} those positions before its first
 * {@link #next} delivers exactly the batches that would have come next, so a resumed run neither skips nor
 * re-uses a minibatch.
 *
 * <p>Threads: stochastic WC-MHGD on the actor runtime asks for different roles from different threads at once (the
 * lower-level solver for {@link Minibatch#LOWER}, hypergradient worker s for s), at most one request per role at
 * a time, so an implementation must be safe for that. {@link #iterationDone} is called from the run's coordinator,
 * which must never block: it should hand the commit off (e.g. to an asynchronous committer) and return.
 */
public interface BatchSource extends AutoCloseable {

    /**
     * The next minibatch for a role.
     *
     * @param objective {@link Minibatch#LOWER} or an upper objective s ≥ 0
     * @param timeout   how long to wait for data
     * @throws TimeoutException     when no batch arrived in time (the caller decides whether to wait again or fail)
     * @throws InterruptedException when the waiting thread was interrupted
     */
    Minibatch next(int objective, Duration timeout) throws InterruptedException, TimeoutException;

    /**
     * The outer iteration {@code iteration} is finished and will not read {@code used} again: commit them.
     * The default does nothing (a source without offsets).
     */
    default void iterationDone(long iteration, List<Minibatch> used) {}

    /**
     * Where each stream of this source stands: just past every batch that {@link #iterationDone} has acknowledged
     * (batches delivered but not yet acknowledged come again after a resume). Empty for a source that cannot
     * resume. Called from the run's coordinator after {@code iterationDone}; must not block.
     */
    default List<SourcePosition> positions() {
        return List.of();
    }

    /**
     * Continue from {@code positions} (a checkpoint's): the batches delivered next are those that followed them.
     * Called before the first {@link #next}. A source that cannot resume refuses any position.
     *
     * @throws io.mobl.protocol.InvalidInputException when a position names a stream this source does not read
     */
    default void resumeAt(List<SourcePosition> positions) {
        if (!positions.isEmpty()) {
            throw new io.mobl.protocol.InvalidInputException("positions", positions,
                    "none: " + getClass().getSimpleName() + " cannot resume from positions");
        }
    }

    /** Releases what the source holds (consumers, threads). The default does nothing. */
    @Override
    default void close() {}
}
