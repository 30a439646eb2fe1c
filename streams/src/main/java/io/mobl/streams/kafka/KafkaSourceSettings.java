package io.mobl.streams.kafka;

import io.mobl.protocol.InvalidInputException;

import java.time.Duration;
import java.util.Map;

/**
 * How a {@link KafkaBatchSource} reads a run's two data topics: one {@link PartitionReader} (one Kafka consumer)
 * per partition, the lower-level ones merged by the {@link LowerLevelReader}, the upper-level ones split by
 * objective by the {@link UpperLevelDemultiplexer}. A wrong value fails here, naming the field.
 *
 * @param bootstrapServers        Kafka bootstrap servers
 * @param run                     the run (in messages and metrics)
 * @param topics                  where the data is ({@link TopicNames#lower()}, {@link TopicNames#upper()}) and
 *                                where unusable records go ({@link TopicNames#dlq()})
 * @param groups                  the consumer groups whose committed offsets a fresh source starts from, and that
 *                                the source (or the journal, see {@code offsetCommits}) commits to
 * @param objectives              S ≥ 1, the upper objectives (valid objective ids are 0..S-1)
 * @param lowerBuffer             decoded lower-level batches held ready (≥ 1), shared out among the lower topic's
 *                                partitions (at least one each)
 * @param upperBufferPerObjective decoded upper-level batches held ready per objective (≥ 1); while one objective's
 *                                are all waiting, its partition is not read further (back-pressure)
 * @param maxPollRecords          Kafka {@code max.poll.records} of each consumer (≥ 1)
 * @param overflowGrace           null (the default): never skip a batch. Otherwise how long a full objective
 *                                buffer may hold up its partition before its oldest batch is passed over (lossy and
 *                                timing-dependent: a run that passes batches over cannot be resumed exactly)
 * @param offsetCommits           who commits the groups' offsets: the source itself, every {@code commitInterval}
 *                                (at-least-once), or a {@link KafkaRunJournal}, in the transaction of each
 *                                checkpoint (exactly-once); then the source commits nothing
 * @param commitInterval          how often the source commits (with {@link OffsetCommits#SOURCE})
 * @param closeTimeout            how long closing waits for the last commits and dead letters
 * @param replayWindow            batch ids remembered per partition to skip a batch that comes twice
 *                                (0..2^28, default 100,000; 0 turns it off)
 * @param consumerProperties      extra Kafka consumer properties (security, fetch sizes, …); they win over mobl's
 */
