package io.mobl.protocol.codec;

import io.mobl.protocol.ParetoPoint;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Pareto points as JSON Lines: one {@link JsonCodec} object per line, UTF-8, '\n' after every line (the
 * {@code --out} file of a run, the input of {@code mobl report}). Blank lines are skipped when reading; a bad
 * line fails the read with a {@link RecordDecodeException} located at {@code "line N"}.
 */
public final class ParetoPointJsonLines {
    private ParetoPointJsonLines() {}

    /** Writes the points to the file, replacing it. */
    public static void write(Path file, Iterable<ParetoPoint> points) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            write(w, points);
        }
    }

    /** Appends one point to the file, creating it if needed. */
    public static void append(Path file, ParetoPoint point) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
            w.write(line(point));
        }
    }

    public static void write(Writer out, Iterable<ParetoPoint> points) throws IOException {
        for (ParetoPoint p : points) out.write(line(p));
        out.flush();
    }

    /** One line, with its '\n'. */
    public static String line(ParetoPoint point) {
        return JsonCodec.encodeToString(point) + "\n";
    }

    public static List<ParetoPoint> read(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r);
        }
    }

    public static List<ParetoPoint> read(Reader in) throws IOException {
        BufferedReader r = in instanceof BufferedReader b ? b : new BufferedReader(in);
        List<ParetoPoint> out = new ArrayList<>();
        String line;
        int n = 0;
        while ((line = r.readLine()) != null) {
            n++;
            if (line.isBlank()) continue;
            try {
                out.add(JsonCodec.decodeParetoPoint(line));
            } catch (RecordDecodeException e) {
                throw e.at("line " + n);
            }
        }
        return out;
    }
}
