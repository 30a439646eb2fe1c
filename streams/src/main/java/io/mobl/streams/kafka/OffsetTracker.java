package io.mobl.streams.kafka;

import org.apache.kafka.common.TopicPartition;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * At-least-once bookkeeping: which offsets of each partition are done, and up to where a commit is safe.
 * Kafka commits a position, so committing offset o says "everything before o is done"; this tracker therefore
 * releases an offset for commit only when every earlier offset of its partition that it has seen is done too.
 *
 * <p>Offsets are {@link #register registered} in the order the consumer hands them out (increasing per
 * partition). {@link #done} marks one done and returns the committable of the newest offset that became safe
 * to commit, or null. Not thread-safe; callers synchronise.
 *
 * <p>Each partition's offsets sit in a ring in the order they came (so sorted): registering appends, releasing
 * pops from the head, and {@link #done} finds its offset by binary search. The solver registers and releases
 * thousands of offsets a second; a ring does that without a tree node and a boxed key per offset.
 *
 * @param <C> what is committed (a CommittableOffset in production, anything in tests)
 */
final class OffsetTracker<C> {
    /** The offsets of one partition handed out and not yet released, oldest first. */
    private static final class Ring<C> {
        long[] offsets = new long[16];
        boolean[] done = new boolean[16];
        Object[] committables = new Object[16];
        int head;
        int size;

        private int slot(int i) { return (head + i) & (offsets.length - 1); }

        long offsetAt(int i) { return offsets[slot(i)]; }

        void add(long offset, C committable) {
            if (size == offsets.length) grow();
            int s = slot(size);
            offsets[s] = offset;
            done[s] = false;
            committables[s] = committable;
            size++;
        }

        /** Drops the newest entries until the last one is before {@code offset}. */
        void dropFrom(long offset) {
            while (size > 0 && offsetAt(size - 1) >= offset) {
                committables[slot(size - 1)] = null;
                size--;
            }
        }

        /** The position (0 = oldest) of {@code offset}, or −1. */
        int indexOf(long offset) {
            int lo = 0, hi = size - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                long o = offsetAt(mid);
                if (o < offset) lo = mid + 1;
                else if (o > offset) hi = mid - 1;
                else return mid;
            }
            return -1;
        }

        private void grow() {
            int n = offsets.length;
            long[] o = new long[2 * n];
            boolean[] d = new boolean[2 * n];
            Object[] c = new Object[2 * n];
            for (int i = 0; i < size; i++) {
                int s = slot(i);
                o[i] = offsets[s];
                d[i] = done[s];
                c[i] = committables[s];
            }
            offsets = o;
            done = d;
            committables = c;
            head = 0;
        }
    }

    private final Map<TopicPartition, Ring<C>> pending = new HashMap<>();

    void register(TopicPartition tp, long offset, C committable) {
        Ring<C> p = pending.computeIfAbsent(tp, k -> new Ring<>());
        // The consumer went back (a rebalance or a seek): what was handed out from here on comes again.
        if (p.size > 0 && p.offsetAt(p.size - 1) >= offset) p.dropFrom(offset);
        p.add(offset, committable);
    }

    /** Marks the offset done; returns the committable of the newest offset now safe to commit, or null. */
    @SuppressWarnings("unchecked")
    C done(TopicPartition tp, long offset) {
        Ring<C> p = pending.get(tp);
        if (p == null) return null;
        int i = p.indexOf(offset);
        if (i < 0) return null; // unknown, already committed, or dropped by a rewind
        p.done[p.slot(i)] = true;
        C release = null;
        while (p.size > 0 && p.done[p.head]) {
            release = (C) p.committables[p.head];
            p.committables[p.head] = null;
            p.head = (p.head + 1) & (p.offsets.length - 1);
            p.size--;
        }
        return release;
    }

    /** Offsets handed out and not yet released for commit. */
    int pending() {
        int n = 0;
        for (Ring<C> p : pending.values()) n += p.size;
        return n;
    }

    /** Forget a partition (revoked). */
    void forget(TopicPartition tp) { pending.remove(tp); }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("OffsetTracker");
        pending.forEach((tp, p) -> {
            long[] o = new long[p.size];
            for (int i = 0; i < p.size; i++) o[i] = p.offsetAt(i);
            b.append(' ').append(tp).append('=').append(Arrays.toString(o));
        });
        return b.toString();
    }
}
