package io.mobl.core.data;

import io.mobl.core.model.Batch;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import java.util.Iterator;
import java.util.List;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A hyper-cleaning split as the Kafka minibatches {@code ./mobl produce --dataset mnist|fashion-mnist} writes, and
 * back. The wire layout (one convention for producer and consumer):
 * <ul>
 *   <li>dtype {@link Minibatch.Dtype#FLOAT32}: pixels are byte/255, which float32 holds to 7 digits, at half the
 *       bytes of float64;</li>
 *   <li>features: the d = 784 pixels of each image in [0, 1], row-major;</li>
 *   <li>labels: one-hot, labelDim = C (10): self-describing (C travels with the batch) and exactly the
 *       {@link Batch#oneHot()} rows the network's loss uses, for 10 of 794 values per row;</li>
 *   <li>lower-level batches (objective {@link Minibatch#LOWER}) come from the noisy training sets; sample id =
 *       the sample's position in the problem's upper variable x = [x_1; …; x_S] (offset of task i plus its
 *       position j in task i's training set), i.e. the index of its weight logit;</li>
 *   <li>upper-level batches of objective s come from task s's clean first validation set; sample id = position
 *       in that set.</li>
 * </ul>
 * Batches walk a set in order and wrap around; a batch id carries a counter that never repeats, so a looping
 * producer's later passes are new data to the consumer, not replays.
 */
public final class ImageMinibatches {
    private ImageMinibatches() {}

    /**
     * Batch {@code k} (k ≥ 0) of {@code rows} consecutive images of {@code set}, starting at image k·rows modulo the
     * set's size (wrapping around).
     *
     * @param idPrefix   e.g. "mnist/train"; the id is {@code <idPrefix>/<k>}
     * @param objective  {@link Minibatch#LOWER} or s ≥ 0
     * @param idOffset   added to a sample's position in {@code set} to make its sample id
     */
    public static Minibatch batch(LabelledImages set, String idPrefix, int objective, long idOffset, long k, int rows) {
        Checks.atLeast("rows", rows, 1);
        if (k < 0) throw new InvalidInputException("batch", k, "an index >= 0");
        if (set.size() == 0) throw new InvalidInputException(set.name(), "no images", "at least one image");
        int d = set.dimension();
        int c = set.classes();
        double[] features = new double[rows * d];
        double[] labels = new double[rows * c];
        long[] ids = new long[rows];
        long start = Math.floorMod(k * rows, (long) set.size());
        for (int i = 0; i < rows; i++) {
            int j = (int) ((start + i) % set.size());
            System.arraycopy(set.pixels()[j], 0, features, i * d, d);
            labels[i * c + set.labels()[j]] = 1.0;
            ids[i] = idOffset + j;
        }
        return new Minibatch(idPrefix + "/" + k, objective, Minibatch.Dtype.FLOAT32, rows, d, c, features, labels, ids);
    }

    /**
     * The endless stream of the splits' minibatches in rounds: {@code lowerPerRound} lower-level batches (the tasks'
     * training sets in turn) and then one batch of each objective's validation set.
     *
     * @param names  the tasks' names (for the batch ids), one per split
     */
    public static Iterable<Minibatch> stream(List<String> names, List<HyperCleaningSplit> splits, int rows, int lowerPerRound) {
        if (splits.isEmpty() || names.size() != splits.size()) {
            throw new InvalidInputException("splits", splits.size(), "at least one split, one per name (" + names.size() + ")");
        }
        Checks.atLeast("rows", rows, 1);
        Checks.atLeast("lowerPerRound", lowerPerRound, 1);
        int s = splits.size();
        long[] offsets = new long[s];
        for (int i = 1; i < s; i++) offsets[i] = offsets[i - 1] + splits.get(i - 1).train().size();
        return () -> new Iterator<>() {
            long lower;
            final long[] upper = new long[s];
            int slot;

            @Override public boolean hasNext() { return true; }

            @Override public Minibatch next() {
                Minibatch b;
                if (slot < lowerPerRound) {
                    int task = (int) (lower % s);
                    long k = lower / s;
                    lower++;
                    b = batch(splits.get(task).train(), names.get(task) + "/train", Minibatch.LOWER, offsets[task], k, rows);
                } else {
                    int objective = slot - lowerPerRound;
                    b = batch(splits.get(objective).validation(), names.get(objective) + "/val1", objective, 0,
                            upper[objective]++, rows);
                }
                slot = (slot + 1) % (lowerPerRound + s);
                return b;
            }
        };
    }

    /**
     * A minibatch written by {@link #batch} as the network's {@link Batch}: the features as float64 and the class
     * of each one-hot label row. Fails, naming the row, when a label row is not one-hot.
     */
    public static Batch toBatch(Minibatch b) {
        int c = b.labelDim();
        if (c < 2) throw new InvalidInputException("labelDim", c, "C >= 2 one-hot label columns");
        int[] classes = new int[b.rows()];
        for (int i = 0; i < b.rows(); i++) {
            int hot = -1;
            for (int j = 0; j < c; j++) {
                double v = b.label(i, j);
                if (v == 1.0 && hot < 0) hot = j;
                else if (v != 0.0) { hot = -2; break; }
            }
            if (hot < 0) {
                throw new InvalidInputException(b.batchId() + ".labels[" + i + "]", "not one-hot",
                        "exactly one 1 and " + (c - 1) + " zeros");
            }
            classes[i] = hot;
        }
        return Batch.of(Nd4j.create(b.features(), new long[] {b.rows(), b.featureDim()}, 'c'), classes, c);
    }
}
