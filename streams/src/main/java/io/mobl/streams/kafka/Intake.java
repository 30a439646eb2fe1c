package io.mobl.streams.kafka;

import io.mobl.protocol.Minibatch;
import io.mobl.protocol.codec.ExampleRecords;
import io.mobl.protocol.codec.MinibatchCodec;
import io.mobl.protocol.codec.RecordDecodeException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The one check a record of a run's data gets, where it enters mobl (in the {@link PartitionReader} of its
 * partition): it decodes ({@link MinibatchCodec}, or {@link ExampleRecords} for per-example records, see
 * {@link RecordBatching}), it is data of the level its topic carries, its objective is one of the run's and is read
 * from this partition, and (a minibatch) the run's {@link KafkaBatchSource.BatchCheck} (the problem's dimensions)
 * accepts it. What passes is a usable batch, or a usable example that the reader batches with its role's next
 * ones; what does not goes to the dead-letter topic with the reason. Nothing downstream checks a batch again.
 * Stateless, so any thread may use it.
 */
final class Intake {
    /** What the check says about one record: exactly one of {@code batch}, {@code example} and {@code reason} is non-null. */
    record Verdict(Minibatch batch, Row example, String reason) {
        static Verdict usable(Minibatch b) { return new Verdict(b, null, null); }

        static Verdict usable(Row r) { return new Verdict(null, r, null); }

        static Verdict unusable(String why) { return new Verdict(null, null, why); }
    }

    /** A usable per-example record: its role and example. */
    record Row(int objective, ExampleRecords.Example example) {}

    private final String topic;
    private final int partition;
    private final boolean lowerLevel;
    private final int objectives;
    private final String run;
    /** Upper level: objective s is read from this partition iff {@code here[s]}. */
    private final boolean[] here;
    private final int[] partitionOf;
    private final KafkaBatchSource.BatchCheck check;
    /** Null: the records are minibatches. */
    private final RecordBatching records;

    /**
     * @param roles       the roles read from this partition: {@code {-1}} for the lower-level topic, the objectives
     *                    whose key the default partitioner puts here for the upper-level topic
     * @param partitionOf for the upper level, objective → the partition it is read from
     */
    Intake(String topic, int partition, boolean lowerLevel, int[] roles, int objectives, int[] partitionOf, String run,
           KafkaBatchSource.BatchCheck check) {
        this(topic, partition, lowerLevel, roles, objectives, partitionOf, run, check, null);
    }

    /** @param records null when the records are minibatches; else how examples are read */
    Intake(String topic, int partition, boolean lowerLevel, int[] roles, int objectives, int[] partitionOf, String run,
           KafkaBatchSource.BatchCheck check, RecordBatching records) {
        this.records = records;
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

    /** The batching of per-example records, or null when the records are minibatches. */
    RecordBatching records() { return records; }

    Verdict admit(byte[] key, byte[] value) {
        if (records != null) return admitExample(key, value);
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
            String wrong = wrongObjective(b.objective(), "batches");
            if (wrong != null) return Verdict.unusable(wrong);
        }
        try {
            String problem = check.problemWith(b);
            return problem == null ? Verdict.usable(b) : Verdict.unusable(problem);
        } catch (RuntimeException e) {
            return Verdict.unusable("batch check failed: " + e);
        }
    }

    /** Why an upper-level objective cannot be read here, or null when it can. */
    private String wrongObjective(int objective, String what) {
        if (objective >= objectives) {
            return "objective " + objective + " outside 0.." + (objectives - 1) + " of run " + run;
        }
        if (!here[objective]) {
            return "objective " + objective + " in partition " + partition + " of " + topic
                    + ", but run " + run + " reads it from partition " + partitionOf[objective]
                    + " (where the default partitioner puts the key \"" + objective + "\"): key upper-level " + what + " by objective";
        }
        return null;
    }

    /** A per-example record: it decodes under the schema, and its role (topic; source or key) is read here. */
    private Verdict admitExample(byte[] key, byte[] value) {
        ExampleRecords.Example e;
        try {
            e = ExampleRecords.decode(lowerLevel ? records.schema() : records.upperSchema(), value);
        } catch (RecordDecodeException ex) {
            return Verdict.unusable(ex.getMessage());
        } catch (RuntimeException ex) { // a decoder bug must not stop the stream either
            return Verdict.unusable("unexpected decoding failure: " + ex);
        }
        if (lowerLevel) return Verdict.usable(new Row(Minibatch.LOWER, e));
        int objective;
        if (!records.objectiveSources().isEmpty()) {
            String source = e.source().orElse("");
            objective = records.objectiveSources().indexOf(source);
            if (objective < 0) {
                return Verdict.unusable("source \"" + source + "\" is none of the objectives' sources " + records.objectiveSources());
            }
        } else {
            String k = key == null ? null : new String(key, StandardCharsets.UTF_8);
            if (k == null || !k.matches("\\d{1,9}")) {
                return Verdict.unusable("an upper-level example needs its objective as the record key (0.." + (objectives - 1)
                        + "), got " + (k == null ? "no key" : "\"" + (k.length() > 40 ? k.substring(0, 37) + "..." : k) + "\""));
            }
            objective = Integer.parseInt(k);
        }
        String wrong = wrongObjective(objective, "examples");
        return wrong != null ? Verdict.unusable(wrong) : Verdict.usable(new Row(objective, e));
    }
}
