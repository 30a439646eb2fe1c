package io.mobl.streams.kafka;

import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * At-least-once bookkeeping: which offsets of each partition are done, and up to where a commit is safe.
 * Kafka commits a position, so committing offset o says "everything before o is done"; this tracker therefore
 * releases an offset for commit only when every earlier offset of its partition that it has seen is done too.
 *
 * <p>Offsets are {@link #register registered} in the order the consumer hands them out (increasing per
 * partition). {@link #done} marks one done and returns the committable of the newest offset that became safe
 * to commit, or null. Not thread-safe; callers synchronise.
 *
 * @param <C> what is committed (a CommittableOffset in production, anything in tests)
 */
final class OffsetTracker<C> {
    private static final class Entry<C> {
        final C committable;
        boolean done;

        Entry(C committable) { this.committable = committable; }
    }

    private final Map<TopicPartition, TreeMap<Long, Entry<C>>> pending = new HashMap<>();

    void register(TopicPartition tp, long offset, C committable) {
        TreeMap<Long, Entry<C>> p = pending.computeIfAbsent(tp, k -> new TreeMap<>());
        if (!p.isEmpty() && p.lastKey() >= offset) {
            // The consumer went back (a rebalance or a seek): what was handed out from here on comes again.
            p.tailMap(offset, true).clear();
        }
        p.put(offset, new Entry<>(committable));
    }

    /** Marks the offset done; returns the committable of the newest offset now safe to commit, or null. */
    C done(TopicPartition tp, long offset) {
        TreeMap<Long, Entry<C>> p = pending.get(tp);
        if (p == null) return null;
        Entry<C> e = p.get(offset);
        if (e == null) return null; // unknown, already committed, or dropped by a rewind
        e.done = true;
        C release = null;
        while (!p.isEmpty() && p.firstEntry().getValue().done) {
            release = p.pollFirstEntry().getValue().committable;
        }
        return release;
    }

    /** Offsets handed out and not yet released for commit. */
    int pending() {
        int n = 0;
        for (TreeMap<Long, Entry<C>> p : pending.values()) n += p.size();
        return n;
    }

    /** Forget a partition (revoked). */
    void forget(TopicPartition tp) { pending.remove(tp); }
}
