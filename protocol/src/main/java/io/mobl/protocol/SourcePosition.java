package io.mobl.protocol;

/**
 * Where one stream of a run's data stands: the next offset a role reads in one partition of one topic. A
 * checkpoint records the positions just past every batch its iterations used, so that a resumed run neither
 * skips nor re-uses a minibatch; a Kafka source commits the same offsets for its consumer group.
 *
 * <p>The upper topic carries every objective's batches, so one partition can hold several roles: each has its own
 * position there (a resumed reader starts the partition at the smallest and skips, per role, what lies before its
 * own). An in-memory source uses topic {@value #MEMORY} and partition 0, the offset counting batches.
 *
 * @param topic      the topic (or {@value #MEMORY})
 * @param partition  the partition, ≥ 0
 * @param objective  the role: {@link Minibatch#LOWER} or an upper objective s ≥ 0
 * @param nextOffset the offset of the first record not yet used by this role, ≥ 0
 */
public record SourcePosition(String topic, int partition, int objective, long nextOffset) {
    /** The topic name of positions in a source that is not Kafka. */
    public static final String MEMORY = "(memory)";

    public SourcePosition {
        if (topic == null || topic.isEmpty()) throw new InvalidInputException("position.topic", topic, "a topic name");
        Checks.atLeast("position.partition", partition, 0);
        if (objective < Minibatch.LOWER) {
            throw new InvalidInputException("position.objective", objective, "-1 (lower level) or an objective s >= 0");
        }
        if (nextOffset < 0) throw new InvalidInputException("position.nextOffset", nextOffset, "an offset >= 0");
    }

    @Override
    public String toString() {
        return topic + "-" + partition + (objective == Minibatch.LOWER ? "" : "[s=" + objective + "]") + "@" + nextOffset;
    }

    /** Same topic, partition and role. */
    public boolean sameStream(SourcePosition other) {
        return topic.equals(other.topic) && partition == other.partition && objective == other.objective;
    }
}
