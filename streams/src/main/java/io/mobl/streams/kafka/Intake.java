package io.mobl.streams.kafka;

import io.mobl.protocol.Minibatch;
import io.mobl.protocol.codec.MinibatchCodec;
import io.mobl.protocol.codec.RecordDecodeException;

import java.util.Arrays;

/**
 * The one check a record of a run's data gets, where it enters mobl (in the {@link PartitionReader} of its
 * partition): it decodes ({@link MinibatchCodec}), it is data of the level its topic carries, its objective is one
 * of the run's and is read from this partition, and the run's {@link KafkaBatchSource.BatchCheck} (the problem's
 * dimensions) accepts it. What passes is a usable batch; what does not goes to the dead-letter topic with the
 * reason. Nothing downstream checks a batch again. Stateless, so any thread may use it.
 */
final class Intake {
    /** What the check says about one record: exactly one of {@code batch} and {@code reason} is non-null. */
    record Verdict(Minibatch batch, String reason) {
        static Verdict usable(Minibatch b) { return new Verdict(b, null); }

        static Verdict unusable(String why) { return new Verdict(null, why); }
    }

    private final String topic;
    private final int partition;
    private final boolean lowerLevel;
    private final int objectives;
    private final String run;
    /** Upper level: objective s is read from this partition iff {@code here[s]}. */
    private final boolean[] here;
    private final int[] partitionOf;
    private final KafkaBatchSource.BatchCheck check;

    /**
     * @param roles       the roles read from this partition: {@code {-1}} for the lower-level topic, the objectives
     *                    whose key the default partitioner puts here for the upper-level topic
     * @param partitionOf for the upper level, objective → the partition it is read from
     */
    Intake(String topic, int partition, boolean lowerLevel, int[] roles, int objectives, int[] partitionOf, String run,
           KafkaBatchSource.BatchCheck check) {
        this.topic = topic;
        this.partition = partition;
        this.lowerLevel = lowerLevel;
        this.objectives = objectives;
        this.partitionOf = partitionOf.clone();
        this.run = run;
        this.check = check;
        this.here = new boolean[objectives];
        if (!lowerLevel) for (int s : roles) here[s] = true;
        if (lowerLevel && !Arrays.equals(roles, new int[] {Minibatch.LOWER})) throw new IllegalArgumentException("a lower-level partition has one role, -1");
    }

    Verdict admit(byte[] value) {
        Minibatch b;
        try {
            b = MinibatchCodec.decode(value);
        } catch (RecordDecodeException e) {
            return Verdict.unusable(e.getMessage());
        } catch (RuntimeException e) { // a codec bug must not stop the stream either
            return Verdict.unusable("unexpected decoding failure: " + e);
        }
        if (lowerLevel && !b.isLower()) {
            return Verdict.unusable("upper-level batch (objective " + b.objective() + ") on the lower-level topic " + topic);
        }
        if (!lowerLevel) {
            if (b.isLower()) return Verdict.unusable("lower-level batch (objective -1) on the upper-level topic " + topic);
            if (b.objective() >= objectives) {
                return Verdict.unusable("objective " + b.objective() + " outside 0.." + (objectives - 1) + " of run " + run);
            }
            if (!here[b.objective()]) {
                return Verdict.unusable("objective " + b.objective() + " in partition " + partition + " of " + topic
                        + ", but run " + run + " reads it from partition " + partitionOf[b.objective()]
                        + " (where the default partitioner puts the key \"" + b.objective() + "\"): key upper-level batches by objective");
            }
        }
        try {
            String problem = check.problemWith(b);
            return problem == null ? Verdict.usable(b) : Verdict.unusable(problem);
        } catch (RuntimeException e) {
            return Verdict.unusable("batch check failed: " + e);
        }
    }
}
