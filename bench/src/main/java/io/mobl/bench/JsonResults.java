package io.mobl.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes a benchmark's results as pretty JSON, with the machine it ran on. */
final class JsonResults {
    private JsonResults() {}

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("maxHeapGiB", Runtime.getRuntime().maxMemory() / (double) (1L << 30));
        m.put("java", System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        // the load when the results were written: these machines are shared, and timings move with it
        m.put("loadAverage1m", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return m;
    }

    /** One row as a line of JSON, for the console. */
    static String line(Map<String, Object> row) {
        try {
            return new ObjectMapper().writeValueAsString(row);
        } catch (IOException e) {
            return row.toString();
        }
    }

    static void write(Path file, Map<String, Object> results) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), results);
    }
}
