package io.mobl.core.data;

import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.util.SplittableRandom;

/**
 * The data hyper-cleaning split of the FORUM paper (§5.1): a seeded shuffle, then training, first validation
 * (the UL objective), second validation (model selection) and test sets, and a fraction of the training labels
 * replaced by another class drawn uniformly from the other C − 1.
 *
 * @param train        the noisy training set
 * @param corrupted    corrupted[j] is true where train's label j was replaced
 * @param validation   the clean first validation set (UL objective)
 * @param selection    the clean second validation set (model selection)
 * @param test         the clean test set
 */
public record HyperCleaningSplit(LabelledImages train, boolean[] corrupted, LabelledImages validation,
                                 LabelledImages selection, LabelledImages test) {

    /**
     * The sizes of the split; the FORUM paper's are 5,000 / 1,000 / 1,000 / 5,000 with half the training labels
     * corrupted.
     */
    public record Sizes(int train, int validation, int selection, int test, double corruptionRate) {
        public Sizes {
            Checks.atLeast("train-size", train, 1);
            Checks.atLeast("validation-size", validation, 1);
            Checks.atLeast("selection-size", selection, 0);
            Checks.atLeast("test-size", test, 0);
            if (!(corruptionRate >= 0 && corruptionRate <= 1)) {
                throw new InvalidInputException("corruption-rate", corruptionRate, "a fraction in [0, 1]");
            }
        }

        public static Sizes forum() {
            return new Sizes(5000, 1000, 1000, 5000, 0.5);
        }

        public int total() {
            return train + validation + selection + test;
        }

        /** The same sizes with the test set cut to what a set of {@code available} images leaves. */
        public Sizes fitTo(int available) {
            int rest = available - train - validation - selection;
            if (rest < 1) {
                throw new InvalidInputException("split", this, "at most " + (available - 1)
                        + " images for train + validation + selection (the set has " + available + ")");
            }
            return new Sizes(train, validation, selection, Math.min(test, rest), corruptionRate);
        }
    }

    /**
     * Splits {@code all} after a seeded Fisher–Yates shuffle; exactly round(rate·train) training labels are
     * corrupted, at positions drawn by the same generator.
     */
    public static HyperCleaningSplit of(LabelledImages all, Sizes sizes, long seed) {
        if (sizes.total() > all.size()) {
            throw new InvalidInputException("split", sizes, "at most " + all.size() + " images in all (" + all.name()
                    + " has " + all.size() + ")");
        }
        if (all.classes() < 2 && sizes.corruptionRate() > 0) {
            throw new InvalidInputException(all.name() + ".classes", all.classes(), "at least 2 to corrupt labels");
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[] order = Permutations.of(all.size(), random);
        int from = 0;
        LabelledImages clean = all.select(java.util.Arrays.copyOfRange(order, from, from += sizes.train()), all.name() + "/train");
        LabelledImages validation = all.select(java.util.Arrays.copyOfRange(order, from, from += sizes.validation()), all.name() + "/val1");
        LabelledImages selection = all.select(java.util.Arrays.copyOfRange(order, from, from += sizes.selection()), all.name() + "/val2");
        LabelledImages test = all.select(java.util.Arrays.copyOfRange(order, from, from += sizes.test()), all.name() + "/test");

        int n = clean.size();
        int corruptCount = (int) Math.round(sizes.corruptionRate() * n);
        int[] positions = Permutations.of(n, random);
        boolean[] corrupted = new boolean[n];
        int[] labels = clean.labels().clone();
        for (int i = 0; i < corruptCount; i++) {
            int j = positions[i];
            corrupted[j] = true;
            int other = random.nextInt(all.classes() - 1);
            labels[j] = other >= labels[j] ? other + 1 : other;
        }
        return new HyperCleaningSplit(clean.withLabels(labels, all.name() + "/train-noisy"), corrupted, validation,
                selection, test);
    }
}
