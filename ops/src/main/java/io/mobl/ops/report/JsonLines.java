package io.mobl.ops.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads and writes the JSON-lines files a run leaves behind: Pareto points ({@code --out}, one line per
 * preference) and iterate telemetry (one line per iteration). The fields are the protocol records' own,
 * e.g. {@code {"run":"demo","preference":[0.3,0.7],"x":[…],"objectives":[…],"stationarity":1e-7,
 * "iterations":100,"oracleCalls":{"Gc(f)":200,"Gc(g)":1000,"JV(g)":200,"HV(g)":2000}}}.
 *
 * <p>Reading is strict: an unknown or missing field, a wrong type, a non-finite number or a record that its
 * constructor rejects fails with an {@link InvalidInputException} naming {@code file:line} and the field.
 * Blank lines are skipped.
 */
public final class JsonLines {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final ObjectReader PARETO = MAPPER.readerFor(ParetoPoint.class);
    private static final ObjectReader TELEMETRY = MAPPER.readerFor(IterateTelemetry.class);
    private static final ObjectWriter WRITER = MAPPER.writer();

    private JsonLines() {}

    /** Every Pareto point in {@code file}, in file order. */
    public static List<ParetoPoint> readParetoPoints(Path file) {
        return read(file, PARETO);
    }

    /** Every telemetry record in {@code file}, in file order. */
    public static List<IterateTelemetry> readTelemetry(Path file) {
        return read(file, TELEMETRY);
    }

    /** One JSON line (without the newline) for a Pareto point. */
    public static String toLine(ParetoPoint point) {
        return write(point);
    }

    /** One JSON line (without the newline) for a telemetry record. */
    public static String toLine(IterateTelemetry telemetry) {
        return write(telemetry);
    }

    /** Writes the points to {@code file}, one per line, replacing it. */
    public static void writeParetoPoints(Path file, List<ParetoPoint> points) {
        writeLines(file, points.stream().map(JsonLines::toLine).collect(Collectors.toList()));
    }

    /** Writes the telemetry to {@code file}, one record per line, replacing it. */
    public static void writeTelemetry(Path file, List<IterateTelemetry> telemetry) {
        writeLines(file, telemetry.stream().map(JsonLines::toLine).collect(Collectors.toList()));
    }

    private static <T> List<T> read(Path file, ObjectReader reader) {
        List<T> records = new ArrayList<>();
        try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int number = 0;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                number++;
                if (line.isBlank()) continue;
                records.add(parse(reader, line, file + ":" + number));
            }
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("file", file, "an existing JSON-lines file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return records;
    }

    private static <T> T parse(ObjectReader reader, String line, String where) {
        try {
            return reader.readValue(line);
        } catch (JsonMappingException e) {
            InvalidInputException invalid = invalidCause(e);
            if (invalid != null) {
                throw new InvalidInputException(where + " " + invalid.field(), invalid.value(), invalid.expected());
            }
            String field = e.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            throw new InvalidInputException(where + (field.isEmpty() ? "" : " " + field), abbreviate(line),
                    "a " + reader.getValueType().getRawClass().getSimpleName() + " record: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(where, abbreviate(line), "one JSON object per line: " + e.getOriginalMessage());
        }
    }

    private static InvalidInputException invalidCause(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidInputException invalid) return invalid;
        }
        return null;
    }

    private static String abbreviate(String line) {
        return line.length() > 100 ? line.substring(0, 97) + "..." : line;
    }

    private static String write(Object record) {
        try {
            return WRITER.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + record + ": " + e.getMessage(), e);
        }
    }

    private static void writeLines(Path file, List<String> lines) {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (String line : lines) {
                out.write(line);
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
