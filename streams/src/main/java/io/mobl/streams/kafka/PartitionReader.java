package io.mobl.streams.kafka;

import io.mobl.protocol.Minibatch;
import io.mobl.protocol.SourcePosition;
import io.mobl.protocol.codec.ExampleRecords;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One partition of a run's data topic, read by its own Kafka consumer (manual assignment, no group membership) on
 * its own thread, and handed out per role: the lower-level role ({@link Minibatch#LOWER}) for a partition of the
 * lower-level topic, the objectives the default partitioner puts in it for a partition of the upper-level topic.
 *
 * <p><b>In.</b> The thread polls (at most {@code max.poll.records} records), gives each record the one check of
 * {@link Intake} and puts the usable batch in its role's bounded queue, in partition order; an unusable record goes
 * to the dead-letter topic with the reason. While the role's queue is full the thread waits (back-pressure: it does
 * not poll, so Kafka's consumer fetches no further); a caller that empties the queue to half wakes it. So at most
 * the queues, one poll of raw records and one fetch are held, whatever waits in the topic. With an
 * {@code overflowGrace} (upper level only) a queue that stays full that long has its oldest batch passed over.
 *
 * <p><b>Out.</b> Each role's batches come out in partition order; a role never waits for another role's caller
 * except through that role's full queue. Which batches a role sees is therefore a function of the partition's
 * data and the role's start position only, never of timing (unless batches are passed over).
 *
 * <p><b>Positions.</b> Each role starts at its {@code start}: from {@link #resumeAt}, else from the group's
 * committed offset (and the role's own position in its metadata, {@link RolePositions}), else the partition's
 * beginning. The thread seeks to the smallest start and skips, per role, the records before the role's own (and
 * does not dead-letter again what lies before the largest: the reader that went past it did). A role's position is
 * an offset such that the role has used every batch of its own before it and none after: just past the batches
 * {@link #acknowledge}d in order (they may be acknowledged in any order; the position moves over the contiguous
 * acknowledged prefix), and, while the role has nothing handed out, on over what the thread has gone past that is
 * not the role's (other roles' batches, dead letters) up to the role's next batch. So an objective without data
 * does not hold its partition's committed offset back. With {@link KafkaSourceSettings.OffsetCommits#SOURCE} the
 * thread commits the positions every {@code commitInterval} and at close.
 *
 * <p>A batch id seen in the last {@code replayWindow} records of the partition is a replay and is skipped. The
 * window starts empty after a resume: a duplicate just past a checkpoint's position is used once more.
 */
final class PartitionReader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PartitionReader.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration LOOKUP = Duration.ofSeconds(30);

    /**
     * Counters, for tests, benchmarks and metrics.
     *
     * @param fetched      records taken from Kafka and checked
     * @param delivered    batches handed to callers
     * @param deadLettered records sent to the dead-letter topic
     * @param replays      batches skipped because their id came within the replay window
     * @param resumedPast  records skipped because their role's start is past them
     * @param overflowed   batches passed over because their queue stayed full for the overflow grace
     */
    record Stats(long fetched, long delivered, long deadLettered, long replays, long resumedPast, long overflowed) {
        static Stats sum(Collection<PartitionReader> readers) {
            long f = 0, d = 0, dl = 0, r = 0, rp = 0, o = 0;
            for (PartitionReader reader : readers) {
                Stats s = reader.stats();
                f += s.fetched;
                d += s.delivered;
                dl += s.deadLettered;
                r += s.replays;
                rp += s.resumedPast;
                o += s.overflowed;
            }
            return new Stats(f, d, dl, r, rp, o);
        }
    }

    /** One role's queue and position; guarded by the reader's lock. */
    private static final class Role {
        final int objective;
        final int capacity;
        final ArrayDeque<Delivered> ready;
        /** Offsets handed out and not yet acknowledged, in order. */
        final OffsetTracker<Long> handedOut = new OffsetTracker<>();
        /** The first offset this role reads; −1 while not known. */
        long start = -1;
        /** Just past every batch acknowledged in order, or what the reader went past while none was out; ≥ start. */
        long acknowledged = -1;
        /** {@link System#nanoTime()} (never 0) since when the queue has been full and the reader waiting, or 0. */
        long fullSince;
        /** Per-example records: the examples collected for the role's next batch, and their offsets. */
        final List<ExampleRecords.Example> pending = new ArrayList<>();
        final List<Long> pendingOffsets = new ArrayList<>();
        /** The offset of the first of {@link #pending}, or −1 when none is. */
        long pendingFirst = -1;

        void dropPending() {
            pending.clear();
            pendingOffsets.clear();
            pendingFirst = -1;
        }

        Role(int objective, int capacity) {
            this.objective = objective;
            this.capacity = capacity;
            this.ready = new ArrayDeque<>(Math.min(capacity, 1024));
        }
    }

    /** What {@link #offer} did with a batch. */
    private enum Offer { PLACED, SKIPPED, STALE, COMMIT_DUE }

    private final KafkaSourceSettings settings;
    private final TopicPartition tp;
    private final String group;
    private final Intake intake;
    private final DeadLetters deadLetters;
    private final Duration overflowGrace;
    private final boolean commits;
    private final long commitNanos;
    private final Role[] roles;
    /** objective + 1 → role (index 0 is the lower level). */
    private final Role[] roleOf;

    private final ReentrantLock lock = new ReentrantLock();
    /** Callers wait here for a batch. */
    private final Condition arrived = lock.newCondition();
    /** The reader thread waits here for room (or a resume, or close). */
    private final Condition room = lock.newCondition();
    // guarded by lock
    private int generation;
    private boolean seekPending;
    private boolean closed;
    private boolean handedAny;
    private Throwable failure;
    private boolean ended;
    private Role blockedOn;
    private int callersWaiting;
    private long delivered;
    private long overflowed;
    private long resumedPast;
    /** Every record before this offset has been dealt with (queued, skipped or dead-lettered) by the reader. */
    private long frontier;

    // written by the reader thread only
    private volatile long fetched;
    private volatile long deadLettered;
    private volatile long replays;
    /** Unusable records below this offset were dead-lettered by the reader that went past them. */
    private long deadLetteredBelow;
    private OffsetAndMetadata lastCommitted;
    private long nextCommit;

    private final Thread thread;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    /**
     * Starts reading (the thread starts here).
     *
     * @param objectives    the roles of this partition, ascending ({@code {-1}} for the lower level)
     * @param capacity      each role's queue bound
     * @param overflowGrace null: never pass a batch over
     */
    PartitionReader(KafkaSourceSettings settings, TopicPartition tp, String group, int[] objectives, int capacity,
                    Duration overflowGrace, Intake intake, DeadLetters deadLetters) {
        this.settings = settings;
        this.tp = tp;
        this.group = group;
        this.intake = intake;
        this.deadLetters = deadLetters;
        this.overflowGrace = overflowGrace;
        this.commits = settings.offsetCommits() == KafkaSourceSettings.OffsetCommits.SOURCE;
        this.commitNanos = settings.commitInterval().toNanos();
        this.roles = new Role[objectives.length];
        int maxObjective = Minibatch.LOWER;
        for (int s : objectives) maxObjective = Math.max(maxObjective, s);
        this.roleOf = new Role[maxObjective + 2];
        for (int i = 0; i < objectives.length; i++) {
            roles[i] = new Role(objectives[i], capacity);
            roleOf[objectives[i] + 1] = roles[i];
        }
        this.thread = new Thread(this::read, "mobl-kafka-" + tp);
        thread.setDaemon(true);
        thread.start();
    }

    TopicPartition topicPartition() { return tp; }

    /** The roles read from this partition, ascending. */
    int[] objectives() {
        int[] out = new int[roles.length];
        for (int i = 0; i < roles.length; i++) out[i] = roles[i].objective;
        return out;
    }

    private Role role(int objective) {
        Role r = objective + 1 < roleOf.length && objective >= Minibatch.LOWER ? roleOf[objective + 1] : null;
        if (r == null) throw new IllegalArgumentException("objective " + objective + " is not read from " + tp);
        return r;
    }

    // ---------------------------------------------------------------- callers

    /** The next batch of {@code objective}, waiting for one until {@code deadline} ({@link System#nanoTime()}). */
    Delivered take(int objective, long deadline) throws InterruptedException, TimeoutException {
        Role r = role(objective);
        lock.lockInterruptibly();
        try {
            while (true) {
                Delivered d = poll(r);
                if (d != null) return d;
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new TimeoutException(whyNothing(r));
                callersWaiting++;
                try {
                    arrived.awaitNanos(left);
                } finally {
                    callersWaiting--;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Where the next batch of {@code objective} is: its offset when one is ready, else a lower bound of it (every
     * record before the reader's frontier has been dealt with, so a batch still to come lies at or after it).
     */
    record Head(long offset, boolean ready) {}

    Head head(int objective) {
        Role r = role(objective);
        lock.lock();
        try {
            checkOpen();
            Delivered d = r.ready.peek();
            return d != null ? new Head(d.offset(), true) : new Head(frontier, false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a batch of {@code objective} is ready or the reader has gone past {@code bound} (or
     * {@code deadline} passes); returns whether either happened.
     */
    boolean awaitBeyond(int objective, long bound, long deadline) throws InterruptedException {
        Role r = role(objective);
        lock.lockInterruptibly();
        try {
            while (true) {
                checkOpen();
                if (!r.ready.isEmpty() || frontier > bound) return true;
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                callersWaiting++;
                try {
                    arrived.awaitNanos(left);
                } finally {
                    callersWaiting--;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Under lock: takes the head of the role's queue (registering it as handed out), or null. */
    private Delivered poll(Role r) {
        checkOpen();
        Delivered d = r.ready.poll();
        if (d == null) return null;
        r.handedOut.register(tp, d.offset(), d.offset());
        handedAny = true;
        delivered++;
        // Wake the reader only once half the queue is free: it then refills that half in one go instead of
        // waking up for every batch taken.
        if (blockedOn == r && r.ready.size() <= r.capacity / 2) room.signal();
        return d;
    }

    private void checkOpen() {
        if (failure != null) throw new IllegalStateException("reading " + tp + " failed: " + failure, failure);
        if (closed || ended) throw new IllegalStateException("the reader of " + tp + " is closed");
    }

    private String whyNothing(Role r) {
        String role = r.objective == Minibatch.LOWER ? "lower-level minibatch" : "minibatch of objective " + r.objective;
        String why = "no " + role + " from " + tp + " in time";
        if (blockedOn != null && blockedOn != r) {
            why += ": objective " + blockedOn.objective + "'s queue (" + blockedOn.capacity + " batches) is full and holds the partition up,"
                    + " so its caller is not taking its batches (raise upperBufferPerObjective above what one objective takes before"
                    + " the others, or set an overflowGrace)";
        } else if (r.start < 0) {
            why += ": the partition's start is not known yet (its committed offset has not been read)";
        }
        return why;
    }

    /** Where the reader stands, for messages: e.g. "read from 0 up to 120 (120 records)". */
    String progress() {
        lock.lock();
        try {
            long start = Long.MAX_VALUE;
            for (Role r : roles) start = Math.min(start, r.start);
            if (start < 0) return "its start is not known yet (the committed offset of group " + group + " has not been read)";
            return "read from " + start + " up to " + frontier + " (" + fetched + " records)";
        } finally {
            lock.unlock();
        }
    }

    /** The batch at {@code offset} of {@code objective}, handed out earlier, is done with. */
    void acknowledge(int objective, long offset) {
        Role r = role(objective);
        lock.lock();
        try {
            Long released = r.handedOut.done(tp, offset);
            if (released != null) r.acknowledged = released + 1;
        } finally {
            lock.unlock();
        }
    }

    /** Where each role stands: just past its batches acknowledged in order (roles whose start is not known yet are left out). */
    List<SourcePosition> positions() {
        lock.lock();
        try {
            List<SourcePosition> out = new ArrayList<>(roles.length);
            for (Role r : roles) if (r.start >= 0) out.add(new SourcePosition(tp.topic(), tp.partition(), r.objective, position(r)));
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Under lock: the role's position (see the class comment); the role's start must be known. What the reader has
     * gone past is kept as acknowledged, so that a position never moves back.
     */
    private long position(Role r) {
        if (r.handedOut.pending() == 0) {
            Delivered next = r.ready.peek();
            r.acknowledged = Math.max(r.acknowledged, next != null ? next.firstOffset() : frontier);
        }
        return r.acknowledged;
    }

    /**
     * Starts the given roles at these offsets (role → offset); the others keep the start from the committed
     * offsets. Only before anything was handed out: what was read ahead is dropped and read again from there.
     */
    void resumeAt(Map<Integer, Long> starts) {
        lock.lock();
        try {
            if (handedAny) throw new IllegalStateException("resumeAt after batches of " + tp + " were handed out: call it before the first next");
            for (Map.Entry<Integer, Long> e : starts.entrySet()) {
                Role r = role(e.getKey());
                r.start = e.getValue();
                r.acknowledged = e.getValue();
            }
            for (Role r : roles) {
                r.ready.clear();
                r.dropPending();
                r.fullSince = 0;
            }
            generation++;
            seekPending = true;
            room.signalAll();
        } finally {
            lock.unlock();
        }
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) c.wakeup();
    }

    Stats stats() {
        lock.lock();
        try {
            return new Stats(fetched, delivered, deadLettered, replays, resumedPast, overflowed);
        } finally {
            lock.unlock();
        }
    }

    /** Batches waiting in the queues now. */
    int waiting() {
        lock.lock();
        try {
            int n = 0;
            for (Role r : roles) n += r.ready.size();
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Batches handed out and not yet acknowledged. */
    int outstanding() {
        lock.lock();
        try {
            int n = 0;
            for (Role r : roles) n += r.handedOut.pending();
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the thread: with {@link KafkaSourceSettings.OffsetCommits#SOURCE} it first commits the positions of
     * the acknowledged batches (batches handed out and not acknowledged come again to the next reader).
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            arrived.signalAll();
            room.signalAll();
        } finally {
            lock.unlock();
        }
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) c.wakeup();
        try {
            thread.join(settings.closeTimeout().toMillis() + 5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) log.warn("the reader of {} did not stop within {}", tp, settings.closeTimeout());
    }

    // ---------------------------------------------------------------- the reader thread

    private Map<String, Object> consumerProperties() {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "mobl-" + tp + "-" + Integer.toHexString(System.identityHashCode(this)));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords());
        // transactional producers' aborted records are never data; committed offsets are read stable (KIP-447)
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putAll(settings.consumerProperties());
        return props;
    }

    private void read() {
        Throwable error = null;
        KafkaConsumer<byte[], byte[]> c = null;
        try {
            c = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            consumer = c;
            c.assign(List.of(tp));
            if (resolveStarts(c)) {
                ReplayWindow seen = new ReplayWindow(settings.replayWindow());
                int gen = seekToStart(c);
                nextCommit = System.nanoTime() + commitNanos;
                while (true) {
                    lock.lock();
                    try {
                        if (closed) break;
                        if (seekPending) gen = -1;
                    } finally {
                        lock.unlock();
                    }
                    if (gen < 0) {
                        gen = seekToStart(c);
                        seen = new ReplayWindow(settings.replayWindow());
                    }
                    if (commits && System.nanoTime() - nextCommit >= 0) commit(c, false);
                    ConsumerRecords<byte[], byte[]> records;
                    try {
                        records = c.poll(POLL);
                    } catch (WakeupException e) {
                        continue;
                    }
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        if (!handle(c, record, gen, seen)) break; // a resume or close: the rest of the poll is dropped
                    }
                }
                if (commits) commit(c, true);
            }
        } catch (Throwable t) {
            error = t;
            log.error("the reader of {} failed", tp, t);
        } finally {
            consumer = null;
            if (c != null) {
                try {
                    c.close(Duration.ofSeconds(1));
                } catch (RuntimeException e) {
                    log.debug("closing the consumer of {}: {}", tp, e.toString());
                }
            }
            lock.lock();
            try {
                ended = true;
                if (error != null && !closed) failure = error;
                arrived.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Gives every role without a start (from {@link #resumeAt}) the group's committed position: its own from the
     * metadata, else the committed offset, else the partition's beginning. False when closed first.
     */
    private boolean resolveStarts(KafkaConsumer<byte[], byte[]> c) {
        long warned = System.nanoTime();
        while (true) {
            lock.lock();
            try {
                if (closed) return false;
                boolean known = true;
                for (Role r : roles) known &= r.start >= 0;
                if (known) return true;
            } finally {
                lock.unlock();
            }
            try {
                OffsetAndMetadata committed = c.committed(Set.of(tp), LOOKUP).get(tp);
                long base;
                SortedMap<Integer, Long> own = new TreeMap<>();
                if (committed != null) {
                    base = committed.offset();
                    own = RolePositions.parse(committed);
                } else {
                    c.seekToBeginning(List.of(tp));
                    base = c.position(tp, LOOKUP);
                }
                lock.lock();
                try {
                    for (Role r : roles) {
                        if (r.start >= 0) continue;
                        r.start = own.getOrDefault(r.objective, base);
                        r.acknowledged = r.start;
                    }
                } finally {
                    lock.unlock();
                }
            } catch (WakeupException e) {
                // a resume or close: look again
            } catch (org.apache.kafka.common.errors.RetriableException e) {
                if (System.nanoTime() - warned > TimeUnit.SECONDS.toNanos(30)) {
                    warned = System.nanoTime();
                    log.warn("still waiting for the committed offset of {} for group {} (broker unreachable, or offsets held by an"
                            + " unfinished transaction until it is aborted): {}", tp, group, e.toString());
                }
            }
        }
    }

    /** Seeks to the smallest role start; returns the generation whose records are read from now on. */
    private int seekToStart(KafkaConsumer<byte[], byte[]> c) {
        long min = Long.MAX_VALUE, max = 0;
        int gen;
        lock.lock();
        try {
            for (Role r : roles) {
                min = Math.min(min, r.start);
                max = Math.max(max, r.start);
            }
            gen = generation;
            seekPending = false;
            frontier = min;
        } finally {
            lock.unlock();
        }
        deadLetteredBelow = max;
        c.seek(tp, min);
        return gen;
    }

    /** One record: check it, then queue, skip or dead-letter it. False when the rest of the poll must be dropped. */
    private boolean handle(KafkaConsumer<byte[], byte[]> c, ConsumerRecord<byte[], byte[]> record, int gen, ReplayWindow seen) {
        fetched++;
        Intake.Verdict verdict = intake.admit(record.key(), record.value());
        if (verdict.reason() != null) {
            if (record.offset() < deadLetteredBelow) {
                passed(gen, record.offset(), true);
            } else {
                deadLettered++;
                log.warn("dead-lettering {}@{}: {}", tp, record.offset(), verdict.reason());
                deadLetters.publish(record, verdict.reason());
                passed(gen, record.offset(), false);
            }
            return true;
        }
        Delivered d;
        if (verdict.example() != null) {
            d = collect(verdict.example(), record.offset(), gen);
            if (d == null) return !isStale(gen);
        } else {
            Minibatch b = verdict.batch();
            if (!seen.firstTime(b.batchId())) {
                replays++;
                log.debug("skipping replay of batch {} at {}@{}", b.batchId(), tp, record.offset());
                passed(gen, record.offset(), false);
                return true;
            }
            d = new Delivered(b, tp.topic(), tp.partition(), record.offset());
        }
        Role r = role(d.batch().objective());
        while (true) {
            Offer o;
            try {
                o = offer(r, d, gen);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            switch (o) {
                case PLACED, SKIPPED:
                    return true;
                case STALE:
                    return false;
                case COMMIT_DUE:
                    commit(c, false);
                    break;
            }
        }
    }

    private boolean isStale(int gen) {
        lock.lock();
        try {
            return closed || gen != generation;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A usable example at {@code offset}: skipped when before its role's start, else added to the role's next batch;
     * returns that batch when it is full, else null. Ids are the records' offsets, so no replay window applies.
     */
    private Delivered collect(Intake.Row row, long offset, int gen) {
        Role r = role(row.objective());
        int rows = intake.records().rowsPerBatch();
        List<ExampleRecords.Example> examples;
        List<Long> offsets;
        lock.lock();
        try {
            if (closed || gen != generation) return null;
            if (offset < r.start) {
                resumedPast++;
                advance(offset);
                return null;
            }
            if (r.pending.isEmpty()) r.pendingFirst = offset;
            r.pending.add(row.example());
            r.pendingOffsets.add(offset);
            if (r.pending.size() < rows) {
                advance(offset); // held back at the first pending example of any role
                return null;
            }
            examples = List.copyOf(r.pending);
            offsets = List.copyOf(r.pendingOffsets);
            r.dropPending(); // the frontier stays before the batch until offer places it
        } finally {
            lock.unlock();
        }
        return new Delivered(batchOf(row.objective(), examples, offsets), tp.topic(), tp.partition(), offset, offsets.get(0));
    }

    /** Examples of one role as a minibatch: features, their L labels as class indices, their offsets as sample ids. */
    private Minibatch batchOf(int objective, List<ExampleRecords.Example> examples, List<Long> offsets) {
        RecordBatching batching = intake.records();
        int n = examples.size();
        int d = batching.schemaOf(objective).dimension();
        int l = batching.schemaOf(objective).labels();
        double[] features = new double[n * d];
        double[] labels = new double[n * l];
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ExampleRecords.Example e = examples.get(i);
            System.arraycopy(e.features(), 0, features, i * d, d);
            int[] y = e.labels();
            for (int c = 0; c < l; c++) labels[i * l + c] = y[c];
            ids[i] = offsets.get(i);
        }
        String id = tp.topic() + "-" + tp.partition() + "@" + offsets.get(0) + ".." + offsets.get(n - 1);
        return new Minibatch(id, objective, batching.dtype(), n, d, l, features, labels, ids);
    }

    /**
     * Under lock: every record up to {@code offset} is dealt with, except the examples waiting in a role's next
     * batch: the frontier (and with it the positions of roles with nothing out) stays at the first of those.
     */
    private void advance(long offset) {
        long f = offset + 1;
        for (Role x : roles) if (x.pendingFirst >= 0) f = Math.min(f, x.pendingFirst);
        frontier = Math.max(frontier, f);
        if (callersWaiting > 0) arrived.signalAll();
    }

    /** A record of generation {@code gen} dealt with without queueing it. */
    private void passed(int gen, long offset, boolean resumed) {
        lock.lock();
        try {
            if (gen != generation) return;
            if (resumed) resumedPast++;
            advance(offset); // a merge may wait for this partition to go past an offset
        } finally {
            lock.unlock();
        }
    }

    /** Puts a batch in its role's queue, waiting for room; see {@link Offer}. */
    private Offer offer(Role r, Delivered d, int gen) throws InterruptedException {
        lock.lock();
        try {
            if (closed || gen != generation) return Offer.STALE;
            if (d.offset() < r.start) {
                resumedPast++;
                advance(d.offset());
                return Offer.SKIPPED;
            }
            while (r.ready.size() >= r.capacity) {
                if (closed || gen != generation) return Offer.STALE;
                long now = System.nanoTime();
                long wait = commits ? nextCommit - now : Long.MAX_VALUE;
                if (overflowGrace != null) {
                    if (r.fullSince == 0) r.fullSince = now | 1;
                    long end = r.fullSince + overflowGrace.toNanos();
                    if (now - end >= 0) {
                        passOver(r);
                        break;
                    }
                    wait = Math.min(wait, end - now);
                }
                if (wait <= 0) return Offer.COMMIT_DUE;
                blockedOn = r;
                try {
                    room.awaitNanos(wait);
                } finally {
                    blockedOn = null;
                }
            }
            if (closed || gen != generation) return Offer.STALE; // a resume emptied the queues while this waited
            r.fullSince = 0;
            r.ready.add(d);
            advance(d.offset());
            return Offer.PLACED;
        } finally {
            lock.unlock();
        }
    }

    /** Under lock: the oldest waiting batch of a role whose queue stayed full is treated as used. */
    private void passOver(Role r) {
        Delivered old = r.ready.poll();
        r.handedOut.register(tp, old.offset(), old.offset());
        Long released = r.handedOut.done(tp, old.offset());
        if (released != null) r.acknowledged = released + 1;
        r.fullSince = 0;
        overflowed++;
        log.warn("objective {}'s queue of {} stayed full ({} batches) for {}: passing over batch {}",
                r.objective, tp, r.capacity, overflowGrace, old.batch().batchId());
    }

    /** Commits the roles' positions (the smallest as the offset, all of them in its metadata) if they moved. */
    private void commit(KafkaConsumer<byte[], byte[]> c, boolean last) {
        nextCommit = System.nanoTime() + commitNanos;
        SortedMap<Integer, Long> at = new TreeMap<>();
        lock.lock();
        try {
            for (Role r : roles) if (r.start >= 0) at.put(r.objective, position(r));
        } finally {
            lock.unlock();
        }
        if (at.isEmpty()) return;
        OffsetAndMetadata offset = RolePositions.commit(at);
        if (offset.equals(lastCommitted)) return;
        if (!last) {
            lastCommitted = offset;
            c.commitAsync(Map.of(tp, offset), (offsets, e) -> {
                if (e != null) {
                    log.warn("committing {} of {} for group {} failed (a later commit covers it): {}", offset.offset(), tp, group, e.toString());
                    lastCommitted = null;
                }
            });
            return;
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                c.commitSync(Map.of(tp, offset), settings.closeTimeout());
                lastCommitted = offset;
                return;
            } catch (WakeupException e) {
                // close() woke the consumer up; the second attempt is not woken
            } catch (KafkaException e) {
                log.warn("the last commit of {} for group {} failed: {}", tp, group, e.toString());
                return;
            }
        }
    }
}
