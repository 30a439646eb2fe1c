package io.mobl.core.data;

import io.mobl.core.linalg.Vectors;
import io.mobl.protocol.InvalidInputException;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A labelled image set held as plain arrays: {@code pixels} is n×d row-major in [0, 1] (d = rows·cols), labels
 * are class indices in 0..classes−1. Any labelled feature vectors take the same form ({@link CsvFormat} reads
 * them, unscaled, into {@code pixels}). Kept as Java arrays so that shuffling and splitting are cheap and exact;
 * {@link #features()} makes the float64 ND4J matrix the models multiply with.
 *
 * @param name    where the images came from (shown in errors and reports)
 * @param pixels  n×d, each row one image, values in [0, 1]
 * @param labels  n class indices
 * @param classes the number of classes C
 */
public record LabelledImages(String name, double[][] pixels, int[] labels, int classes) {
    public LabelledImages {
        if (pixels.length != labels.length) {
            throw new InvalidInputException(name + ".labels", "length " + labels.length,
                    "one label per image (" + pixels.length + " images)");
        }
        if (classes < 1) throw new InvalidInputException(name + ".classes", classes, "an integer >= 1");
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new InvalidInputException(name + ".labels[" + i + "]", labels[i],
                        "a class index in 0.." + (classes - 1));
            }
        }
        if (pixels.length > 0) {
            int d = pixels[0].length;
            for (int i = 0; i < pixels.length; i++) {
                if (pixels[i].length != d) {
                    throw new InvalidInputException(name + ".pixels[" + i + "]", "length " + pixels[i].length,
                            "length " + d + " like the first image");
                }
            }
        }
    }

    public int size() {
        return labels.length;
    }

    /** d, the number of pixels per image (0 for an empty set). */
    public int dimension() {
        return pixels.length == 0 ? 0 : pixels[0].length;
    }

    /** The images at the given positions, in that order (a new set sharing the pixel rows). */
    public LabelledImages select(int[] positions, String newName) {
        double[][] rows = new double[positions.length][];
        int[] selected = new int[positions.length];
        for (int i = 0; i < positions.length; i++) {
            rows[i] = pixels[positions[i]];
            selected[i] = labels[positions[i]];
        }
        return new LabelledImages(newName, rows, selected, classes);
    }

    /** Images from..to−1. */
    public LabelledImages slice(int from, int to, String newName) {
        int[] positions = new int[to - from];
        for (int i = 0; i < positions.length; i++) positions[i] = from + i;
        return select(positions, newName);
    }

    /** The same images with other labels (for label corruption). */
    public LabelledImages withLabels(int[] newLabels, String newName) {
        return new LabelledImages(newName, pixels, newLabels.clone(), classes);
    }

    /** The n×d float64 design matrix. */
    public INDArray features() {
        Vectors.useFloat64();
        return Nd4j.create(pixels.length == 0 ? new double[0][0] : pixels).castTo(DataType.DOUBLE);
    }

    /** How many images each class has. */
    public int[] classCounts() {
        int[] counts = new int[classes];
        for (int label : labels) counts[label]++;
        return counts;
    }

    /** Concatenation of two sets with the same image size and classes. */
    public LabelledImages concat(LabelledImages other, String newName) {
        if (other.classes != classes || (size() > 0 && other.size() > 0 && other.dimension() != dimension())) {
            throw new InvalidInputException(newName, other.name, "a set with " + classes + " classes and "
                    + dimension() + " pixels like " + name);
        }
        double[][] rows = Arrays.copyOf(pixels, size() + other.size());
        System.arraycopy(other.pixels, 0, rows, size(), other.size());
        int[] all = Arrays.copyOf(labels, size() + other.size());
        System.arraycopy(other.labels, 0, all, size(), other.size());
        return new LabelledImages(newName, rows, all, classes);
    }
}
