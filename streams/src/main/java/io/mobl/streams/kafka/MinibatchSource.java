package io.mobl.streams.kafka;

import io.mobl.protocol.InvalidInputException;
import org.apache.pekko.actor.ClassicActorSystemProvider;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Reads minibatches from Kafka for a solver that asks for them one at a time.
 *
 * <pre>{@code
 * try (BatchPuller batches = MinibatchSource.start(system,
 *         MinibatchSource.Settings.of(bootstrap, "mobl-r1-lower", Topics.lower("r1")))) {
 *     Delivered d = batches.take(Duration.ofSeconds(30));   // or batches.next(): CompletionStage<Delivered>
 *     ... use d.batch() in an iteration, checkpoint it ...
 *     batches.commit(d);                                     // its offset is committed (batched) from now on
 * }
 * }</pre>
 *
 * <p>Inside: a pekko-connectors-kafka {@code Consumer.committableSource} of raw bytes and one {@code mapAsync(1)}
 * stage that decodes each record with {@code MinibatchCodec} and hands it over. A record that does not decode goes
 * to {@link DeadLetters} with the reason and is then treated as done (committed past in order); it never fails the
 * stream. A batch id seen within the last {@link Settings#replayWindow()} batches is a replay: skipped and treated
 * as done. Good batches wait in a bounded buffer ({@link Settings#bufferSize()}) that callers take from directly;
 * a record is taken from the Kafka consumer stage only when there is room, and that stage polls only when its own
 * batch (at most {@code max.poll.records}) is used up, so a slow solver slows consumption instead of piling batches
 * up: at most about bufferSize + 1 batches are decoded and waiting, plus up to two polls of raw records (one in
 * Kafka's stage, one in a buffer behind it, so that the next poll is fetched while this one is decoded).
 *
 * <p>Offsets are committed at-least-once: a batch's offset is committed only when it and every earlier record of
 * its partition are done. The newest such offset of each partition goes to a pekko {@code Committer.sink} every
 * {@link Settings#commitMaxInterval()} (and at close), not once per batch. After a crash the uncommitted batches
 * come again; the solver's checkpoint recognises them by batch id.
 */
public final class MinibatchSource {
    private MinibatchSource() {}

    /** Starts consuming; the puller owns a {@link DeadLetters} publisher for {@link Topics#DLQ}. */
    public static BatchPuller start(ClassicActorSystemProvider system, Settings settings) {
        return new BatchPuller(system, settings, new DeadLetters(settings.bootstrapServers(), settings.deadLetterTopic(), Map.of()), true);
    }

    /** Starts consuming, dead-lettering through a shared publisher (not closed with the puller). */
    public static BatchPuller start(ClassicActorSystemProvider system, Settings settings, DeadLetters deadLetters) {
        return new BatchPuller(system, settings, deadLetters, false);
    }

    /**
     * How to consume.
     *
     * @param bootstrapServers  Kafka bootstrap servers
     * @param groupId           consumer group (offsets are committed for it)
     * @param topics            topics to subscribe to
     * @param bufferSize        decoded batches held ready ahead of the caller (default 16)
     * @param maxPollRecords    Kafka {@code max.poll.records} (default 100): how many records one poll may
     *                          bring into the consumer stage beyond the buffer (two polls' worth may wait, raw)
     * @param replayWindow      batch ids remembered to recognise replays (default 100,000; 0 turns it off)
     * @param stopTimeout       pekko-connectors' consumer stop timeout (default 0: {@link BatchPuller#close()}
     *                          drains commits itself before it shuts the consumer down)
     * @param commitMaxBatch    the committer commits after this many offsets ... (default 1000)
     * @param commitMaxInterval ... or after this long (default 1 s); released offsets are handed to it this often
     * @param closeTimeout      how long {@link BatchPuller#close()} waits for dead letters and commits (default 10 s)
     * @param deadLetterTopic   where bad records go (default {@link Topics#DLQ})
     * @param consumerProperties extra Kafka consumer properties (they win over the above)
     * @param partitions        empty (default): subscribe to the topics as a consumer group; otherwise read just
     *                          these partitions of each topic (manual assignment, offsets still committed for
     *                          the group), e.g. to give each objective of an upper topic its own bounded consumer
     */
    public record Settings(String bootstrapServers, String groupId, List<String> topics, int bufferSize,
                           int maxPollRecords, int replayWindow, Duration stopTimeout, long commitMaxBatch,
                           Duration commitMaxInterval, Duration closeTimeout, String deadLetterTopic,
                           Map<String, String> consumerProperties, List<Integer> partitions) {

        public Settings {
            if (bootstrapServers == null || bootstrapServers.isBlank()) throw new InvalidInputException("bootstrapServers", bootstrapServers, "host:port[,host:port...]");
            if (groupId == null || groupId.isBlank()) throw new InvalidInputException("groupId", groupId, "a consumer group id");
            if (topics == null || topics.isEmpty()) throw new InvalidInputException("topics", topics, "at least one topic");
            if (bufferSize < 1) throw new InvalidInputException("bufferSize", bufferSize, "an integer >= 1");
            if (maxPollRecords < 1) throw new InvalidInputException("maxPollRecords", maxPollRecords, "an integer >= 1");
            if (replayWindow < 0 || replayWindow > 1 << 28) throw new InvalidInputException("replayWindow", replayWindow, "an integer in 0..268435456 (2^28)");
            if (commitMaxBatch < 1) throw new InvalidInputException("commitMaxBatch", commitMaxBatch, "an integer >= 1");
            topics = List.copyOf(topics);
            consumerProperties = Map.copyOf(consumerProperties);
            partitions = partitions == null ? List.of() : List.copyOf(partitions);
            for (int p : partitions) if (p < 0) throw new InvalidInputException("partitions", partitions, "partition numbers >= 0");
        }

        public static Settings of(String bootstrapServers, String groupId, String... topics) {
            return new Settings(bootstrapServers, groupId, List.of(topics), 16, 100, 100_000, Duration.ZERO, 1000,
                    Duration.ofSeconds(1), Duration.ofSeconds(10), Topics.DLQ, Map.of(), List.of());
        }

        public Settings withBufferSize(int n) {
            return new Settings(bootstrapServers, groupId, topics, n, maxPollRecords, replayWindow, stopTimeout, commitMaxBatch, commitMaxInterval, closeTimeout, deadLetterTopic, consumerProperties, partitions);
        }

        public Settings withMaxPollRecords(int n) {
            return new Settings(bootstrapServers, groupId, topics, bufferSize, n, replayWindow, stopTimeout, commitMaxBatch, commitMaxInterval, closeTimeout, deadLetterTopic, consumerProperties, partitions);
        }

        public Settings withReplayWindow(int n) {
            return new Settings(bootstrapServers, groupId, topics, bufferSize, maxPollRecords, n, stopTimeout, commitMaxBatch, commitMaxInterval, closeTimeout, deadLetterTopic, consumerProperties, partitions);
        }

        public Settings withStopTimeout(Duration d) {
            return new Settings(bootstrapServers, groupId, topics, bufferSize, maxPollRecords, replayWindow, d, commitMaxBatch, commitMaxInterval, closeTimeout, deadLetterTopic, consumerProperties, partitions);
        }

        public Settings withCommits(long maxBatch, Duration maxInterval) {
            return new Settings(bootstrapServers, groupId, topics, bufferSize, maxPollRecords, replayWindow, stopTimeout, maxBatch, maxInterval, closeTimeout, deadLetterTopic, consumerProperties, partitions);
        }

        public Settings withCloseTimeout(Duration d) {
            return new Settings(bootstrapServers, groupId, topics, bufferSize, maxPollRecords, replayWindow, stopTimeout, commitMaxBatch, commitMaxInterval, d, deadLetterTopic, consumerProperties, partitions);
        }

        public Settings withDeadLetterTopic(String topic) {
            return new Settings(bootstrapServers, groupId, topics, bufferSize, maxPollRecords, replayWindow, stopTimeout, commitMaxBatch, commitMaxInterval, closeTimeout, topic, consumerProperties, partitions);
        }

        public Settings withPartitions(List<Integer> assigned) {
            return new Settings(bootstrapServers, groupId, topics, bufferSize, maxPollRecords, replayWindow, stopTimeout, commitMaxBatch, commitMaxInterval, closeTimeout, deadLetterTopic, consumerProperties, assigned);
        }

        public Settings withConsumerProperties(Map<String, String> props) {
            return new Settings(bootstrapServers, groupId, topics, bufferSize, maxPollRecords, replayWindow, stopTimeout, commitMaxBatch, commitMaxInterval, closeTimeout, deadLetterTopic, props, partitions);
        }
    }
}
