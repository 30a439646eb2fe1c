package io.mobl.streams.kafka;

import io.mobl.protocol.Minibatch;
import io.mobl.protocol.codec.MinibatchCodec;
import io.mobl.protocol.codec.RecordDecodeException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.kafka.CommitterSettings;
import org.apache.pekko.kafka.ConsumerMessage.CommittableMessage;
import org.apache.pekko.kafka.ConsumerMessage.CommittableOffset;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Committer;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.Supervision;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The running consumer of a {@link MinibatchSource}: hands out decoded minibatches on demand and commits
 * their offsets once the caller says they are done. Thread-safe; {@link #next()} calls are served in order.
 */
public final class BatchPuller implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatchPuller.class);
    /** Offsets waiting to enter the committer stream; more wait (coalesced per partition) in {@code unsent}. */
    private static final int COMMIT_QUEUE = 1024;
    private static final CompletionStage<Done> DONE = CompletableFuture.completedFuture(Done.getInstance());

    /** Counters, for tests and metrics. */
    public record Stats(long fetched, long delivered, long deadLettered, long replays, long undelivered, int pendingCommits) {}

    private final MinibatchSource.Settings settings;
    private final DeadLetters deadLetters;
    private final boolean ownsDeadLetters;
    private final ReplayWindow seen;

    private final Object lock = new Object();
    private final OffsetTracker<CommittableOffset> tracker = new OffsetTracker<>();
    private final Map<TopicPartition, CommittableOffset> unsent = new LinkedHashMap<>();
    private final Set<CompletableFuture<?>> inFlightDeadLetters = ConcurrentHashMap.newKeySet();

    private final AtomicLong fetched = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong replays = new AtomicLong();

    private final Consumer.Control control;
    private final Handoff handoff;
    private final CompletionStage<Done> streamDone;
    private final BoundedSourceQueue<CommittableOffset> commits;
    private final CompletionStage<Done> commitsDone;
    private final org.apache.pekko.actor.Cancellable commitTick;

    private CompletableFuture<Delivered> parked;
    private CompletableFuture<Done> closing;

    BatchPuller(ClassicActorSystemProvider system, MinibatchSource.Settings settings, DeadLetters deadLetters, boolean ownsDeadLetters) {
        this.settings = settings;
        this.deadLetters = deadLetters;
        this.ownsDeadLetters = ownsDeadLetters;
        this.seen = new ReplayWindow(settings.replayWindow());
        Materializer mat = Materializer.matFromSystem(system);

        ConsumerSettings<byte[], byte[]> consumerSettings = ConsumerSettings
                .create(system, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .withBootstrapServers(settings.bootstrapServers())
                .withGroupId(settings.groupId())
                .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
                .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                .withProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(settings.maxPollRecords()))
                .withStopTimeout(settings.stopTimeout());
        for (Map.Entry<String, String> p : settings.consumerProperties().entrySet()) {
            consumerSettings = consumerSettings.withProperty(p.getKey(), p.getValue());
        }

        CommitterSettings committerSettings = CommitterSettings.create(system)
                .withMaxBatch(settings.commitMaxBatch())
                .withMaxInterval(settings.commitMaxInterval());
        Pair<BoundedSourceQueue<CommittableOffset>, CompletionStage<Done>> committer = Source.<CommittableOffset>queue(COMMIT_QUEUE)
                .toMat(Committer.<CommittableOffset>sink(committerSettings)
                        // A commit that fails (a rebalance took the partition away, the broker is gone) is logged and
                        // skipped: a later commit of the same partition covers it, and at worst batches come again.
                        .withAttributes(ActorAttributes.withSupervisionStrategy(e -> {
                            log.warn("offset commit failed (skipped; a later commit covers it): {}", e.toString());
                            return Supervision.resume();
                        })), Keep.both())
                .run(mat);
        this.commits = committer.first();
        this.commitsDone = committer.second();

        this.handoff = new Handoff(settings.bufferSize());
        // One stage per record: decode, bookkeeping and the hand-over in a single mapAsync(1). Its future is already
        // complete while the buffer has room (the stream goes straight on to the next record), pending while the
        // buffer is full or a dead letter is being written (the stream waits: both keep it bounded).
        Pair<Consumer.Control, CompletionStage<Done>> main = Consumer
                .committableSource(consumerSettings, subscription(settings))
                // Room for one poll's records between Kafka's stage and the decoding: that stage hands its poll over
                // at once and asks its consumer for the next one, so the consumer fetches while this poll is decoded
                // and handed out (one poll more of raw records in memory; decoded batches stay bounded as before).
                .buffer(settings.maxPollRecords(), org.apache.pekko.stream.OverflowStrategy.backpressure())
                .mapAsync(1, this::handle)
                .watchTermination(Keep.both())
                .toMat(Sink.ignore(), Keep.left())
                .run(mat);
        this.control = main.first();
        this.streamDone = main.second();
        streamDone.whenComplete((d, e) -> {
            if (e != null) log.error("minibatch stream from {} failed", settings.topics(), e);
            handoff.end(e);
        });
        // Offsets released by commit() wait in `unsent` (the newest per partition) and go to the committer stream
        // on this tick, not one offer per batch: each offer would wake the committer's actor, and a solver takes
        // thousands of batches a second. Commits stay at-least-once; they only go out up to one interval later.
        Duration tick = settings.commitMaxInterval();
        this.commitTick = system.classicSystem().scheduler().scheduleWithFixedDelay(tick, tick, () -> {
            synchronized (lock) {
                drainUnsent();
            }
        }, system.classicSystem().dispatcher());
    }

    /** The whole topics as a group member, or the assigned partitions of each. */
    private static org.apache.pekko.kafka.AutoSubscription subscriptionOf(MinibatchSource.Settings settings) {
        return Subscriptions.topics(Set.copyOf(settings.topics()));
    }

    private static org.apache.pekko.kafka.Subscription subscription(MinibatchSource.Settings settings) {
        if (settings.partitions().isEmpty()) return subscriptionOf(settings);
        Set<TopicPartition> assigned = new java.util.HashSet<>();
        for (String topic : settings.topics()) for (int p : settings.partitions()) assigned.add(new TopicPartition(topic, p));
        return Subscriptions.assignment(assigned);
    }

    /**
     * One record from Kafka: decode, dead-letter, skip a replay, or hand over. Runs inside the stream; the
     * returned stage completes when the stream may take the next record.
     */
    private CompletionStage<Done> handle(CommittableMessage<byte[], byte[]> message) {
        fetched.incrementAndGet();
        ConsumerRecord<byte[], byte[]> record = message.record();
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        CommittableOffset offset = message.committableOffset();
        synchronized (lock) {
            tracker.register(tp, record.offset(), offset);
        }
        Minibatch batch;
        try {
            batch = MinibatchCodec.decode(record.value());
        } catch (RecordDecodeException e) {
            return deadLetter(record, tp, e.getMessage());
        } catch (RuntimeException e) { // a codec bug must not stop the stream either
            return deadLetter(record, tp, "unexpected decoding failure: " + e);
        }
        if (!seen.firstTime(batch.batchId())) {
            replays.incrementAndGet();
            log.debug("skipping replay of batch {} at {}@{}", batch.batchId(), tp, record.offset());
            release(tp, record.offset());
            return DONE;
        }
        return handoff.put(new Delivered(batch, offset, record.topic(), record.partition(), record.offset()));
    }

    private CompletionStage<Done> deadLetter(ConsumerRecord<byte[], byte[]> record, TopicPartition tp, String reason) {
        log.warn("dead-lettering {}@{}: {}", tp, record.offset(), reason);
        CompletableFuture<Done> after = deadLetters.publish(record, reason).toCompletableFuture()
                .handle((metadata, error) -> {
                    // Done either way: a record that cannot even be dead-lettered is logged (by DeadLetters) and
                    // passed over rather than blocking every later commit of its partition.
                    deadLettered.incrementAndGet();
                    release(tp, record.offset());
                    return Done.getInstance();
                });
        inFlightDeadLetters.add(after);
        after.whenComplete((x, e) -> inFlightDeadLetters.remove(after));
        return after;
    }

    /**
     * The next minibatch, when there is one. Calls are served in order. Fails with
     * {@link NoSuchElementException} once the source has ended (closed), or with the stream's failure.
     */
    public CompletionStage<Delivered> next() {
        synchronized (lock) {
            if (parked != null) {
                CompletableFuture<Delivered> p = parked;
                parked = null;
                return p;
            }
            return handoff.take().thenApply(d -> {
                delivered.incrementAndGet();
                return d;
            });
        }
    }

    /**
     * Blocks for the next minibatch up to {@code timeout}. On timeout the pending request is kept, so the batch
     * it eventually receives is the one the next call of {@link #take} or {@link #next} returns (none is lost).
     */
    public Delivered take(Duration timeout) throws InterruptedException, TimeoutException {
        CompletableFuture<Delivered> f = next().toCompletableFuture();
        try {
            return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            synchronized (lock) {
                if (parked == null) parked = f;
            }
            throw new TimeoutException("no minibatch from " + settings.topics() + " within " + timeout);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            throw new IllegalStateException(cause);
        }
    }

    /**
     * The iteration that used this batch is done (checkpointed): its offset may be committed once every
     * earlier record of its partition is done too. Commits are batched and asynchronous.
     */
    public void commit(Delivered done) {
        release(done.topicPartition(), done.offset());
    }

    public void commit(Collection<Delivered> done) {
        for (Delivered d : done) commit(d);
    }

    /** Batch ids that must count as already seen (e.g. the ones a restored checkpoint has used). */
    public void markSeen(Collection<String> batchIds) {
        for (String id : batchIds) seen.add(id);
    }

    private void release(TopicPartition tp, long offset) {
        synchronized (lock) {
            CommittableOffset c = tracker.done(tp, offset);
            if (c != null) unsent.put(tp, c);
        }
    }

    /**
     * Offers the waiting commits (the newest per partition) to the committer stream; keeps what does not fit.
     * Called on the commit tick and at close.
     */
    private void drainUnsent() {
        for (Iterator<CommittableOffset> it = unsent.values().iterator(); it.hasNext(); ) {
            QueueOfferResult r = commits.offer(it.next());
            if (r.isEnqueued()) {
                it.remove();
            } else if (r == QueueOfferResult.dropped()) {
                return; // full: retried at the next release or at close
            } else {
                log.debug("offset commit not queued ({}): the puller is closed", r);
                it.remove();
            }
        }
    }

    public Stats stats() {
        long f = fetched.get(), d = delivered.get(), dl = deadLettered.get(), r = replays.get();
        int pending;
        synchronized (lock) {
            pending = tracker.pending();
        }
        return new Stats(f, d, dl, r, f - d - dl - r, pending);
    }

    /** Records taken from Kafka and decoded (or dead-lettered) so far. */
    public long fetched() { return fetched.get(); }

    /** Batches handed to callers so far. */
    public long delivered() { return delivered.get(); }

    /** Records sent to the dead-letter topic by this puller. */
    public long deadLettered() { return deadLettered.get(); }

    /** Batches skipped as replays. */
    public long replays() { return replays.get(); }

    /** Taken from Kafka but not yet handed to a caller (in flight, or waiting in the buffer). */
    public long undelivered() { return stats().undelivered(); }

    public Consumer.Control control() { return control; }

    /** Completes when the consuming stream ends (after close, or when it fails). */
    public CompletionStage<Done> completion() { return streamDone; }

    /**
     * Stops reading, waits (up to {@link MinibatchSource.Settings#closeTimeout()}) for dead letters in flight
     * and for the commits of everything done so far, then shuts the consumer down. Batches delivered but not
     * committed are not committed: they come again to the next consumer of the group.
     */
    public CompletionStage<Done> closeAsync() {
        synchronized (lock) {
            if (closing != null) return closing;
            closing = new CompletableFuture<>();
        }
        long timeoutMs = settings.closeTimeout().toMillis();
        CompletableFuture<Done> result = closing;
        control.stop().toCompletableFuture()
                .thenCompose(d -> CompletableFuture.allOf(inFlightDeadLetters.toArray(CompletableFuture[]::new))
                        .completeOnTimeout(null, timeoutMs, TimeUnit.MILLISECONDS))
                .thenCompose(x -> flushCommits(timeoutMs))
                .handle((x, e) -> {
                    if (e != null) log.warn("closing the minibatch source: {}", e.toString());
                    return control.shutdown();
                })
                .thenCompose(s -> s)
                .whenComplete((d, e) -> {
                    commitTick.cancel();
                    handoff.end(null);
                    if (ownsDeadLetters) deadLetters.close();
                    if (e != null) result.completeExceptionally(e);
                    else result.complete(Done.getInstance());
                });
        return result;
    }

    private CompletionStage<Done> flushCommits(long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (lock) {
            drainUnsent();
        }
        return CompletableFuture.supplyAsync(() -> {
            while (true) {
                synchronized (lock) {
                    drainUnsent();
                    if (unsent.isEmpty() || System.nanoTime() > deadline) {
                        if (!unsent.isEmpty()) log.warn("closing with {} partitions' commits not sent", unsent.size());
                        commits.complete();
                        return null;
                    }
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    commits.complete();
                    return null;
                }
            }
        }).thenCompose(x -> commitsDone.toCompletableFuture()
                .completeOnTimeout(Done.getInstance(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS));
    }

    @Override
    public void close() {
        try {
            closeAsync().toCompletableFuture().get(settings.closeTimeout().toMillis() * 3 + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("minibatch source did not close cleanly: {}", e.toString());
        }
    }

    /**
     * Decoded batches waiting for callers: at most {@code capacity}, plus the one put that waits for room (the
     * stream's {@code mapAsync(1)} does not ask Kafka's stage for more until it completes). Callers that come
     * first wait in line (FIFO), so batches go out in stream order.
     */
    private final class Handoff {
        private final int capacity;
        private final java.util.ArrayDeque<Delivered> ready = new java.util.ArrayDeque<>();
        private final java.util.ArrayDeque<CompletableFuture<Delivered>> waiting = new java.util.ArrayDeque<>();
        private Delivered blocked;
        private CompletableFuture<Done> blockedPut;
        private boolean ended;
        private Throwable failure;

        Handoff(int capacity) {
            this.capacity = capacity;
        }

        /** Completes (with nothing for the stream to emit) once the batch is handed over or stored. */
        CompletionStage<Done> put(Delivered d) {
            CompletableFuture<Delivered> taker;
            synchronized (this) {
                taker = waiting.poll();
                if (taker == null) {
                    if (ready.size() < capacity) {
                        ready.add(d);
                        return DONE;
                    }
                    blocked = d;
                    blockedPut = new CompletableFuture<>();
                    return blockedPut;
                }
            }
            taker.complete(d);
            return DONE;
        }

        CompletableFuture<Delivered> take() {
            CompletableFuture<Done> release = null;
            CompletableFuture<Delivered> result;
            synchronized (this) {
                Delivered d = ready.poll();
                if (d != null) {
                    // Let the stream go on only once half the room is free: it then refills that half in one go
                    // (puts complete at once while there is room), instead of one round trip per batch taken.
                    if (blocked != null && ready.size() <= capacity / 2) {
                        ready.add(blocked);
                        blocked = null;
                        release = blockedPut;
                        blockedPut = null;
                    }
                    result = CompletableFuture.completedFuture(d);
                } else if (ended) {
                    result = CompletableFuture.failedFuture(failure != null ? failure
                            : new NoSuchElementException("the minibatch source from " + settings.topics() + " has ended"));
                } else {
                    result = new CompletableFuture<>();
                    waiting.add(result);
                }
            }
            if (release != null) release.complete(Done.getInstance());
            return result;
        }

        void end(Throwable error) {
            List<CompletableFuture<Delivered>> waiters;
            CompletableFuture<Done> release;
            synchronized (this) {
                if (ended) return;
                ended = true;
                failure = error;
                waiters = List.copyOf(waiting);
                waiting.clear();
                release = blockedPut;
                blockedPut = null;
                blocked = null;
            }
            Throwable why = error != null ? error : new NoSuchElementException("the minibatch source from " + settings.topics() + " has ended");
            for (CompletableFuture<Delivered> w : waiters) w.completeExceptionally(why);
            if (release != null) release.complete(Done.getInstance());
        }
    }
}
