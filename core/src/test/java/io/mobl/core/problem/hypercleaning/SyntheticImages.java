package io.mobl.core.problem.hypercleaning;

import io.mobl.core.data.LabelledImages;
import java.util.SplittableRandom;

/** Seeded Gaussian clusters in [0, 1]^d, one per class: small stand-ins for image data sets in tests. */
public final class SyntheticImages {
    private SyntheticImages() {}

    public static LabelledImages clusters(String name, int n, int d, int classes, double spread, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] centres = new double[classes][d];
        for (double[] c : centres) for (int i = 0; i < d; i++) c[i] = random.nextDouble();
        double[][] pixels = new double[n][d];
        int[] labels = new int[n];
        for (int j = 0; j < n; j++) {
            labels[j] = j % classes;
            for (int i = 0; i < d; i++) {
                pixels[j][i] = Math.min(1, Math.max(0, centres[labels[j]][i] + spread * random.nextGaussian()));
            }
        }
        return new LabelledImages(name, pixels, labels, classes);
    }
}
