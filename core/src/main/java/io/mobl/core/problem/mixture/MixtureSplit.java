package io.mobl.core.problem.mixture;

import io.mobl.core.data.LabelledImages;
import io.mobl.core.data.Permutations;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Class-skewed slices of one labelled data set for {@link DataMixtureProblem}: the classes are cut into N contiguous
 * groups (N = the number of sources; 10 classes, N = 3: {0–3}, {4–6}, {7–9}); source k, validation set k and test
 * set k each draw a share {@code skew} of their images evenly from group k and the rest evenly from all classes.
 * Validation set k is thus the criterion that source k matches. No image is used twice.
 *
 * @param sources     N training sources
 * @param validations N validation sets (the upper objectives)
 * @param tests       N test sets with the validation sets' skews (what is reported)
 */
public record MixtureSplit(List<LabelledImages> sources, List<LabelledImages> validations, List<LabelledImages> tests) {

    /**
     * @param sources    N ≥ 2
     * @param sourceSize images per source
     * @param validation images per validation set
     * @param test       images per test set
     * @param skew       the share of a slice drawn from its own class group, in [0, 1]
     */
    public record Sizes(int sources, int sourceSize, int validation, int test, double skew) {
        public Sizes {
            Checks.atLeast("sources", sources, 2);
            Checks.atLeast("source-size", sourceSize, 1);
            Checks.atLeast("validation-size", validation, 1);
            Checks.atLeast("test-size", test, 0);
            if (!(skew >= 0 && skew <= 1)) throw new InvalidInputException("skew", skew, "a share in [0, 1]");
        }
    }

    /** The group (0..groups−1) of a class: contiguous blocks of classes. */
    public static int group(int label, int classes, int groups) {
        return (int) ((long) label * groups / classes);
    }

    /** The split of {@code all} for one seed (which images go where; the skews are fixed by {@code sizes}). */
    public static MixtureSplit of(LabelledImages all, Sizes sizes, long seed) {
        if (sizes.sources() > all.classes()) {
            throw new InvalidInputException("sources", sizes.sources(), "at most one source per class (" + all.classes() + ")");
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Deque<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < all.classes(); c++) byClass.add(new ArrayDeque<>());
        for (int j : Permutations.of(all.size(), random)) byClass.get(all.labels()[j]).add(j);
        List<LabelledImages> sources = new ArrayList<>();
        List<LabelledImages> validations = new ArrayList<>();
        List<LabelledImages> tests = new ArrayList<>();
        for (int k = 0; k < sizes.sources(); k++) {
            sources.add(draw(all, byClass, k, sizes, sizes.sourceSize(), "source-" + k));
            validations.add(draw(all, byClass, k, sizes, sizes.validation(), "validation-" + k));
            tests.add(draw(all, byClass, k, sizes, sizes.test(), "test-" + k));
        }
        return new MixtureSplit(List.copyOf(sources), List.copyOf(validations), List.copyOf(tests));
    }

    /**
     * Each image's f×f blocks averaged (a square image of side divisible by f): 28×28 → 14×14 at f = 2. A smaller
     * input keeps the lower level cheap and better conditioned on a CPU.
     */
    public static LabelledImages pooled(LabelledImages images, int factor) {
        Checks.atLeast("pool", factor, 1);
        if (factor == 1 || images.size() == 0) return images;
        int d = images.dimension();
        int side = (int) Math.round(Math.sqrt(d));
        if (side * side != d || side % factor != 0) {
            throw new InvalidInputException("pool", factor, "a divisor of the image side " + side + " (square images)");
        }
        int out = side / factor;
        double[][] rows = new double[images.size()][out * out];
        for (int n = 0; n < images.size(); n++) {
            double[] p = images.pixels()[n];
            for (int r = 0; r < side; r++) {
                for (int c = 0; c < side; c++) rows[n][(r / factor) * out + c / factor] += p[r * side + c];
            }
            for (int i = 0; i < rows[n].length; i++) rows[n][i] /= factor * factor;
        }
        return new LabelledImages(images.name(), rows, images.labels(), images.classes());
    }

    private static LabelledImages draw(LabelledImages all, List<Deque<Integer>> byClass, int group, Sizes sizes,
                                       int size, String name) {
        int classes = all.classes();
        List<Integer> own = new ArrayList<>();
        for (int c = 0; c < classes; c++) if (group(c, classes, sizes.sources()) == group) own.add(c);
        int fromGroup = (int) Math.round(sizes.skew() * size);
        int[] counts = new int[classes];
        for (int i = 0; i < fromGroup; i++) counts[own.get(i % own.size())]++;
        for (int i = 0; i < size - fromGroup; i++) counts[i % classes]++;
        int[] positions = new int[size];
        int next = 0;
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < counts[c]; i++) {
                Integer j = byClass.get(c).poll();
                if (j == null) {
                    throw new InvalidInputException("sizes", sizes, "slices that " + all.name() + " can fill: class "
                            + c + " runs out of images for " + name);
                }
                positions[next++] = j;
            }
        }
        return all.select(positions, all.name() + "/" + name);
    }
}
