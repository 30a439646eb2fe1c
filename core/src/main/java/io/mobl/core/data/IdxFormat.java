package io.mobl.core.data;

import io.mobl.protocol.InvalidInputException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The IDX format of MNIST and Fashion-MNIST (big-endian): images have magic 2051 followed by count, rows and
 * columns (int32 each) and then count·rows·cols unsigned bytes; labels have magic 2049, count, then one unsigned
 * byte per label. Files may be gzipped; that is recognised from the first two bytes (0x1f 0x8b), not the name.
 */
public final class IdxFormat {
    public static final int IMAGES_MAGIC = 2051;
    public static final int LABELS_MAGIC = 2049;

    private IdxFormat() {}

    /** Pixels scaled to [0, 1] (byte / 255), one row per image. */
    public static double[][] readImages(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != IMAGES_MAGIC) {
                throw new InvalidInputException(file + ": magic", magic, IMAGES_MAGIC + " (an IDX image file)");
            }
            int count = nonNegative(file, "count", in.readInt());
            int rows = nonNegative(file, "rows", in.readInt());
            int cols = nonNegative(file, "columns", in.readInt());
            int d = Math.multiplyExact(rows, cols);
            byte[] buffer = new byte[d];
            double[][] images = new double[count][d];
            for (int i = 0; i < count; i++) {
                readFully(in, buffer, file, "image " + i + " of " + count);
                for (int j = 0; j < d; j++) images[i][j] = (buffer[j] & 0xff) / 255.0;
            }
            return images;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read IDX images " + file, e);
        }
    }

    public static int[] readLabels(Path file) {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC) {
                throw new InvalidInputException(file + ": magic", magic, LABELS_MAGIC + " (an IDX label file)");
            }
            int count = nonNegative(file, "count", in.readInt());
            byte[] buffer = new byte[count];
            readFully(in, buffer, file, count + " labels");
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) labels[i] = buffer[i] & 0xff;
            return labels;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read IDX labels " + file, e);
        }
    }

    /** Images and labels together; classes = 1 + the largest label (at least {@code minClasses}). */
    public static LabelledImages read(String name, Path images, Path labels, int minClasses) {
        double[][] pixels = readImages(images);
        int[] y = readLabels(labels);
        if (y.length != pixels.length) {
            throw new InvalidInputException(labels + ": count", y.length, pixels.length + " labels, one per image in " + images);
        }
        int classes = minClasses;
        for (int label : y) classes = Math.max(classes, label + 1);
        return new LabelledImages(name, pixels, y, classes);
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        InputStream in = (b0 == 0x1f && b1 == 0x8b) ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
        return new DataInputStream(in);
    }

    private static void readFully(DataInputStream in, byte[] buffer, Path file, String what) throws IOException {
        try {
            in.readFully(buffer);
        } catch (EOFException e) {
            throw new InvalidInputException(file.toString(), "truncated", "a complete IDX file (it ends inside " + what + ")");
        }
    }

    private static int nonNegative(Path file, String field, int value) {
        if (value < 0) throw new InvalidInputException(file + ": " + field, value, "a non-negative int32");
        return value;
    }
}
