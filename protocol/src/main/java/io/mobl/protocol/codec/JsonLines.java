package io.mobl.protocol.codec;

import io.mobl.protocol.InvalidInputException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * JSON Lines files of any protocol record, with the {@link JsonCodec} forms: one JSON object per line, UTF-8,
 * '\n' after every line. A run leaves its Pareto points ({@code --out}, see {@link ParetoPointJsonLines}) and
 * its telemetry ({@code --telemetry-out}) in such files; {@code mobl report} reads them. Blank lines are
 * skipped; a bad line fails the read with a {@link RecordDecodeException} located at {@code "FILE:line N"}
 * (or {@code "line N"} for a bare reader), and a file that is not there is an {@link InvalidInputException}.
 */
public final class JsonLines {
    private JsonLines() {}

    /** Every record of {@code file}, in file order. */
    public static <T> List<T> read(Path file, Function<String, T> decode) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r, decode, file + ":");
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("file", file, "an existing JSON-lines file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public static <T> List<T> read(Reader in, Function<String, T> decode) throws IOException {
        return read(in, decode, "");
    }

    /** Writes the records to {@code file}, replacing it. */
    public static <T> void write(Path file, Iterable<? extends T> records, Function<T, String> encode) {
        write(file, records, encode, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
    }

    /** Appends one record to {@code file}, creating it if needed. */
    public static <T> void append(Path file, T record, Function<T, String> encode) {
        write(file, List.of(record), encode, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE);
    }

    public static <T> void write(Writer out, Iterable<? extends T> records, Function<T, String> encode)
            throws IOException {
        for (T record : records) {
            out.write(encode.apply(record));
            out.write('\n');
        }
        out.flush();
    }

    private static <T> void write(Path file, Iterable<? extends T> records, Function<T, String> encode,
                                  OpenOption... options) {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, options)) {
            write(w, records, encode);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static <T> List<T> read(Reader in, Function<String, T> decode, String where) throws IOException {
        BufferedReader r = in instanceof BufferedReader b ? b : new BufferedReader(in);
        List<T> out = new ArrayList<>();
        int n = 0;
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            n++;
            if (line.isBlank()) continue;
            try {
                out.add(decode.apply(line));
            } catch (RecordDecodeException e) {
                throw e.at(where + "line " + n);
            }
        }
        return out;
    }
}
