package io.mobl.ops.report;

import io.mobl.ops.Records;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonLinesTest {
    @TempDir
    Path dir;

    private static final String VALID = "{\"run\":\"demo\",\"preference\":[0.3,0.7],\"x\":[1.0],\"objectives\":[1.5,2.5],"
            + "\"stationarity\":1.0E-7,\"iterations\":100,\"oracleCalls\":{\"Gc(f)\":1,\"Gc(g)\":2,\"JV(g)\":3,\"HV(g)\":4}}";

    @Test
    void paretoPointsSurviveAWriteAndReadExactly() {
        List<ParetoPoint> points = List.of(
                Records.point("demo", new double[] {0.3, 0.7}, new double[] {0.1 + 0.2, Math.PI}),
                Records.point("demo", new double[] {0.5, 0.5}, new double[] {1e-300, 12345.678901234567}));
        Path file = dir.resolve("pareto.jsonl");
        JsonLines.writeParetoPoints(file, points);
        assertThat(JsonLines.readParetoPoints(file)).isEqualTo(points);
    }

    @Test
    void telemetrySurvivesAWriteAndReadExactly() {
        List<IterateTelemetry> telemetry = List.of(
                Records.telemetry("demo", new double[] {0.3, 0.7}, 0, new double[] {1, 2}),
                Records.telemetry("demo", new double[] {0.3, 0.7}, 1, new double[] {0.9, 1.8}));
        Path file = dir.resolve("telemetry.jsonl");
        JsonLines.writeTelemetry(file, telemetry);
        assertThat(JsonLines.readTelemetry(file)).isEqualTo(telemetry);
    }

    @Test
    void theOracleCallsUseThePapersNames() {
        assertThat(JsonLines.toLine(Records.point("demo", new double[] {0.5, 0.5}, new double[] {1, 2})))
                .contains("\"oracleCalls\":{\"Gc(f)\":200,\"Gc(g)\":1000,\"JV(g)\":200,\"HV(g)\":2000}")
                .doesNotContain("key");
    }

    @Test
    void blankLinesAreSkipped() throws IOException {
        Path file = write(VALID, "", "   ", VALID);
        assertThat(JsonLines.readParetoPoints(file)).hasSize(2);
    }

    @Test
    void aRecordTheProtocolRejectsNamesFileLineAndField() throws IOException {
        Path file = write(VALID, VALID.replace("[0.3,0.7]", "[0.0,1.0]"));
        assertThatThrownBy(() -> JsonLines.readParetoPoints(file))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo(file + ":2 preference[0]"))
                .hasMessageContaining("strictly positive");
    }

    @Test
    void unknownMissingAndMistypedFieldsAreRejected() throws IOException {
        Path unknown = write(VALID.replace("\"run\"", "\"colour\":1,\"run\""));
        assertThatThrownBy(() -> JsonLines.readParetoPoints(unknown)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(unknown + ":1 colour");
        Path missing = write(VALID.replace("\"iterations\":100,", ""));
        assertThatThrownBy(() -> JsonLines.readParetoPoints(missing)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(missing + ":1").hasMessageContaining("iterations");
        Path mistyped = write(VALID.replace("[1.5,2.5]", "[1.5,\"two\"]"));
        assertThatThrownBy(() -> JsonLines.readParetoPoints(mistyped)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(mistyped + ":1 objectives[1]");
        Path nan = write(VALID.replace("[1.5,2.5]", "[1.5,NaN]"));
        assertThatThrownBy(() -> JsonLines.readParetoPoints(nan)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(nan + ":1");
    }

    @Test
    void malformedJsonAndMissingFilesAreNamed() throws IOException {
        Path broken = write(VALID, "{\"run\":");
        assertThatThrownBy(() -> JsonLines.readParetoPoints(broken)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(broken + ":2");
        Path trailing = write(VALID + " {}");
        assertThatThrownBy(() -> JsonLines.readParetoPoints(trailing)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(trailing + ":1");
        assertThatThrownBy(() -> JsonLines.readParetoPoints(dir.resolve("absent.jsonl")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("an existing JSON-lines file");
    }

    private Path write(String... lines) throws IOException {
        Path file = Files.createTempFile(dir, "points", ".jsonl");
        Files.write(file, List.of(lines));
        return file;
    }
}
