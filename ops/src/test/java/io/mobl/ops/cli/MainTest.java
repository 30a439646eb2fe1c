package io.mobl.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.codec.JsonCodec;
import io.mobl.protocol.codec.JsonLines;
import io.mobl.protocol.codec.ParetoPointJsonLines;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest extends CliTest {
    @TempDir Path dir;
    @Test
    void runWritesOneJsonLinePerPreferenceAndReportDrawsThem() throws Exception {
        Path points = dir.resolve("points.jsonl");
        Path telemetry = dir.resolve("telemetry.jsonl");
        int code = mobl("run", "--sweep", "3", "--iterations", "40", "--upper-dim", "3", "--lower-dim", "4",
                "--lower-iterations", "10", "--metrics-port", "0", "--out", points.toString(), "--runtime", "actors",
                "--telemetry-out", telemetry.toString());
        assertThat(code).as(err.toString()).isZero();
        List<ParetoPoint> written = ParetoPointJsonLines.read(points);
        assertThat(written).hasSize(3);
        assertThat(written).allSatisfy(p -> {
            assertThat(p.x()).hasSize(3);
            assertThat(p.iterations()).isEqualTo(40);
            assertThat(p.oracleCalls().lowerGradients()).isEqualTo(41L * 10);
        });
        assertThat(written.get(0).preference()[0]).isEqualTo(0.25);
        assertThat(JsonLines.read(telemetry, JsonCodec::decodeTelemetry)).hasSize(3 * 41);
        assertThat(out.toString()).contains("stationarity").contains("0.250,0.750");

        Path png = dir.resolve("front.png");
        assertThat(mobl("report", "--from", points.toString(), "--telemetry", telemetry.toString(), "--out",
                png.toString())).as(err.toString()).isZero();
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isGreaterThan(0);
        assertThat(Files.size(png)).isGreaterThan(1000);
    }

    @Test
    void userMistakesGiveOneLineAndExitCodeTwo() {
        assertThat(mobl("run", "--preference", "0.5,0.6", "--metrics-port", "0")).isEqualTo(2);
        assertThat(err.toString()).startsWith("mobl: --preference").contains("summing to 1").doesNotContain("Exception");
        assertThat(mobl("run", "--problem-file", dir.resolve("missing.json").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("problem-file").contains("an existing problem file");
        assertThat(mobl("run", "--algorithm", "magic")).isEqualTo(2);
        assertThat(err.toString()).contains("--algorithm = magic: expected one of wc-mhgd");
    }

    @Test
    void aProblemFileWithWrongDimensionsIsRefusedNamingTheField() throws Exception {
        Path file = dir.resolve("p.json");
        Files.writeString(file, """
                {"type":"quadratic","A":[[2,0],[0,1]],"B":[[1,0]],"objectives":[{"c":[1,0],"d":[0,0],"a":1}]}""");
        assertThat(mobl("run", "--problem-file", file.toString(), "--preference", "1")).isEqualTo(2);
        assertThat(err.toString()).contains("B = 1×2: expected 2 rows");
    }
}
