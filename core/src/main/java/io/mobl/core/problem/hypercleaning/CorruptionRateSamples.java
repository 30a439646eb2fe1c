package io.mobl.core.problem.hypercleaning;

import io.mobl.core.data.HyperCleaningSplit;
import io.mobl.core.data.LabelledImages;
import io.mobl.core.stochastic.MinibatchGenerator;
import io.mobl.core.data.Permutations;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import java.util.Arrays;
import java.util.List;

/**
 * The data of the stochastic hyper-cleaning experiment as a seeded, random-access {@link MinibatchGenerator}: one
 * training set whose labels are corrupted at S rates, and a clean validation set behind every objective.
 *
 * <p>Each role reads its set in epochs, each epoch a fresh seeded permutation, so batch i of a role holds positions
 * i·rows … (i+1)·rows − 1 of the endless sequence of epochs: every sample once per epoch, and the same (role, index,
 * rows) gives the same minibatch in any process. A lower minibatch carries the S noisy labels of each image
 * ({@link StochasticHyperCleaningProblem#labelDimension}); objective s's carries the clean validation labels, drawn
 * in an order of its own.
 *
 * @param train       the training images (their clean labels are not read)
 * @param noisyLabels noisyLabels[s][j], image j's label under corruption rate s
 * @param validation  the clean validation set behind every objective
 * @param seed        the seed of the epochs' permutations
 */
public record CorruptionRateSamples(LabelledImages train, int[][] noisyLabels, LabelledImages validation, long seed)
        implements MinibatchGenerator {

    public CorruptionRateSamples {
        if (noisyLabels.length == 0) throw new InvalidInputException("noisy-labels", 0, "labels of at least one corruption rate");
        for (int s = 0; s < noisyLabels.length; s++) {
            if (noisyLabels[s].length != train.size()) {
                throw new InvalidInputException("noisy-labels[" + s + "]", "length " + noisyLabels[s].length,
                        "one label per training image (" + train.size() + ")");
            }
        }
        if (validation.size() == 0 || validation.dimension() != train.dimension()) {
            throw new InvalidInputException("validation", validation.size() + " images of " + validation.dimension() + " pixels",
                    "at least one image of " + train.dimension() + " pixels, like the training set");
        }
        noisyLabels = Arrays.stream(noisyLabels).map(int[]::clone).toArray(int[][]::new);
    }

    /**
     * From the splits of one data set at the S corruption rates, made with the same seed: they then share their
     * images and sets (the shuffle comes first) and only the training labels differ; anything else is refused.
     */
    public static CorruptionRateSamples of(List<HyperCleaningSplit> splits, long seed) {
        HyperCleaningSplit first = splits.get(0);
        int[][] labels = new int[splits.size()][];
        for (int s = 0; s < splits.size(); s++) {
            HyperCleaningSplit split = splits.get(s);
            if (split.train().size() != first.train().size()
                    || !Arrays.equals(split.validation().labels(), first.validation().labels())
                    || !Arrays.equals(split.test().labels(), first.test().labels())) {
                throw new InvalidInputException("splits[" + s + "]", split.train().name(),
                        "the same images as splits[0] (split every rate with one seed)");
            }
            labels[s] = split.train().labels();
        }
        return new CorruptionRateSamples(first.train(), labels, first.validation(), seed);
    }

    /** S, the corruption rates. */
    public int rates() {
        return noisyLabels.length;
    }

    @Override
    public Minibatch batch(int objective, long index, int rows) {
        Checks.atLeast("rows", rows, 1);
        if (objective < Minibatch.LOWER || objective >= rates()) {
            throw new InvalidInputException("objective", objective, "-1 (lower level) or 0.." + (rates() - 1));
        }
        if (index < 0) throw new InvalidInputException("index", index, "a batch index >= 0");
        boolean lower = objective == Minibatch.LOWER;
        LabelledImages set = lower ? train : validation;
        int n = set.size();
        int d = set.dimension();
        int labelDim = lower ? rates() : 1;
        double[] features = new double[rows * d];
        double[] labels = new double[rows * labelDim];
        long[] ids = new long[rows];
        long position = index * rows;
        int[] order = null;
        long epoch = -1;
        for (int i = 0; i < rows; i++, position++) {
            if (position / n != epoch) {
                epoch = position / n;
                order = Permutations.epoch(seed, objective, epoch, n);
            }
            int j = order[(int) (position % n)];
            ids[i] = j;
            System.arraycopy(set.pixels()[j], 0, features, i * d, d);
            if (lower) {
                for (int s = 0; s < labelDim; s++) labels[i * labelDim + s] = noisyLabels[s][j];
            } else {
                labels[i] = set.labels()[j];
            }
        }
        String id = (lower ? "train" : "val" + objective) + "-" + index;
        return new Minibatch(id, objective, Minibatch.Dtype.FLOAT64, rows, d, labelDim, features, labels, ids);
    }
}
