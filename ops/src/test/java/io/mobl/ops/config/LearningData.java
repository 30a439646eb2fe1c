package io.mobl.ops.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A small generated data set for learning-problem files: seeded Gaussian clusters (one per class, 3 classes, 4
 * features) written as CSV, two training sources (one with 30 % of its labels flipped) and two validation sources,
 * and a problem file over them.
 */
public final class LearningData {
    private LearningData() {}

    /** Writes train-a.csv, train-b.csv, valid-a.csv, valid-b.csv into {@code directory}. */
    public static void write(Path directory) {
        csv(directory.resolve("train-a.csv"), 40, 1, 0.0);
        csv(directory.resolve("train-b.csv"), 40, 2, 0.3);
        csv(directory.resolve("valid-a.csv"), 20, 3, 0.0);
        csv(directory.resolve("valid-b.csv"), 20, 4, 0.0);
    }

    /** A problem file over {@link #write}'s sources, with the given model block and upper variable. */
    public static Path problem(Path directory, String name, String model, String upper) {
        write(directory);
        String text = """
                type = learning
                classes = 3
                upper = %s
                model { %s }
                lower-regularisation = 1e-2
                sources {
                  train-a { format = csv, file = "train-a.csv" }
                  train-b { format = csv, file = "train-b.csv" }
                  valid-a { format = csv, file = "valid-a.csv" }
                  valid-b { format = csv, file = "valid-b.csv" }
                }
                train = [train-a, train-b]
                objectives = [ { name = a, source = valid-a }, { name = b, source = valid-b } ]
                """.formatted(upper, model);
        Path file = directory.resolve(name);
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static void csv(Path file, int n, long seed, double flipped) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder text = new StringBuilder("f1,f2,f3,f4,label\n");
        for (int i = 0; i < n; i++) {
            int label = random.nextInt(3);
            for (int j = 0; j < 4; j++) {
                text.append(String.format(Locale.ROOT, "%.6f,", (j % 3 == label ? 1.5 : 0) + random.nextGaussian()));
            }
            int written = random.nextDouble() < flipped ? (label + 1 + random.nextInt(2)) % 3 : label;
            text.append(written).append('\n');
        }
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
