package io.mobl.streams.kafka;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.kafka.ProducerMessage;
import org.apache.pekko.kafka.ProducerSettings;
import org.apache.pekko.kafka.javadsl.Producer;
import org.apache.pekko.stream.ActorAttributes;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Writes records as JSON to a Kafka topic through a Pekko stream: {@link #offer} puts a record in a bounded
 * queue ({@code Source.queue(bufferSize)}), a stage encodes it, and pekko-connectors-kafka's producer stage
 * ({@code Producer.flexiFlow}, the stage behind {@code Producer.plainSink}, used here because it reports each
 * completed send, which {@link #flush()} needs) sends it with {@code acks=all}, keyed by {@code key(record)}.
 *
 * <p><b>When the queue is full</b> ({@code bufferSize} records waiting for the broker) the {@link Overflow}
 * policy decides: {@link Overflow#DROP_NEWEST} refuses the record ({@code offer} returns false and
 * {@link #dropped()} counts it; the caller never waits on Kafka), {@link Overflow#FAIL} throws
 * {@link IllegalStateException} (for records that must not be lost silently; the caller may retry after
 * {@link #flush()}). A send that fails after the producer's own retries is logged, counted in
 * {@link #failed()}, and skipped; the stream keeps going.
 */
public class JsonTopicSink<T> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JsonTopicSink.class);

    /** What {@link #offer} does when the buffer is full. */
    public enum Overflow { DROP_NEWEST, FAIL }

    private final String topic;
    private final int bufferSize;
    private final Overflow overflow;
    private final Function<T, String> key;
    private final BoundedSourceQueue<T> queue;
    private final CompletionStage<Done> done;

    private final AtomicLong enqueued = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Map<Throwable, Boolean> failures = Collections.synchronizedMap(new WeakHashMap<>());
    private final List<Pair<Long, CompletableFuture<Done>>> flushes = new ArrayList<>();

    /**
     * @param encode             the record's JSON bytes
     * @param key                the record's Kafka key
     * @param producerProperties extra Kafka producer properties (they win over the defaults)
     */
    public JsonTopicSink(ClassicActorSystemProvider system, String bootstrapServers, String topic, int bufferSize,
                         Overflow overflow, Function<T, String> key, Function<T, byte[]> encode,
                         Map<String, String> producerProperties) {
        if (bufferSize < 1) throw new IllegalArgumentException("bufferSize must be >= 1, was " + bufferSize);
        this.topic = topic;
        this.bufferSize = bufferSize;
        this.overflow = overflow;
        this.key = key;
        ProducerSettings<String, byte[]> ps = ProducerSettings.create(system, new StringSerializer(), new ByteArraySerializer())
                .withBootstrapServers(bootstrapServers)
                .withProperty(ProducerConfig.ACKS_CONFIG, "all")
                .withProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
                .withProperty(ProducerConfig.LINGER_MS_CONFIG, "5");
        for (Map.Entry<String, String> p : producerProperties.entrySet()) ps = ps.withProperty(p.getKey(), p.getValue());

        Pair<BoundedSourceQueue<T>, CompletionStage<Done>> run = Source.<T>queue(bufferSize)
                .map(r -> ProducerMessage.<String, byte[], NotUsed>single(new ProducerRecord<>(topic, key.apply(r), encode.apply(r)), NotUsed.getInstance()))
                .via(Producer.<String, byte[], NotUsed>flexiFlow(ps)
                        .withAttributes(ActorAttributes.withSupervisionStrategy(e -> {
                            // The producer stage asks the decider in its send callback and the flow's mapAsync
                            // asks again for the same failed send: count each failure once.
                            if (failures.putIfAbsent(e, Boolean.TRUE) == null) {
                                failed.incrementAndGet();
                                log.warn("a record for {} could not be sent (skipped): {}", topic, e.toString());
                                checkFlushes();
                            }
                            return Supervision.resume();
                        })))
                .toMat(Sink.foreach(result -> {
                    sent.incrementAndGet();
                    checkFlushes();
                }), Keep.both())
                .run(Materializer.matFromSystem(system));
        this.queue = run.first();
        this.done = run.second();
        done.whenComplete((d, e) -> {
            if (e != null) log.error("JSON sink for {} failed", topic, e);
            failFlushes(e);
        });
    }

    /**
     * Queues a record for sending. Returns true when queued; false when the buffer is full under
     * {@link Overflow#DROP_NEWEST}. Throws {@link IllegalStateException} when the buffer is full under
     * {@link Overflow#FAIL}, or when the sink is closed or failed.
     */
    public boolean offer(T record) {
        if (record == null) throw new IllegalArgumentException("null record");
        key.apply(record); // fail here, in the caller, if the key cannot be made
        QueueOfferResult r = queue.offer(record);
        if (r.isEnqueued()) {
            enqueued.incrementAndGet();
            return true;
        }
        if (r == QueueOfferResult.dropped()) {
            dropped.incrementAndGet();
            if (overflow == Overflow.FAIL) {
                throw new IllegalStateException("the " + topic + " sink's buffer of " + bufferSize
                        + " records is full (the broker is slow or gone); retry after flush()");
            }
            return false;
        }
        if (r instanceof QueueOfferResult.Failure f) throw new IllegalStateException("the " + topic + " sink has failed", f.cause());
        throw new IllegalStateException("the " + topic + " sink is closed");
    }

    /** Completes when every record queued before this call has been sent (or has failed for good). */
    public CompletionStage<Done> flush() {
        CompletableFuture<Done> f = new CompletableFuture<>();
        synchronized (flushes) {
            flushes.add(Pair.create(enqueued.get(), f));
        }
        checkFlushes();
        return f;
    }

    private void checkFlushes() {
        long completed = sent.get() + failed.get();
        synchronized (flushes) {
            for (Iterator<Pair<Long, CompletableFuture<Done>>> it = flushes.iterator(); it.hasNext(); ) {
                Pair<Long, CompletableFuture<Done>> p = it.next();
                if (completed >= p.first()) {
                    p.second().complete(Done.getInstance());
                    it.remove();
                }
            }
        }
    }

    private void failFlushes(Throwable e) {
        synchronized (flushes) {
            for (Pair<Long, CompletableFuture<Done>> p : flushes) {
                if (e == null) p.second().complete(Done.getInstance());
                else p.second().completeExceptionally(e);
            }
            flushes.clear();
        }
    }

    /** Stops accepting records; completes when the queued ones have been sent and the producer is closed. */
    public CompletionStage<Done> closeAsync() {
        if (!queue.isCompleted()) queue.complete();
        return done;
    }

    /** {@link #closeAsync()} and wait up to 30 s. */
    @Override
    public void close() {
        try {
            closeAsync().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("JSON sink for {} did not close cleanly: {}", topic, e.toString());
        }
    }

    public String topic() { return topic; }

    /** Records queued so far. */
    public long offered() { return enqueued.get(); }

    /** Records the broker has acknowledged. */
    public long sent() { return sent.get(); }

    /** Records whose send failed for good. */
    public long failed() { return failed.get(); }

    /** Records refused because the buffer was full. */
    public long dropped() { return dropped.get(); }

    /** Waits for {@link #flush()} up to {@code timeout}. */
    public void flush(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            flush().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the " + topic + " sink failed", e.getCause());
        }
    }
}
