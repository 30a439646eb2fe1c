package io.mobl.streams.kafka;

import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.StochasticBilevelProblem;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.codec.MinibatchCodec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link BatchSource} on Kafka (DESIGN §5): lower-level batches from {@code mobl.<run>.lower}, upper-level
 * batches from {@code mobl.<run>.upper}, through {@link BatchPuller}s (one consumer group per run and role), so
 * the Kafka half keeps its properties: pulled on demand, bounded, dead-lettering, replay skipping by batch id,
 * in-order commits.
 *
 * <p><b>One consumer per partition.</b> Each partition of either topic is read by its own puller (manual
 * assignment; offsets committed for the role's group). A Kafka consumer has one fetch in flight per broker, so a
 * single consumer over several partitions stops to wait for a fetch each time it drains the partition it last
 * fetched; one consumer per partition keeps a fetch in flight for each. On the delivery benchmark's two-partition
 * topic this took mobl from 0.6–0.75 of a single raw {@code KafkaConsumer}'s records per second to above it.
 * Lower-level batches are exchangeable samples, so the solver takes them round robin from whichever partition has
 * one ready; within a partition the order is kept.
 *
 * <p><b>Demultiplexing the upper topic.</b> Every objective's batches share one topic, keyed by objective, so the
 * producer's default partitioner puts all of objective s in one partition. Each partition that holds objectives
 * gets its own bounded puller (manual assignment, offsets committed for the group {@code <groupPrefix>.upper}):
 * a consumer delivers a partition's records in chunks, and one puller over all partitions would hand out a poll's
 * worth of one objective while another objective's caller waits. Within a partition, a caller asking for
 * objective s takes batches from the partition's puller until one of s comes; the others wait in
 * a small buffer per objective ({@link Settings#upperBufferPerObjective()}). Nothing is fetched beyond the
 * pullers' own bounds, {@value #PREFETCH} requests kept open ahead of the caller per puller, and these buffers. A
 * batch of objective t is always put in t's buffer, even one past its bound (a caller never waits while holding a
 * batch: two callers of one partition holding each other's batches would wait for each other); while a buffer of
 * the partition is past its bound nobody pulls from the partition, for up to {@link Settings#overflowGrace()}, so
 * that t's caller can take one; after that the oldest waiting batches of t are passed over, counted in
 * {@link Stats#overflowed()} and treated as done (committed): for stochastic gradients a skipped sample is
 * harmless, an unbounded buffer is not. With the producer's round-robin over objectives and a solver that asks for
 * each once per iteration, nothing overflows.
 *
 * <p><b>Records the solver cannot use</b> (an upper batch on the lower topic or the reverse, an objective
 * ≥ {@link Settings#objectives()}, or one the {@link BatchCheck} rejects, e.g. wrong dimensions for the problem)
 * go to the dead-letter topic with the reason, like undecodable ones, and are committed past.
 *
 * <p><b>Offsets</b> of a batch are committed when {@link #iterationDone} lists it (at-least-once). Thread-safe:
 * the lower-level solver and the hypergradient workers may ask from different threads at once.
 */
public final class KafkaBatchSource implements BatchSource {
    private static final Logger log = LoggerFactory.getLogger(KafkaBatchSource.class);
    /** Requests kept open ahead of the caller per puller (bounded by its buffer), so a batch's hand-over overlaps the math. */
    static final int PREFETCH = 4;

    /**
     * Keeps up to {@code depth} {@link BatchPuller#next()} requests open, so that the stream's hand-over of the
     * next batch (a hop to the stream's actor and back) runs while the caller computes, instead of being waited
     * for at every batch. The requests are served in order; one not served in time stays at the head.
     */
    private static final class Prefetch {
        private final BatchPuller puller;
        private final int depth;
        private final ArrayDeque<java.util.concurrent.CompletableFuture<Delivered>> ahead = new ArrayDeque<>();

        Prefetch(BatchPuller puller, int depth) {
            this.puller = puller;
            this.depth = Math.max(1, depth);
        }

        /** The next batch if it has arrived, else null (never blocks). */
        synchronized Delivered poll() {
            while (ahead.size() < depth) ahead.add(puller.next().toCompletableFuture());
            return ahead.peek().isDone() ? unwrap(ahead.poll()) : null;
        }

        /** Completes when the batch {@link #poll} or {@link #take} returns next has arrived. */
        synchronized java.util.concurrent.CompletableFuture<Delivered> head() {
            while (ahead.size() < depth) ahead.add(puller.next().toCompletableFuture());
            return ahead.peek();
        }

        private static Delivered unwrap(java.util.concurrent.CompletableFuture<Delivered> done) {
            try {
                return done.join();
            } catch (java.util.concurrent.CompletionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException r) throw r;
                throw new IllegalStateException(cause);
            }
        }

        synchronized Delivered take(Duration timeout) throws InterruptedException, TimeoutException {
            while (ahead.size() < depth) ahead.add(puller.next().toCompletableFuture());
            java.util.concurrent.CompletableFuture<Delivered> head = ahead.peek();
            try {
                Delivered d = head.get(Math.max(0, timeout.toNanos()), java.util.concurrent.TimeUnit.NANOSECONDS);
                ahead.poll();
                return d;
            } catch (TimeoutException e) {
                throw new TimeoutException("no minibatch within " + timeout);
            } catch (java.util.concurrent.ExecutionException e) {
                ahead.poll();
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException r) throw r;
                throw new IllegalStateException(cause);
            }
        }
    }

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
     * @param bootstrapServers        Kafka bootstrap servers
     * @param run                     the run; topics {@code mobl.<run>.lower} and {@code mobl.<run>.upper}
     * @param groupPrefix             consumer groups are {@code <groupPrefix>.lower} and {@code <groupPrefix>.upper}
     * @param objectives              S ≥ 1, the upper objectives (valid objective ids are 0..S-1)
     * @param lowerBuffer             decoded lower-level batches held ready (≥ 1), shared out among the lower
     *                                topic's partitions (at least one each)
     * @param upperBufferPerObjective upper batches held per objective while another objective is asked for (≥ 1)
     * @param maxPollRecords          Kafka {@code max.poll.records} of each consumer (≥ 1)
     * @param overflowGrace           how long a full objective buffer waits for its caller before its oldest batch
     *                                is passed over (default 2 s)
     * @param commitInterval          commits are sent at least this often
     * @param closeTimeout            how long closing waits for commits and dead letters
     * @param deadLetterTopic         where unusable records go
     */
    public record Settings(String bootstrapServers, String run, String groupPrefix, int objectives, int lowerBuffer,
                           int upperBufferPerObjective, int maxPollRecords, Duration overflowGrace,
                           Duration commitInterval, Duration closeTimeout, String deadLetterTopic) {
        public Settings {
            if (bootstrapServers == null || bootstrapServers.isBlank()) throw new InvalidInputException("bootstrapServers", bootstrapServers, "host:port[,host:port...]");
            Topics.checkRun(run);
            if (groupPrefix == null || groupPrefix.isBlank()) throw new InvalidInputException("groupPrefix", groupPrefix, "a non-empty consumer group prefix");
            if (objectives < 1) throw new InvalidInputException("objectives", objectives, "an integer >= 1 (the upper objectives S)");
            if (lowerBuffer < 1) throw new InvalidInputException("lowerBuffer", lowerBuffer, "an integer >= 1");
            if (upperBufferPerObjective < 1) throw new InvalidInputException("upperBufferPerObjective", upperBufferPerObjective, "an integer >= 1");
            if (maxPollRecords < 1) throw new InvalidInputException("maxPollRecords", maxPollRecords, "an integer >= 1");
            if (overflowGrace == null || overflowGrace.isNegative()) throw new InvalidInputException("overflowGrace", overflowGrace, "a duration >= 0");
            if (commitInterval == null || commitInterval.isNegative() || commitInterval.isZero()) throw new InvalidInputException("commitInterval", commitInterval, "a positive duration");
            if (closeTimeout == null || closeTimeout.isNegative()) throw new InvalidInputException("closeTimeout", closeTimeout, "a duration >= 0");
            if (deadLetterTopic == null || deadLetterTopic.isBlank()) throw new InvalidInputException("deadLetterTopic", deadLetterTopic, "a topic name");
        }

        /**
         * Defaults: group {@code mobl.<run>}, buffers of 256 lower and 4 per objective, 500 records a poll, commits
         * every 200 ms. The lower buffer is ~20 iterations of Alg. 2 with D = Q = 5 (13 lower batches each): the
         * solver takes its lower batches in bursts, and with 32 (2.5 iterations) the buffer ran dry whenever the
         * stream's threads were not scheduled within a couple of iterations (on a loaded 2-core machine the solver
         * then waited ~20 % of a run). Still bounded: 256 MNIST batches of 8 images are ~6.5 MB.
         */
        public static Settings of(String bootstrapServers, String run, int objectives) {
            return new Settings(bootstrapServers, run, "mobl." + Topics.checkRun(run), objectives, 256, 4, 500,
                    Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofSeconds(10), Topics.DLQ);
        }

        public Settings withGroupPrefix(String prefix) {
            return new Settings(bootstrapServers, run, prefix, objectives, lowerBuffer, upperBufferPerObjective, maxPollRecords, overflowGrace, commitInterval, closeTimeout, deadLetterTopic);
        }

        public Settings withBuffers(int lower, int upperPerObjective) {
            return new Settings(bootstrapServers, run, groupPrefix, objectives, lower, upperPerObjective, maxPollRecords, overflowGrace, commitInterval, closeTimeout, deadLetterTopic);
        }

        public Settings withOverflowGrace(Duration d) {
            return new Settings(bootstrapServers, run, groupPrefix, objectives, lowerBuffer, upperBufferPerObjective, maxPollRecords, d, commitInterval, closeTimeout, deadLetterTopic);
        }

        public Settings withMaxPollRecords(int n) {
            return new Settings(bootstrapServers, run, groupPrefix, objectives, lowerBuffer, upperBufferPerObjective, n, overflowGrace, commitInterval, closeTimeout, deadLetterTopic);
        }

        public Settings withDeadLetterTopic(String topic) {
            return new Settings(bootstrapServers, run, groupPrefix, objectives, lowerBuffer, upperBufferPerObjective, maxPollRecords, overflowGrace, commitInterval, closeTimeout, topic);
        }

        MinibatchSource.Settings role(String topic, String suffix, int buffer) {
            return MinibatchSource.Settings.of(bootstrapServers, groupPrefix + "." + suffix, topic)
                    .withBufferSize(buffer)
                    .withMaxPollRecords(maxPollRecords)
                    .withCommits(1000, commitInterval)
                    .withCloseTimeout(closeTimeout)
                    .withDeadLetterTopic(deadLetterTopic);
        }
    }

    /**
     * Counters, for tests, benchmarks and metrics.
     *
     * @param handedOut       batches handed to the solver (both roles)
     * @param lower           the lower-level puller's counters
     * @param upper           the upper-level pullers' counters, summed
     * @param rejected        decoded batches dead-lettered here (wrong role, objective or {@link BatchCheck})
     * @param rejectedLower   of those, the ones from the lower-level topic
     * @param overflowed      upper batches passed over because their objective's buffer was full
     * @param waitingUpper    upper batches waiting in the per-objective buffers now
     * @param outstanding     batches handed out and not yet listed by {@link #iterationDone}
     * @param lowerWaitNanos  time callers spent blocked in {@link #next} for lower-level data
     * @param upperWaitNanos  time callers spent blocked in {@link #next} for upper-level data
     */
    public record Stats(long handedOut, BatchPuller.Stats lower, BatchPuller.Stats upper, long rejected, long rejectedLower, long overflowed,
                        int waitingUpper, int outstanding, long lowerWaitNanos, long upperWaitNanos) {
        /** Records dead-lettered for this run (undecodable or unusable). */
        public long deadLettered() {
            return lower.deadLettered() + upper.deadLettered() + rejected;
        }

        /** Records of the lower-level topic dead-lettered (undecodable or unusable). */
        public long deadLetteredLower() {
            return lower.deadLettered() + rejectedLower;
        }

        /** Records of the upper-level topic dead-lettered (undecodable or unusable). */
        public long deadLetteredUpper() {
            return upper.deadLettered() + rejected - rejectedLower;
        }
    }

    private final Settings settings;
    private final BatchCheck check;
    private final DeadLetters deadLetters;
    /** Partition of the lower topic → its puller (and requests kept open on it), each with its own consumer. */
    private final Map<Integer, LowerPartition> lower = new java.util.TreeMap<>();
    private final LowerPartition[] lowerTurns;
    /** Where the next lower-level caller starts looking (round robin over partitions); guarded by {@code lowerTurns}. */
    private int lowerCursor;

    private record LowerPartition(BatchPuller puller, Prefetch ahead) {}
    /** Partition of the upper topic → its puller; objective s is read from {@code upper.get(partitionOf[s])}. */
    private final Map<Integer, UpperPartition> upper = new java.util.TreeMap<>();
    private final int[] partitionOf;

    /** One partition of the upper topic: its puller, and whether a caller is taking from it now. */
    private static final class UpperPartition {
        final BatchPuller puller;
        final Prefetch ahead;
        /** The objectives whose batches this partition holds. */
        final int[] objectives;
        /** Whether a caller is taking from the puller now; guarded by the source's {@code lock}. */
        boolean pulling;

        UpperPartition(BatchPuller puller, int prefetch, int[] objectives) {
            this.puller = puller;
            this.ahead = new Prefetch(puller, prefetch);
            this.objectives = objectives;
        }
    }

    private final Object lock = new Object();
    private final List<ArrayDeque<Delivered>> waiting = new ArrayList<>();
    /** Per objective: when its buffer went over the bound ({@link System#nanoTime()}, never 0), or 0 when it is not. */
    private final long[] overfullSince;
    /** Handed out, not yet done: (objective, batch id) → deliveries (a batch id may come twice after a restart). */
    private final Map<Key, ArrayDeque<Delivered>> outstanding = new HashMap<>();
    private int outstandingCount;
    private boolean closed;

    private final AtomicLong handedOut = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong rejectedLower = new AtomicLong();
    private final AtomicLong overflowed = new AtomicLong();
    private final AtomicLong lowerWait = new AtomicLong();
    private final AtomicLong upperWait = new AtomicLong();

    private KafkaBatchSource(ClassicActorSystemProvider system, Settings settings, BatchCheck check) {
        this.settings = settings;
        this.check = check;
        this.deadLetters = new DeadLetters(settings.bootstrapServers(), settings.deadLetterTopic(), Map.of());
        for (int s = 0; s < settings.objectives(); s++) waiting.add(new ArrayDeque<>());
        this.partitionOf = new int[settings.objectives()];
        this.overfullSince = new long[settings.objectives()];
        try {
            String upperTopic = Topics.upper(settings.run());
            int partitions = partitionCount(settings.bootstrapServers(), upperTopic);
            Map<Integer, Integer> objectivesIn = new HashMap<>();
            for (int s = 0; s < settings.objectives(); s++) {
                partitionOf[s] = partitionFor(s, partitions);
                objectivesIn.merge(partitionOf[s], 1, Integer::sum);
            }
            // One consumer per partition of the lower topic: a consumer keeps one fetch in flight per broker, so one
            // consumer over P partitions waits for a fetch whenever it has drained the partition it last fetched;
            // P consumers keep P fetches in flight. The buffer bound is shared out among them.
            int lowerPartitions = partitionCount(settings.bootstrapServers(), Topics.lower(settings.run()));
            int lowerEach = Math.max(1, settings.lowerBuffer() / lowerPartitions);
            for (int p = 0; p < lowerPartitions; p++) {
                BatchPuller puller = MinibatchSource.start(system, settings.role(Topics.lower(settings.run()), "lower", lowerEach)
                        .withPartitions(List.of(p)), deadLetters);
                lower.put(p, new LowerPartition(puller, new Prefetch(puller, Math.min(PREFETCH, lowerEach))));
            }
            this.lowerTurns = lower.values().toArray(LowerPartition[]::new);
            for (Map.Entry<Integer, Integer> e : objectivesIn.entrySet()) {
                int partition = e.getKey();
                upper.put(partition, new UpperPartition(MinibatchSource.start(system,
                        settings.role(upperTopic, "upper", e.getValue()).withPartitions(List.of(partition)), deadLetters),
                        Math.min(PREFETCH, e.getValue()),
                        java.util.stream.IntStream.range(0, settings.objectives()).filter(t -> partitionOf[t] == partition).toArray()));
            }
        } catch (RuntimeException e) {
            lower.values().forEach(l -> l.puller().close());
            upper.values().forEach(u -> u.puller.close());
            deadLetters.close();
            throw e;
        }
    }

    /** The partition the producer's default partitioner gives the key of objective s ({@link MinibatchProducer#keyOf}). */
    static int partitionFor(int objective, int partitions) {
        byte[] key = Integer.toString(objective).getBytes(StandardCharsets.UTF_8);
        return org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key)) % partitions;
    }

    private static int partitionCount(String bootstrapServers, String topic) {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, java.util.concurrent.TimeUnit.SECONDS)
                    .get(topic).partitions().size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing " + topic, e);
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot read the partitions of " + topic + " at " + bootstrapServers
                    + " (create the run's topics first, e.g. with Topics.ensure): " + cause.getMessage(), cause);
        }
    }

    /** Starts consuming the run's two data topics (they must exist; see {@link Topics#ensure}). */
    public static KafkaBatchSource start(ClassicActorSystemProvider system, Settings settings) {
        return new KafkaBatchSource(system, settings, BatchCheck.ANY);
    }

    /** Starts consuming; batches {@code check} rejects are dead-lettered with its reason. */
    public static KafkaBatchSource start(ClassicActorSystemProvider system, Settings settings, BatchCheck check) {
        return new KafkaBatchSource(system, settings, check == null ? BatchCheck.ANY : check);
    }

    @Override
    public Minibatch next(int objective, Duration timeout) throws InterruptedException, TimeoutException {
        if (objective < Minibatch.LOWER || objective >= settings.objectives()) {
            throw new InvalidInputException("objective", objective, "-1 (lower level) or 0.." + (settings.objectives() - 1));
        }
        long start = System.nanoTime();
        try {
            return objective == Minibatch.LOWER ? nextLower(start + timeout.toNanos()) : nextUpper(objective, start + timeout.toNanos());
        } finally {
            (objective == Minibatch.LOWER ? lowerWait : upperWait).addAndGet(System.nanoTime() - start);
        }
    }

    private Minibatch nextLower(long deadline) throws InterruptedException, TimeoutException {
        while (true) {
            Delivered d = takeLower(deadline);
            String reason = reasonToReject(d.batch(), Minibatch.LOWER);
            if (reason == null) return handOut(d);
            reject(lower.get(d.partition()).puller(), d, reason);
        }
    }

    /**
     * The next lower-level batch from whichever partition has one, starting one past the partition served last
     * (round robin, so every partition's consumer keeps moving); waits for the first to arrive when none has.
     * Lower-level batches are exchangeable samples: their order across partitions does not matter, within one
     * partition it is kept.
     */
    private Delivered takeLower(long deadline) throws InterruptedException, TimeoutException {
        synchronized (lowerTurns) {
            int n = lowerTurns.length;
            while (true) {
                for (int k = 0; k < n; k++) {
                    int i = (lowerCursor + k) % n;
                    Delivered d = lowerTurns[i].ahead().poll();
                    if (d != null) {
                        lowerCursor = (i + 1) % n;
                        return d;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new TimeoutException("no lower-level minibatch of run " + settings.run() + " in time");
                java.util.concurrent.CompletableFuture<?>[] heads = new java.util.concurrent.CompletableFuture<?>[n];
                for (int i = 0; i < n; i++) heads[i] = lowerTurns[i].ahead().head();
                try {
                    java.util.concurrent.CompletableFuture.anyOf(heads).get(left, java.util.concurrent.TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    // a puller failed or ended: poll() above rethrows its failure
                } catch (TimeoutException e) {
                    throw new TimeoutException("no lower-level minibatch of run " + settings.run() + " in time");
                }
            }
        }
    }

    private Minibatch nextUpper(int objective, long deadline) throws InterruptedException, TimeoutException {
        UpperPartition part = upper.get(partitionOf[objective]);
        while (true) {
            List<Delivered> passedOver = new ArrayList<>(0);
            try {
                synchronized (lock) {
                    while (true) {
                        if (closed) throw new IllegalStateException("the Kafka batch source of run " + settings.run() + " is closed");
                        Delivered ready = waiting.get(objective).poll();
                        if (ready != null) {
                            if (waiting.get(objective).size() <= settings.upperBufferPerObjective()) overfullSince[objective] = 0;
                            lock.notifyAll(); // room again in a buffer
                            return handOut(ready);
                        }
                        long now = System.nanoTime();
                        long wakeAt = deadline;
                        if (!part.pulling) {
                            // Pull only while no buffer of this partition is over its bound, or once its grace is over.
                            long graceEnds = passOverExpired(part, now, passedOver);
                            if (graceEnds == 0) {
                                part.pulling = true;
                                break;
                            }
                            wakeAt = Math.min(wakeAt, graceEnds);
                        }
                        if (deadline - now <= 0) throw new TimeoutException("no upper-level minibatch for objective " + objective + " of run " + settings.run() + " in time");
                        lock.wait(Math.max(1, (wakeAt - now + 999_999) / 1_000_000));
                    }
                }
            } finally {
                for (Delivered d : passedOver) {
                    overflowed.incrementAndGet();
                    log.warn("objective {}'s buffer of run {} stayed full ({} batches) for {}: passing over batch {}",
                            d.batch().objective(), settings.run(), settings.upperBufferPerObjective(), settings.overflowGrace(), d.batch().batchId());
                    part.puller.commit(d);
                }
            }
            // This thread pulls for everyone; the others wait for their objective's buffer or their turn.
            Delivered d = null;
            String reason = null;
            try {
                d = part.ahead.take(remaining(deadline));
                reason = reasonToReject(d.batch(), 0);
            } finally {
                synchronized (lock) {
                    // Another objective's batch goes into its buffer before the turn is given up: a caller that
                    // found its buffer empty and pulls next must not overtake a batch of its own still on the way.
                    // It goes in even past the bound (by one at most): a caller never waits while holding a
                    // batch, or two callers holding each other's batches would wait for each other; pulling
                    // pauses instead until the buffer is back within its bound (see passOverExpired).
                    if (d != null && reason == null && d.batch().objective() != objective) {
                        int s = d.batch().objective();
                        ArrayDeque<Delivered> queue = waiting.get(s);
                        queue.add(d);
                        if (queue.size() > settings.upperBufferPerObjective() && overfullSince[s] == 0) overfullSince[s] = System.nanoTime() | 1;
                    }
                    part.pulling = false;
                    lock.notifyAll();
                }
            }
            if (reason != null) {
                reject(part.puller, d, reason);
            } else if (d.batch().objective() == objective) {
                return handOut(d);
            }
        }
    }

    /**
     * Under {@code lock}: whether the partition may be pulled now. Returns 0 when no objective's buffer of the
     * partition is over its bound (after passing over, into {@code passedOver}, the oldest batches of buffers that
     * have been over it for {@link Settings#overflowGrace()}); otherwise when the first such grace ends.
     */
    private long passOverExpired(UpperPartition part, long now, List<Delivered> passedOver) {
        long firstEnd = 0;
        for (int t : part.objectives) {
            ArrayDeque<Delivered> queue = waiting.get(t);
            if (queue.size() <= settings.upperBufferPerObjective()) continue;
            long end = overfullSince[t] + settings.overflowGrace().toNanos();
            if (now - end >= 0) {
                while (queue.size() > settings.upperBufferPerObjective()) passedOver.add(queue.poll());
                overfullSince[t] = 0;
            } else if (firstEnd == 0 || end - firstEnd < 0) {
                firstEnd = end;
            }
        }
        return firstEnd;
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /** Null when the batch suits the role (lower: objective −1; upper: 0..S−1) and the check. */
    private String reasonToReject(Minibatch b, int role) {
        if (role == Minibatch.LOWER && !b.isLower()) {
            return "upper-level batch (objective " + b.objective() + ") on the lower-level topic " + Topics.lower(settings.run());
        }
        if (role != Minibatch.LOWER) {
            if (b.isLower()) return "lower-level batch (objective -1) on the upper-level topic " + Topics.upper(settings.run());
            if (b.objective() >= settings.objectives()) {
                return "objective " + b.objective() + " outside 0.." + (settings.objectives() - 1) + " of run " + settings.run();
            }
        }
        try {
            return check.problemWith(b);
        } catch (RuntimeException e) {
            return "batch check failed: " + e;
        }
    }

    private void reject(BatchPuller from, Delivered d, String reason) {
        if (lower.values().stream().anyMatch(l -> l.puller() == from)) rejectedLower.incrementAndGet();
        rejected.incrementAndGet();
        log.warn("dead-lettering batch {} from {}-{}@{}: {}", d.batch().batchId(), d.topic(), d.partition(), d.offset(), reason);
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(d.topic(), d.partition(), d.offset(),
                MinibatchProducer.keyOf(d.batch()).getBytes(StandardCharsets.UTF_8), MinibatchCodec.encode(d.batch()));
        deadLetters.publish(record, reason).whenComplete((m, e) -> from.commit(d));
    }

    private Minibatch handOut(Delivered d) {
        synchronized (lock) {
            outstanding.computeIfAbsent(key(d.batch()), k -> new ArrayDeque<>(2)).add(d);
            outstandingCount++;
        }
        handedOut.incrementAndGet();
        return d.batch();
    }

    /** A handed-out batch: its objective and batch id (a record, not a concatenated string: no copy per batch). */
    private record Key(int objective, String batchId) {}

    private static Key key(Minibatch b) {
        return new Key(b.objective(), b.batchId());
    }

    /** Commits the batches the iteration used (asynchronously, in partition order). Unknown batches are ignored. */
    @Override
    public void iterationDone(long iteration, List<Minibatch> used) {
        for (Minibatch b : used) {
            Delivered d;
            synchronized (lock) {
                Key k = key(b);
                ArrayDeque<Delivered> q = outstanding.get(k);
                d = q == null ? null : q.poll();
                if (q != null && q.isEmpty()) outstanding.remove(k);
                if (d != null) outstandingCount--;
            }
            if (d == null) {
                log.debug("iteration {} reports batch {} (objective {}) that this source did not hand out (or already committed)",
                        iteration, b.batchId(), b.objective());
                continue;
            }
            if (b.isLower()) lower.get(d.partition()).puller().commit(d);
            else upper.get(d.partition()).puller.commit(d);
        }
    }

    public Stats stats() {
        int w, o;
        synchronized (lock) {
            w = waiting.stream().mapToInt(ArrayDeque::size).sum();
            o = outstandingCount;
        }
        return new Stats(handedOut.get(), sum(lower.values().stream().map(LowerPartition::puller).toList()),
                sum(upper.values().stream().map(u -> u.puller).toList()), rejected.get(), rejectedLower.get(), overflowed.get(), w, o, lowerWait.get(), upperWait.get());
    }

    /** Pullers' counters, summed. */
    private static BatchPuller.Stats sum(List<BatchPuller> pullers) {
        long f = 0, d = 0, dl = 0, r = 0, u = 0;
        int p = 0;
        for (BatchPuller puller : pullers) {
            BatchPuller.Stats s = puller.stats();
            f += s.fetched();
            d += s.delivered();
            dl += s.deadLettered();
            r += s.replays();
            u += s.undelivered();
            p += s.pendingCommits();
        }
        return new BatchPuller.Stats(f, d, dl, r, u, p);
    }

    /** The dead-letter publisher this source uses (its {@link DeadLetters#counter()} feeds a DLQ meter). */
    public DeadLetters deadLetters() { return deadLetters; }

    public Settings settings() { return settings; }


    /**
     * Stops both consumers after committing every batch {@link #iterationDone} has released; batches handed out
     * but not done are not committed and come again to the next consumer of the run's groups.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) return;
            closed = true;
            lock.notifyAll();
        }
        try {
            lower.values().parallelStream().forEach(l -> l.puller().close());
        } finally {
            try {
                upper.values().parallelStream().forEach(u -> u.puller.close());
            } finally {
                deadLetters.close();
            }
        }
    }
}
