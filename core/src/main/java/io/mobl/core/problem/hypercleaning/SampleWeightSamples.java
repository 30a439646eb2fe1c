package io.mobl.core.problem.hypercleaning;

import io.mobl.core.data.HyperCleaningSplit;
import io.mobl.core.data.LabelledImages;
import io.mobl.core.data.Permutations;
import io.mobl.core.stochastic.MinibatchGenerator;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import java.util.List;

/**
 * The data of {@link SampleWeightHyperCleaningProblem} as a seeded, random-access {@link MinibatchGenerator}: the
 * lower level draws from the union of the tasks' noisy training sets (N = Σ N_i samples, sample id = index in x),
 * objective s from task s's clean validation set. Each role reads its set in epochs, each a fresh seeded permutation
 * (as {@link CorruptionRateSamples}): uniform sampling without replacement within an epoch, so every batch's
 * expected oracle is the deterministic one and every sample is seen once per epoch.
 *
 * @param train      the tasks' noisy training sets, in the order of x
 * @param validation the tasks' clean validation sets (objective s reads entry s)
 * @param seed       the seed of the epochs' permutations
 */
public record SampleWeightSamples(List<LabelledImages> train, List<LabelledImages> validation, long seed)
        implements MinibatchGenerator {

    public SampleWeightSamples {
        if (train.isEmpty() || train.size() != validation.size()) {
            throw new InvalidInputException("validation", validation.size() + " sets",
                    "one validation set per training set (" + train.size() + ")");
        }
        train = List.copyOf(train);
        validation = List.copyOf(validation);
    }

    /** The training and first validation sets of each split. */
    public static SampleWeightSamples of(List<HyperCleaningSplit> splits, long seed) {
        return new SampleWeightSamples(splits.stream().map(HyperCleaningSplit::train).toList(),
                splits.stream().map(HyperCleaningSplit::validation).toList(), seed);
    }

    /** N, the training samples of all tasks. */
    public int trainTotal() {
        return train.stream().mapToInt(LabelledImages::size).sum();
    }

    @Override
    public Minibatch batch(int objective, long index, int rows) {
        Checks.atLeast("rows", rows, 1);
        if (objective < Minibatch.LOWER || objective >= validation.size()) {
            throw new InvalidInputException("objective", objective, "-1 (lower level) or 0.." + (validation.size() - 1));
        }
        if (index < 0) throw new InvalidInputException("index", index, "a batch index >= 0");
        boolean lower = objective == Minibatch.LOWER;
        int n = lower ? trainTotal() : validation.get(objective).size();
        int d = train.get(0).dimension();
        double[] features = new double[rows * d];
        double[] labels = new double[rows];
        long[] ids = new long[rows];
        long position = index * rows;
        int[] order = null;
        long epoch = -1;
        for (int r = 0; r < rows; r++, position++) {
            if (position / n != epoch) {
                epoch = position / n;
                order = Permutations.epoch(seed, objective, epoch, n);
            }
            int k = order[(int) (position % n)];
            ids[r] = k;
            LabelledImages set = lower ? null : validation.get(objective);
            int j = k;
            if (lower) {
                int t = 0;
                while (j >= train.get(t).size()) j -= train.get(t++).size();
                set = train.get(t);
            }
            System.arraycopy(set.pixels()[j], 0, features, r * d, d);
            labels[r] = set.labels()[j];
        }
        String id = (lower ? "train" : "val" + objective) + "-" + index;
        return new Minibatch(id, objective, Minibatch.Dtype.FLOAT64, rows, d, 1, features, labels, ids);
    }
}
