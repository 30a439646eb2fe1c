package io.mobl.streams.kafka;

import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.StochasticBilevelProblem;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.SourcePosition;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link BatchSource} on Kafka (DESIGN §5): lower-level batches from {@link TopicNames#lower()} through the
 * {@link LowerLevelReader}, upper-level batches from {@link TopicNames#upper()} through the
 * {@link UpperLevelDemultiplexer}, each partition read by its own {@link PartitionReader} (one consumer per
 * partition: a consumer keeps one fetch in flight per broker, so one consumer over several partitions stops to
 * wait for a fetch each time it drains the partition it last fetched). Pulled on demand and bounded
 * ({@link KafkaSourceSettings}); every record checked once where it enters ({@link Intake}), and what the run
 * cannot use (undecodable, the other level's data, an objective ≥ S, or what the {@link BatchCheck} rejects, e.g.
 * other dimensions) dead-lettered with the reason.
 *
 * <p><b>Deterministic.</b> The batches each role gets are a function of the topics' data and the start positions
 * only: the lower level in (offset, partition) order, each objective its own batches of its partition in order.
 *
 * <p><b>Positions and resuming.</b> {@link #positions()} says, per (topic, partition, role), the offset just past
 * the batches {@link #iterationDone} has acknowledged (in order). {@link #resumeAt} — before the first
 * {@link #next} — starts each partition at the smallest of its roles' positions and skips, per role, the records
 * before its own: the run then gets exactly the batches that followed. Without it, a fresh source starts where
 * the consumer groups' committed offsets say (each role at its own position, kept in the offsets' metadata by
 * {@link RolePositions}), or at the beginning. The offsets are committed by the source
 * ({@link KafkaSourceSettings.OffsetCommits#SOURCE}: at-least-once) or, with
 * {@link KafkaSourceSettings#withJournalCommits()}, only by a {@link KafkaRunJournal} in the transaction of each
 * checkpoint (exactly-once).
 *
 * <p>Thread-safe: the lower-level solver and the hypergradient workers may ask from different threads at once
 * (one caller per role at a time); {@link #iterationDone} and {@link #positions} never block on Kafka.
 */
public final class KafkaBatchSource implements BatchSource {
    /** Why a decoded batch cannot be used by this run, or null when it can. */
    @FunctionalInterface
    public interface BatchCheck {
        BatchCheck ANY = b -> null;

        String problemWith(Minibatch batch);

        /** What {@link StochasticBilevelProblem#check} rejects: another role's data, other dimensions. */
        static BatchCheck of(StochasticBilevelProblem problem) {
            return b -> {
                try {
                    problem.check(b.objective(), b);
                    return null;
                } catch (InvalidInputException e) {
                    return e.getMessage();
                }
            };
        }
    }

    /**
     * One level's readers' counters, summed over its partitions.
     *
     * @param fetched      records taken from Kafka and checked
     * @param delivered    batches handed out
     * @param deadLettered records sent to the dead-letter topic (undecodable or unusable)
     * @param replays      batches skipped because their id came again within the replay window
     * @param resumedPast  records skipped because they lie before their role's start position
     */
    public record ReaderStats(long fetched, long delivered, long deadLettered, long replays, long resumedPast) {}

    /**
     * Counters, for tests, benchmarks and metrics.
     *
     * @param handedOut      batches handed to the solver (both levels)
     * @param lower          the lower-level readers' counters
     * @param upper          the upper-level readers' counters
     * @param overflowed     upper batches passed over because their objective's queue stayed full (only with an
     *                       {@link KafkaSourceSettings#overflowGrace()})
     * @param waitingUpper   upper batches waiting in the objectives' queues now
     * @param outstanding    batches handed out and not yet acknowledged by {@link #iterationDone}
     * @param lowerWaitNanos time callers spent blocked in {@link #next} for lower-level data
     * @param upperWaitNanos time callers spent blocked in {@link #next} for upper-level data
     */
    public record Stats(long handedOut, ReaderStats lower, ReaderStats upper, long overflowed, int waitingUpper,
                        int outstanding, long lowerWaitNanos, long upperWaitNanos) {
        /** Records dead-lettered for this run (undecodable or unusable). */
        public long deadLettered() { return lower.deadLettered() + upper.deadLettered(); }

        /** Of {@link #deadLettered()}, the lower-level topic's. */
        public long deadLetteredLower() { return lower.deadLettered(); }

        /** Of {@link #deadLettered()}, the upper-level topic's. */
        public long deadLetteredUpper() { return upper.deadLettered(); }
    }

    /** A handed-out batch: its objective and batch id. */
    private record Key(int objective, String batchId) {}

    private final KafkaSourceSettings settings;
    private final DeadLetters deadLetters;
    private final LowerLevelReader lower;
    private final UpperLevelDemultiplexer upper;
    private final Map<Integer, PartitionReader> lowerByPartition = new TreeMap<>();

    private final Object lock = new Object();
    /** Handed out, not yet acknowledged: (objective, batch id) → deliveries (an id may come twice). */
    private final Map<Key, ArrayDeque<Delivered>> outstanding = new HashMap<>();
    private boolean closed;

    private final AtomicLong handedOut = new AtomicLong();
    private final AtomicLong lowerWait = new AtomicLong();
    private final AtomicLong upperWait = new AtomicLong();

    private KafkaBatchSource(KafkaSourceSettings settings, BatchCheck check, RecordBatching records) {
        if (records != null) checkFits(records, settings.objectives(), check);
        this.settings = settings;
        this.deadLetters = new DeadLetters(settings.bootstrapServers(), settings.topics());
        TopicNames topics = settings.topics();
        List<PartitionReader> started = new ArrayList<>();
        try {
            int lowerPartitions, upperPartitions;
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()))) {
                lowerPartitions = Topics.partitionCount(admin, topics.lower(), Duration.ofSeconds(30));
                upperPartitions = Topics.partitionCount(admin, topics.upper(), Duration.ofSeconds(30));
            }
            int[] lowerRole = {Minibatch.LOWER};
            int lowerEach = Math.max(1, settings.lowerBuffer() / lowerPartitions);
            List<PartitionReader> lowers = new ArrayList<>();
            for (int p = 0; p < lowerPartitions; p++) {
                PartitionReader r = new PartitionReader(settings, new TopicPartition(topics.lower(), p), settings.groups().lower(),
                        lowerRole, lowerEach, null,
                        new Intake(topics.lower(), p, true, lowerRole, settings.objectives(), new int[0], settings.run(), check, records), deadLetters);
                started.add(r);
                lowers.add(r);
                lowerByPartition.put(p, r);
            }
            this.lower = new LowerLevelReader(settings.run(), topics.lower(), lowers);
            int[] partitionOf = UpperLevelDemultiplexer.partitionsOf(settings.objectives(), upperPartitions);
            PartitionReader[] readerOf = new PartitionReader[settings.objectives()];
            Map<Integer, PartitionReader> uppers = new TreeMap<>();
            for (int p = 0; p < upperPartitions; p++) {
                int[] objectives = UpperLevelDemultiplexer.objectivesIn(p, partitionOf);
                if (objectives.length == 0) continue; // no objective's key goes here: nothing of this run to read
                PartitionReader r = new PartitionReader(settings, new TopicPartition(topics.upper(), p), settings.groups().upper(),
                        objectives, settings.upperBufferPerObjective(), settings.overflowGrace(),
                        new Intake(topics.upper(), p, false, objectives, settings.objectives(), partitionOf, settings.run(), check, records), deadLetters);
                started.add(r);
                uppers.put(p, r);
                for (int s : objectives) readerOf[s] = r;
            }
            this.upper = new UpperLevelDemultiplexer(readerOf, uppers);
        } catch (RuntimeException e) {
            started.parallelStream().forEach(PartitionReader::close);
            deadLetters.close();
            throw e;
        }
    }

    /** Starts reading the run's two data topics (they must exist; see {@link Topics#ensure}); every batch is usable. */
    public static KafkaBatchSource start(KafkaSourceSettings settings) {
        return new KafkaBatchSource(settings, BatchCheck.ANY, null);
    }

    /** Starts reading; batches {@code check} rejects are dead-lettered with its reason. */
    public static KafkaBatchSource start(KafkaSourceSettings settings, BatchCheck check) {
        return new KafkaBatchSource(settings, check == null ? BatchCheck.ANY : check, null);
    }

    /**
     * Starts reading topics of ordinary per-example records (JSON or CSV, {@link RecordBatching}): each example is
     * checked where it enters (what does not decode under the schema, or has no objective of this run, goes to the
     * dead-letter topic with the reason) and batched by mobl; positions are the records' offsets.
     *
     * @param check what the run's batches must satisfy (the problem's dimensions): checked once here, against the
     *              schema, so that no example of the right schema is refused later
     * @throws InvalidInputException when batches of this schema are not what {@code check} accepts
     */
    public static KafkaBatchSource startRecords(KafkaSourceSettings settings, RecordBatching records, BatchCheck check) {
        if (records == null) throw new InvalidInputException("records", null, "how the examples are read");
        return new KafkaBatchSource(settings, check == null ? BatchCheck.ANY : check, records);
    }

    /** A one-example batch of every role, made of the schema's shapes, must pass the run's check. */
    private static void checkFits(RecordBatching records, int objectives, BatchCheck check) {
        for (int role = Minibatch.LOWER; role < objectives; role++) {
            int d = records.schemaOf(role).dimension();
            int l = records.schemaOf(role).labels();
            Minibatch probe = new Minibatch("schema-probe", role, records.dtype(), 1, d, l, new double[d], new double[l], new long[1]);
            String problem = check.problemWith(probe);
            if (problem != null) {
                throw new InvalidInputException("records.schema", "dimension " + d + ", " + l + " label(s) per example",
                        "examples whose batches the run accepts (" + (role == Minibatch.LOWER ? "lower level" : "objective " + role) + ": " + problem + ")");
            }
        }
    }

    @Override
    public Minibatch next(int objective, Duration timeout) throws InterruptedException, TimeoutException {
        if (objective < Minibatch.LOWER || objective >= settings.objectives()) {
            throw new InvalidInputException("objective", objective, "-1 (lower level) or 0.." + (settings.objectives() - 1));
        }
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Delivered d;
        try {
            d = objective == Minibatch.LOWER ? lower.next(deadline) : upper.next(objective, deadline);
        } finally {
            (objective == Minibatch.LOWER ? lowerWait : upperWait).addAndGet(System.nanoTime() - start);
        }
        synchronized (lock) {
            outstanding.computeIfAbsent(new Key(objective, d.batch().batchId()), k -> new ArrayDeque<>(2)).add(d);
        }
        handedOut.incrementAndGet();
        return d.batch();
    }

    /** Acknowledges the batches the iteration used: their roles' positions move past them. Unknown batches are ignored. */
    @Override
    public void iterationDone(long iteration, List<Minibatch> used) {
        for (Minibatch b : used) {
            Delivered d;
            synchronized (lock) {
                Key k = new Key(b.objective(), b.batchId());
                ArrayDeque<Delivered> q = outstanding.get(k);
                d = q == null ? null : q.poll();
                if (q != null && q.isEmpty()) outstanding.remove(k);
            }
            if (d != null) readerOf(d).acknowledge(b.objective(), d.offset());
        }
    }

    private PartitionReader readerOf(Delivered d) {
        return d.topic().equals(settings.topics().lower()) ? lowerByPartition.get(d.partition()) : upper.partitions().get(d.partition());
    }

    /** Per (topic, partition, role), just past the batches acknowledged in order; lower-level topic first. */
    @Override
    public List<SourcePosition> positions() {
        List<SourcePosition> out = new ArrayList<>();
        for (PartitionReader r : lowerByPartition.values()) out.addAll(r.positions());
        for (PartitionReader r : upper.partitions().values()) out.addAll(r.positions());
        return out;
    }

    /**
     * Starts every stream named at its position (a checkpoint's {@link #positions()}); streams not named start
     * from the committed offsets. Before the first {@link #next}.
     *
     * @throws InvalidInputException when a position names a stream this source does not read, or one twice
     */
    @Override
    public void resumeAt(List<SourcePosition> positions) {
        if (handedOut.get() > 0) {
            throw new IllegalStateException("resumeAt after " + handedOut.get() + " batches were handed out: call it before the first next");
        }
        Map<PartitionReader, Map<Integer, Long>> starts = new LinkedHashMap<>();
        for (int i = 0; i < positions.size(); i++) {
            SourcePosition p = positions.get(i);
            PartitionReader reader = null;
            if (p.topic().equals(settings.topics().lower()) && p.objective() == Minibatch.LOWER) {
                reader = lowerByPartition.get(p.partition());
            } else if (p.topic().equals(settings.topics().upper()) && p.objective() >= 0 && p.objective() < settings.objectives()) {
                PartitionReader r = upper.readerOf(p.objective());
                if (r.topicPartition().partition() == p.partition()) reader = r;
            }
            if (reader == null) {
                throw new InvalidInputException("positions[" + i + "]", p, "a stream this source reads: " + streams());
            }
            if (starts.computeIfAbsent(reader, r -> new TreeMap<>()).put(p.objective(), p.nextOffset()) != null) {
                throw new InvalidInputException("positions[" + i + "]", p, "one position per stream (this one comes twice)");
            }
        }
        starts.forEach(PartitionReader::resumeAt);
    }

    /** The streams this source reads, for messages. */
    private String streams() {
        List<String> out = new ArrayList<>();
        lowerByPartition.keySet().forEach(p -> out.add(settings.topics().lower() + "-" + p + " (objective -1)"));
        upper.partitions().forEach((p, r) -> out.add(settings.topics().upper() + "-" + p + " (objectives "
                + java.util.Arrays.toString(r.objectives()) + ")"));
        return String.join(", ", out);
    }

    public Stats stats() {
        List<PartitionReader> uppers = new ArrayList<>(upper.partitions().values());
        PartitionReader.Stats l = PartitionReader.Stats.sum(lowerByPartition.values());
        PartitionReader.Stats u = PartitionReader.Stats.sum(uppers);
        int waiting = uppers.stream().mapToInt(PartitionReader::waiting).sum();
        int out = 0;
        for (PartitionReader r : lowerByPartition.values()) out += r.outstanding();
        for (PartitionReader r : uppers) out += r.outstanding();
        return new Stats(handedOut.get(), readerStats(l), readerStats(u), u.overflowed(), waiting, out, lowerWait.get(), upperWait.get());
    }

    private static ReaderStats readerStats(PartitionReader.Stats s) {
        return new ReaderStats(s.fetched(), s.delivered(), s.deadLettered(), s.replays(), s.resumedPast());
    }

    /** The dead-letter publisher this source uses (its {@link DeadLetters#counter()} feeds a DLQ meter). */
    public DeadLetters deadLetters() { return deadLetters; }

    public KafkaSourceSettings settings() { return settings; }

    /**
     * Stops the readers; with {@link KafkaSourceSettings.OffsetCommits#SOURCE} each first commits the positions
     * of the acknowledged batches (batches handed out and not acknowledged come again to the next reader).
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) return;
            closed = true;
        }
        try {
            List<PartitionReader> all = new ArrayList<>(lowerByPartition.values());
            all.addAll(upper.partitions().values());
            all.parallelStream().forEach(PartitionReader::close);
        } finally {
            deadLetters.flush();
            deadLetters.close();
        }
    }
}
