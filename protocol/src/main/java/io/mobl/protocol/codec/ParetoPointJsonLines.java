package io.mobl.protocol.codec;

import io.mobl.protocol.ParetoPoint;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;

/**
 * Pareto points as JSON Lines (the {@code --out} file of a run, the input of {@code mobl report}): the
 * {@link JsonLines} file format with {@link JsonCodec}'s Pareto-point form on every line.
 */
public final class ParetoPointJsonLines {
    private ParetoPointJsonLines() {}

    /** Writes the points to the file, replacing it. */
    public static void write(Path file, Iterable<ParetoPoint> points) {
        JsonLines.write(file, points, JsonCodec::encodeToString);
    }

    /** Appends one point to the file, creating it if needed. */
    public static void append(Path file, ParetoPoint point) {
        JsonLines.append(file, point, JsonCodec::encodeToString);
    }

    public static void write(Writer out, Iterable<ParetoPoint> points) throws IOException {
        JsonLines.write(out, points, JsonCodec::encodeToString);
    }

    /** One line, with its '\n'. */
    public static String line(ParetoPoint point) {
        return JsonCodec.encodeToString(point) + "\n";
    }

    public static List<ParetoPoint> read(Path file) {
        return JsonLines.read(file, JsonCodec::decodeParetoPoint);
    }

    public static List<ParetoPoint> read(Reader in) throws IOException {
        return JsonLines.read(in, JsonCodec::decodeParetoPoint);
    }
}
