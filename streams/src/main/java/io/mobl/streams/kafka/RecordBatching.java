package io.mobl.streams.kafka;

import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.codec.ExampleRecords;

import java.util.HashSet;
import java.util.List;

/**
 * How a {@link KafkaBatchSource} reads ordinary per-example records (DESIGN §5, issue 16.2) instead of mobl's
 * binary minibatches: each record is one example ({@link ExampleRecords}: JSON or CSV, field names configurable),
 * checked where it enters ({@link Intake}), and mobl batches {@code rowsPerBatch} consecutive examples of one role
 * of one partition into a {@link Minibatch}.
 *
 * <p><b>Roles.</b> The topic says the level: every record of the lower-level topic is lower-level data. On the
 * upper-level topic the objective s is the index of the record's source in {@code objectiveSources} (the schema must
 * then read a source field or column), or, with no source names, the record's key, the objective's decimal number
 * (as {@link MinibatchProducer} keys batches, so that the default partitioner puts objective s where the source reads
 * it).
 *
 * <p><b>Batches.</b> A batch's rows are the features, its labels the examples' L class indices (labelDim = L), its
 * sample ids the records' offsets, its id {@code topic-partition@first..last}. Its position is just past its last
 * record: a source resumed there starts the role's next batch at the record that followed.
 *
 * @param schema           what a valid lower-level example is (dimension, classes, labels per example, field names)
 * @param upperSchema      what a valid upper-level example is (often {@code schema}; its labels per example may
 *                         differ, e.g. one clean label where training examples carry one noisy label per task)
 * @param rowsPerBatch     examples per minibatch (≥ 1)
 * @param objectiveSources source name of each upper objective, in objective order; empty: the record key says
 * @param dtype            the precision of the batches (FLOAT32 rounds the features)
 */
public record RecordBatching(ExampleRecords.Schema schema, ExampleRecords.Schema upperSchema, int rowsPerBatch,
                             List<String> objectiveSources, Minibatch.Dtype dtype) {
    public RecordBatching {
        if (schema == null) throw new InvalidInputException("schema", null, "the records' schema");
        if (upperSchema == null) throw new InvalidInputException("upper-schema", null, "the upper-level records' schema");
        Checks.atLeast("rows-per-batch", rowsPerBatch, 1);
        objectiveSources = List.copyOf(objectiveSources);
        if (new HashSet<>(objectiveSources).size() != objectiveSources.size()) {
            throw new InvalidInputException("objective-sources", objectiveSources, "distinct source names");
        }
        if (!objectiveSources.isEmpty() && !readsSource(upperSchema.format())) {
            throw new InvalidInputException("objective-sources", objectiveSources,
                    "none, or a schema that reads a source field (JSON) or column (CSV)");
        }
        if (dtype == null) throw new InvalidInputException("dtype", null, "FLOAT64 or FLOAT32");
    }

    /** float64 batches, each objective named by the record key. */
    public static RecordBatching of(ExampleRecords.Schema schema, int rowsPerBatch) {
        return new RecordBatching(schema, schema, rowsPerBatch, List.of(), Minibatch.Dtype.FLOAT64);
    }

    public RecordBatching withObjectiveSources(List<String> names) {
        return new RecordBatching(schema, upperSchema, rowsPerBatch, names, dtype);
    }

    /** Upper-level records of another schema. */
    public RecordBatching withUpperSchema(ExampleRecords.Schema upper) {
        return new RecordBatching(schema, upper, rowsPerBatch, objectiveSources, dtype);
    }

    /** The schema of a role's records. */
    public ExampleRecords.Schema schemaOf(int objective) {
        return objective == Minibatch.LOWER ? schema : upperSchema;
    }

    private static boolean readsSource(ExampleRecords.Format format) {
        return format instanceof ExampleRecords.Json j ? j.source().isPresent() : ((ExampleRecords.Csv) format).sourceColumn() >= 0;
    }
}
