package io.mobl.protocol.codec;

import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.ParetoPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JSON-lines files a run leaves behind and {@code mobl report} reads. */
class JsonLinesTest {
    @TempDir
    Path dir;

    private static final String VALID = "{\"run\":\"demo\",\"preference\":[0.3,0.7],\"x\":[1.0],\"objectives\":[1.5,2.5],"
            + "\"stationarity\":1.0E-7,\"iterations\":100,\"oracleCalls\":{\"Gc(f)\":1,\"Gc(g)\":2,\"JV(g)\":3,\"HV(g)\":4}}";

    private static IterateTelemetry telemetry(int k, double[] objectives) {
        return new IterateTelemetry("demo", new double[] {0.3, 0.7}, k, objectives, new double[] {0.25, 0.75},
                1.0 / (k + 1), 0.1 / (k + 1), new OracleCalls(k, 10L * k, k, 20L * k),
                Map.of("lower", 2_000_000L, "hypergradient", 3_000_000L, "weights", 50_000L, "update", 10_000L));
    }

    @Test
    void paretoPointsSurviveAWriteAndReadBitForBit() {
        List<ParetoPoint> points = List.of(
                new ParetoPoint("demo", new double[] {0.3, 0.7}, new double[] {0.5}, new double[] {0.1 + 0.2, Math.PI},
                        1e-7, 100, new OracleCalls(1, 2, 3, 4)),
                new ParetoPoint("demo", new double[] {0.5, 0.5}, new double[] {-0.0}, new double[] {1e-300, 12345.678901234567},
                        0, 1, OracleCalls.NONE));
        Path file = dir.resolve("pareto.jsonl");
        ParetoPointJsonLines.write(file, points);
        assertThat(ParetoPointJsonLines.read(file)).isEqualTo(points);
    }

    @Test
    void telemetrySurvivesAWriteAndReadBitForBit() {
        List<IterateTelemetry> records = List.of(telemetry(0, new double[] {1, 2}), telemetry(1, new double[] {0.9, 1.0 / 3}));
        Path file = dir.resolve("telemetry.jsonl");
        JsonLines.write(file, records, (IterateTelemetry t) -> JsonCodec.encodeToString(t));
        assertThat(JsonLines.read(file, JsonCodec::decodeTelemetry)).isEqualTo(records);
    }

    @Test
    void aBadLineIsLocatedByFileAndLineAndNamesTheField() throws IOException {
        Path file = write(VALID, "", VALID.replace("[0.3,0.7]", "[0.0,1.0]"));
        assertThatThrownBy(() -> ParetoPointJsonLines.read(file))
                .isInstanceOf(RecordDecodeException.class)
                .satisfies(e -> assertThat(((RecordDecodeException) e).location()).isEqualTo(file + ":line 3"))
                .hasMessageContaining("preference");

        Path mistyped = write(VALID.replace("[1.5,2.5]", "[1.5,\"two\"]"));
        assertThatThrownBy(() -> ParetoPointJsonLines.read(mistyped)).isInstanceOf(RecordDecodeException.class)
                .hasMessageContaining(mistyped + ":line 1").hasMessageContaining("objectives[1]");
        Path broken = write(VALID, "{\"run\":");
        assertThatThrownBy(() -> ParetoPointJsonLines.read(broken)).isInstanceOf(RecordDecodeException.class)
                .hasMessageContaining(broken + ":line 2");
        Path trailing = write(VALID + " {}");
        assertThatThrownBy(() -> ParetoPointJsonLines.read(trailing)).isInstanceOf(RecordDecodeException.class)
                .hasMessageContaining(trailing + ":line 1");
    }

    @Test
    void aMissingFileIsAnInputErrorNamingIt() {
        Path absent = dir.resolve("absent.jsonl");
        assertThatThrownBy(() -> ParetoPointJsonLines.read(absent)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(absent.toString()).hasMessageContaining("an existing JSON-lines file");
    }

    private Path write(String... lines) throws IOException {
        Path file = Files.createTempFile(dir, "points", ".jsonl");
        Files.write(file, List.of(lines));
        return file;
    }
}
