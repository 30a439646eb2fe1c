package io.mobl.streams.kafka;

import io.mobl.protocol.InvalidInputException;

/**
 * The consumer groups of one reader of a run's data: {@code <prefix>.lower} for the lower-level topic and
 * {@code <prefix>.upper} for the upper-level one. mobl's readers are not group members (each reads its partitions
 * by manual assignment); the groups hold the committed offsets a fresh reader starts from, and show its lag.
 *
 * @param prefix the groups' common prefix
 */
public record ConsumerGroups(String prefix) {
    /** How a run names the groups of its preferences. */
    @FunctionalInterface
    public interface Naming {
        /** One reader per run: every preference index gets {@link #forRun}. */
        Naming PER_RUN = (run, preferenceIndex) -> forRun(run);
        /** Each preference of a sweep reads the whole stream with its own groups: {@link #forPreference}. */
        Naming PER_PREFERENCE = ConsumerGroups::forPreference;

        ConsumerGroups of(String run, int preferenceIndex);
    }

    public ConsumerGroups {
        if (prefix == null || prefix.isBlank()) throw new InvalidInputException("groupPrefix", prefix, "a non-empty consumer group prefix");
    }

    /** {@code mobl.<run>}. */
    public static ConsumerGroups forRun(String run) {
        return new ConsumerGroups("mobl." + Topics.checkRun(run));
    }

    /** {@code mobl.<run>.p<i>}: preference i of a sweep. */
    public static ConsumerGroups forPreference(String run, int preferenceIndex) {
        if (preferenceIndex < 0) throw new InvalidInputException("preferenceIndex", preferenceIndex, "an index >= 0");
        return new ConsumerGroups("mobl." + Topics.checkRun(run) + ".p" + preferenceIndex);
    }

    /** The group of the lower-level topic. */
    public String lower() { return prefix + ".lower"; }

    /** The group of the upper-level topic. */
    public String upper() { return prefix + ".upper"; }
}
