package io.mobl.ops.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mobl.protocol.ParetoPoint;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Pareto points as JSON lines, one object per preference. */
final class ParetoLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ParetoLines() {}

    static void write(Path file, List<ParetoPoint> points) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (ParetoPoint p : points) {
                w.write(JSON.writeValueAsString(p));
                w.newLine();
            }
        }
    }
}