public record KafkaSourceSettings(String bootstrapServers, String run, TopicNames topics, ConsumerGroups groups,
                                  int objectives, int lowerBuffer, int upperBufferPerObjective, int maxPollRecords,
                                  Duration overflowGrace, OffsetCommits offsetCommits, Duration commitInterval,
                                  Duration closeTimeout, int replayWindow, Map<String, String> consumerProperties) {

    /** Who commits the consumer groups' offsets. */
    public enum OffsetCommits {
        /** The source, every {@code commitInterval} and at close: the positions of the acknowledged batches. */
        SOURCE,
        /** A {@link KafkaRunJournal}, with each checkpoint, in one transaction; the source commits nothing. */
        JOURNAL
    }

    public KafkaSourceSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) throw new InvalidInputException("bootstrapServers", bootstrapServers, "host:port[,host:port...]");
        Topics.checkRun(run);
        if (topics == null) throw new InvalidInputException("topics", null, "the run's topic names");
        if (groups == null) throw new InvalidInputException("groups", null, "the run's consumer groups");
        if (objectives < 1) throw new InvalidInputException("objectives", objectives, "an integer >= 1 (the upper objectives S)");
        if (lowerBuffer < 1) throw new InvalidInputException("lowerBuffer", lowerBuffer, "an integer >= 1");
        if (upperBufferPerObjective < 1) throw new InvalidInputException("upperBufferPerObjective", upperBufferPerObjective, "an integer >= 1");
        if (maxPollRecords < 1) throw new InvalidInputException("maxPollRecords", maxPollRecords, "an integer >= 1");
        if (overflowGrace != null && overflowGrace.isNegative()) throw new InvalidInputException("overflowGrace", overflowGrace, "a duration >= 0, or none (never pass a batch over)");
        if (offsetCommits == null) throw new InvalidInputException("offsetCommits", null, "SOURCE or JOURNAL");
        if (commitInterval == null || commitInterval.isNegative() || commitInterval.isZero()) throw new InvalidInputException("commitInterval", commitInterval, "a positive duration");
        if (closeTimeout == null || closeTimeout.isNegative()) throw new InvalidInputException("closeTimeout", closeTimeout, "a duration >= 0");
        if (replayWindow < 0 || replayWindow > 1 << 28) throw new InvalidInputException("replayWindow", replayWindow, "an integer in 0..268435456 (2^28)");
        consumerProperties = Map.copyOf(consumerProperties);
    }

    /**
     * Defaults: the run's default topics and groups ({@code mobl.<run>.lower/upper}), buffers of 256 lower and 4
     * per objective, 500 records a poll, no batch ever passed over, the source committing every 200 ms. The lower
     * buffer is ~20 iterations of Alg. 2 with D = Q = 5 (13 lower batches each): the solver takes its lower batches
     * in bursts, and with 32 (2.5 iterations) the buffer ran dry whenever the readers' threads were not scheduled
     * within a couple of iterations (on a loaded 2-core machine the solver then waited ~20 % of a run). Still
     * bounded: 256 MNIST batches of 8 images are ~6.5 MB.
     */
    public static KafkaSourceSettings of(String bootstrapServers, String run, int objectives) {
        return new KafkaSourceSettings(bootstrapServers, run, TopicNames.defaults(run), ConsumerGroups.forRun(run),
                objectives, 256, 4, 500, null, OffsetCommits.SOURCE, Duration.ofMillis(200), Duration.ofSeconds(10),
                100_000, Map.of());
    }

    public KafkaSourceSettings withTopics(TopicNames t) {
        return new KafkaSourceSettings(bootstrapServers, run, t, groups, objectives, lowerBuffer, upperBufferPerObjective, maxPollRecords, overflowGrace, offsetCommits, commitInterval, closeTimeout, replayWindow, consumerProperties);
    }

    public KafkaSourceSettings withDeadLetterTopic(String topic) {
        return withTopics(topics.withDlq(topic));
    }

    public KafkaSourceSettings withGroups(ConsumerGroups g) {
        return new KafkaSourceSettings(bootstrapServers, run, topics, g, objectives, lowerBuffer, upperBufferPerObjective, maxPollRecords, overflowGrace, offsetCommits, commitInterval, closeTimeout, replayWindow, consumerProperties);
    }

    /** Groups {@code <prefix>.lower} and {@code <prefix>.upper}. */
    public KafkaSourceSettings withGroupPrefix(String prefix) {
        return withGroups(new ConsumerGroups(prefix));
    }

    public KafkaSourceSettings withBuffers(int lower, int upperPerObjective) {
        return new KafkaSourceSettings(bootstrapServers, run, topics, groups, objectives, lower, upperPerObjective, maxPollRecords, overflowGrace, offsetCommits, commitInterval, closeTimeout, replayWindow, consumerProperties);
    }

    public KafkaSourceSettings withMaxPollRecords(int n) {
        return new KafkaSourceSettings(bootstrapServers, run, topics, groups, objectives, lowerBuffer, upperBufferPerObjective, n, overflowGrace, offsetCommits, commitInterval, closeTimeout, replayWindow, consumerProperties);
    }

    /** Pass the oldest batch of a full objective buffer over after {@code grace} (null: never, the default). */
    public KafkaSourceSettings withOverflowGrace(Duration grace) {
        return new KafkaSourceSettings(bootstrapServers, run, topics, groups, objectives, lowerBuffer, upperBufferPerObjective, maxPollRecords, grace, offsetCommits, commitInterval, closeTimeout, replayWindow, consumerProperties);
    }

    public KafkaSourceSettings withOffsetCommits(OffsetCommits who) {
        return new KafkaSourceSettings(bootstrapServers, run, topics, groups, objectives, lowerBuffer, upperBufferPerObjective, maxPollRecords, overflowGrace, who, commitInterval, closeTimeout, replayWindow, consumerProperties);
    }

    /** The source commits nothing: a {@link KafkaRunJournal} commits the offsets with each checkpoint. */
    public KafkaSourceSettings withJournalCommits() {
        return withOffsetCommits(OffsetCommits.JOURNAL);
    }

    public KafkaSourceSettings withCommitInterval(Duration d) {
        return new KafkaSourceSettings(bootstrapServers, run, topics, groups, objectives, lowerBuffer, upperBufferPerObjective, maxPollRecords, overflowGrace, offsetCommits, d, closeTimeout, replayWindow, consumerProperties);
    }

    public KafkaSourceSettings withCloseTimeout(Duration d) {
        return new KafkaSourceSettings(bootstrapServers, run, topics, groups, objectives, lowerBuffer, upperBufferPerObjective, maxPollRecords, overflowGrace, offsetCommits, commitInterval, d, replayWindow, consumerProperties);
    }

    public KafkaSourceSettings withReplayWindow(int n) {
        return new KafkaSourceSettings(bootstrapServers, run, topics, groups, objectives, lowerBuffer, upperBufferPerObjective, maxPollRecords, overflowGrace, offsetCommits, commitInterval, closeTimeout, n, consumerProperties);
    }

    public KafkaSourceSettings withConsumerProperties(Map<String, String> props) {
        return new KafkaSourceSettings(bootstrapServers, run, topics, groups, objectives, lowerBuffer, upperBufferPerObjective, maxPollRecords, overflowGrace, offsetCommits, commitInterval, closeTimeout, replayWindow, props);
    }
}
