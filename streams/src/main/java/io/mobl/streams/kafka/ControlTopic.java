package io.mobl.streams.kafka;

import io.mobl.actors.SweepHandle;
import io.mobl.protocol.ControlMessage;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.codec.JsonCodec;
import io.mobl.protocol.codec.RecordDecodeException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads {@code mobl.control} (DESIGN §5) for one run and hands its {@link ControlMessage}s to a {@link Handler},
 * typically {@link #forSweep}: a user changes a running sweep's preference, pauses, resumes or stops it by
 * producing JSON records such as {@code {"type":"set-preference","run":"r1","preference":[0.7,0.3]}}.
 *
 * <p><b>Keys.</b> A record keyed {@code <run>} (or without a key) is for every preference of the run; keyed
 * {@code <run>/<i>} it is for the run's i-th preference only. Records for other runs are ignored (the topic is
 * shared). A record that does not decode, whose key and {@code run} disagree, or that the handler rejects (e.g. a
 * preference of the wrong length) goes to the dead-letter topic with the reason; the stream goes on.
 *
 * <p><b>Where it starts.</b> Commands are for the running process, not history: the listener starts at the
 * current end of every partition of the topic (read when {@link #start} returns), so a command produced after
 * that is seen and one from an earlier run is not. No consumer group, no commits.
 */
public final class ControlTopic implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlTopic.class);

    /** Every preference of the run. */
    public static final int ALL = -1;

    /** Acts on a control message; the stage fails (with the reason) when the command is rejected. */
    @FunctionalInterface
    public interface Handler {
        /** @param preference the index the record's key named, or {@link #ALL} */
        CompletionStage<?> onControl(ControlMessage message, int preference);
    }

    private final String run;
    private final Handler handler;
    private final DeadLetters deadLetters;
    private final boolean ownsDeadLetters;
    private final Consumer.Control control;
    private final CompletionStage<Done> done;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();

    private ControlTopic(ClassicActorSystemProvider system, String bootstrapServers, String topic, String run,
                         Handler handler, DeadLetters deadLetters, boolean ownsDeadLetters, Map<TopicPartition, Long> from) {
        this.run = run;
        this.handler = handler;
        this.deadLetters = deadLetters;
        this.ownsDeadLetters = ownsDeadLetters;
        ConsumerSettings<byte[], byte[]> settings = ConsumerSettings
                .create(system, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .withBootstrapServers(bootstrapServers)
                .withStopTimeout(Duration.ZERO)
                .withPollInterval(Duration.ofMillis(20));
        Pair<Consumer.Control, CompletionStage<Done>> running = Consumer
                .plainSource(settings, Subscriptions.assignmentWithOffset(from))
                .mapAsync(1, this::handle)
                .toMat(Sink.ignore(), Keep.both())
                .run(Materializer.matFromSystem(system));
        this.control = running.first();
        this.done = running.second();
        done.whenComplete((d, e) -> {
            if (e != null) log.error("the control stream of run {} from {} failed", run, topic, e);
        });
    }

    /**
     * Starts listening for {@code run}'s commands on {@code topics.control()} (which must exist; {@link Topics#ensure}
     * creates it). Dead letters go to {@code deadLetters.topic()}.
     */
    public static ControlTopic start(ClassicActorSystemProvider system, Admin admin, String bootstrapServers, TopicNames topics,
                                     String run, Handler handler, DeadLetters deadLetters) {
        return new ControlTopic(system, bootstrapServers, topics.control(), Topics.checkRun(run), handler, deadLetters, false,
                endOffsets(admin, topics.control()));
    }

    /** As {@link #start(ClassicActorSystemProvider, Admin, String, TopicNames, String, Handler, DeadLetters)}, with its own publisher to {@code topics.dlq()}. */
    public static ControlTopic start(ClassicActorSystemProvider system, Admin admin, String bootstrapServers, TopicNames topics,
                                     String run, Handler handler) {
        return new ControlTopic(system, bootstrapServers, topics.control(), Topics.checkRun(run), handler,
                new DeadLetters(bootstrapServers, topics), true, endOffsets(admin, topics.control()));
    }

    /**
     * A handler that drives a running sweep through its {@link SweepHandle}: set-preference, pause, resume and stop
     * for one preference or all of them.
     */
    public static Handler forSweep(SweepHandle sweep) {
        return (message, preference) -> {
            if (preference >= sweep.size()) {
                return CompletableFuture.failedFuture(new InvalidInputException("preference index", preference,
                        "0.." + (sweep.size() - 1) + " (the sweep " + sweep.run() + " has " + sweep.size() + " preferences)"));
            }
            List<CompletableFuture<?>> each = new ArrayList<>();
            for (int i = preference == ALL ? 0 : preference; i < (preference == ALL ? sweep.size() : preference + 1); i++) {
                each.add(apply(sweep, i, message).toCompletableFuture());
            }
            return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new));
        };
    }

    private static CompletionStage<Integer> apply(SweepHandle sweep, int i, ControlMessage message) {
        if (message instanceof ControlMessage.SetPreference s) return sweep.setPreference(i, s.preference());
        if (message instanceof ControlMessage.Pause) return sweep.pause(i);
        if (message instanceof ControlMessage.Resume) return sweep.resume(i);
        if (message instanceof ControlMessage.Stop) return sweep.stop(i);
        return CompletableFuture.failedFuture(new IllegalArgumentException("unknown control message " + message));
    }

    private CompletionStage<Done> handle(ConsumerRecord<byte[], byte[]> record) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        String keyRun = key == null ? null : key.contains("/") ? key.substring(0, key.lastIndexOf('/')) : key;
        ControlMessage message;
        try {
            message = JsonCodec.decodeControl(record.value());
        } catch (RecordDecodeException | InvalidInputException e) {
            if (keyRun != null && !keyRun.equals(run)) return ignore(); // another run's record: its own listener dead-letters it
            return deadLetter(record, "undecodable control message: " + e.getMessage());
        } catch (RuntimeException e) {
            if (keyRun != null && !keyRun.equals(run)) return ignore();
            return deadLetter(record, "undecodable control message: " + e);
        }
        if (!message.run().equals(run)) return ignore();
        int preference = ALL;
        if (key != null) {
            if (!keyRun.equals(run)) {
                return deadLetter(record, "key '" + key + "' names another run than the message's run '" + message.run() + "'");
            }
            if (key.length() > run.length()) {
                String index = key.substring(run.length() + 1);
                try {
                    preference = Integer.parseInt(index);
                } catch (NumberFormatException e) {
                    preference = -2;
                }
                if (preference < 0) {
                    return deadLetter(record, "key '" + key + "': expected '<run>' or '<run>/<preference index>' with an index >= 0");
                }
            }
        }
        log.info("control for run {}{}: {}", run, preference == ALL ? "" : " preference " + preference, message);
        CompletionStage<?> result;
        try {
            result = handler.onControl(message, preference);
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.handle((x, e) -> {
            if (e == null) {
                applied.incrementAndGet();
                return CompletableFuture.completedFuture(Done.getInstance());
            }
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            return deadLetter(record, "rejected by run " + run + ": " + cause.getMessage());
        }).thenCompose(s -> s);
    }

    private CompletionStage<Done> ignore() {
        ignored.incrementAndGet();
        return CompletableFuture.completedFuture(Done.getInstance());
    }

    private CompletionStage<Done> deadLetter(ConsumerRecord<byte[], byte[]> record, String reason) {
        log.warn("dead-lettering control record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
        return deadLetters.publish(record, reason).handle((m, e) -> {
            deadLettered.incrementAndGet();
            return Done.getInstance();
        });
    }

    /** Commands the handler accepted. */
    public long applied() { return applied.get(); }

    /** Records for other runs. */
    public long ignored() { return ignored.get(); }

    /** Records dead-lettered by this listener (undecodable, inconsistent, rejected). */
    public long deadLettered() { return deadLettered.get(); }

    /** Completes when the listening stream ends. */
    public CompletionStage<Done> completion() { return done; }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) {
        try {
            return Topics.endOffsets(admin, topic, Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the end of " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot read the end of the control topic " + topic + " (does it exist? `mobl broker` and `mobl run` create it): " + cause.getMessage(), cause);
        }
    }

    @Override
    public void close() {
        try {
            control.shutdown().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("the control listener of run {} did not stop cleanly: {}", run, e.toString());
        } finally {
            if (ownsDeadLetters) deadLetters.close();
        }
    }
}
