package io.mobl.streams.kafka;

/**
 * The last {@code capacity} batch ids seen, to recognise replays; the oldest is forgotten first. Thread-safe.
 *
 * <p>Every record a puller takes passes through here, so it is built for that: the ids sit in a ring of fixed
 * size (insertion order, the oldest overwritten) and an open-addressing index (linear probing, at most half full,
 * backward-shift deletion) maps an id to its ring slot. Both are allocated once: nothing is allocated per id and
 * nothing is ever rehashed. The {@code LinkedHashMap} this replaces allocated an entry per id and rehashed twice
 * on the way to a full window of 100,000; its {@code putIfAbsent} and resizes were 40 % of the stream thread's
 * own work in the delivery benchmark.
 */
final class ReplayWindow {
    private final int capacity;
    /** Ids in insertion order; {@code next} is the slot written next (the oldest id once the ring is full). */
    private final String[] ring;
    /** Index: ring slot + 1 for an occupied entry, 0 for an empty one. Length a power of two ≥ 2·capacity. */
    private final int[] index;
    private final int mask;
    /** 32 − log2(index length): Fibonacci hashing keeps the top bits of the product. */
    private final int shift;
    private int next;
    private int size;

    ReplayWindow(int capacity) {
        if (capacity < 0 || capacity > 1 << 28) throw new IllegalArgumentException("replay window " + capacity + " outside 0..2^28");
        this.capacity = capacity;
        this.ring = new String[capacity];
        int slots = capacity == 0 ? 1 : Integer.highestOneBit(Math.max(1, 2 * capacity - 1)) << 1;
        this.index = new int[slots];
        this.mask = slots - 1;
        this.shift = Integer.numberOfLeadingZeros(slots) + 1;
    }

    /** True the first time an id is offered (within the window), false for a replay. */
    synchronized boolean firstTime(String id) {
        if (capacity == 0) return true;
        int slot = find(id);
        if (index[slot] != 0) return false;
        insert(id);
        return true;
    }

    /** Remembers an id (a no-op if it is already in the window). */
    synchronized void add(String id) {
        if (capacity > 0 && index[find(id)] == 0) insert(id);
    }

    synchronized int size() { return size; }

    /** The index slot that holds {@code id}, or the empty slot where probing for it stopped. */
    private int find(String id) {
        int i = home(id);
        while (index[i] != 0 && !ring[index[i] - 1].equals(id)) i = (i + 1) & mask;
        return i;
    }

    private void insert(String id) {
        if (size == capacity) {
            forget(ring[next]);
        } else {
            size++;
        }
        ring[next] = id;
        index[find(id)] = next + 1;
        next = next + 1 == capacity ? 0 : next + 1;
    }

    /** Removes the oldest id's index entry, shifting later entries of its probe run back (no tombstones). */
    private void forget(String oldest) {
        int hole = find(oldest);
        int j = hole;
        while (true) {
            j = (j + 1) & mask;
            if (index[j] == 0) break;
            int home = home(ring[index[j] - 1]);
            // The entry at j may move into the hole unless its home lies cyclically in (hole, j].
            boolean homeBetween = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!homeBetween) {
                index[hole] = index[j];
                hole = j;
            }
        }
        index[hole] = 0;
    }

    private int home(String id) {
        return (id.hashCode() * 0x9E3779B9) >>> shift; // ids differ mostly in their last characters: spread them
    }

    /** For tests: the index holds exactly the ring's ids. */
    synchronized boolean consistent() {
        int occupied = 0;
        for (int e : index) if (e != 0) occupied++;
        if (occupied != size) return false;
        for (int k = 0; k < size; k++) {
            int slot = Math.floorMod(next - 1 - k, capacity);
            if (index[find(ring[slot])] != slot + 1) return false;
        }
        return true;
    }
}
