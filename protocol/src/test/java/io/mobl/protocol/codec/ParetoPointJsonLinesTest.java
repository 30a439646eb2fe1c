package io.mobl.protocol.codec;

import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.ParetoPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ParetoPointJsonLinesTest {

    static List<ParetoPoint> points(int n) {
        List<ParetoPoint> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            double a = i / (n + 1.0);
            out.add(new ParetoPoint("run-α", new double[] {a, 1 - a}, new double[] {i, -i, 0.5},
                    new double[] {a * a, (1 - a) * (1 - a)}, 1e-3 / i, 100 * i, new OracleCalls(i, 2L * i, 3L * i, 4L * i)));
        }
        return out;
    }

    @Test
    void writeThenReadAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pareto.jsonl");
        List<ParetoPoint> pts = points(9);
        ParetoPointJsonLines.write(file, pts.subList(0, 5));
        for (ParetoPoint p : pts.subList(5, 9)) ParetoPointJsonLines.append(file, p);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(9).allSatisfy(l -> assertThat(l).startsWith("{\"run\":\"run-α\"").endsWith("}"));
        assertThat(ParetoPointJsonLines.read(file)).containsExactlyElementsOf(pts);
    }

    @Test
    void blankLinesAreSkippedAndBadLinesAreLocated() throws Exception {
        StringWriter w = new StringWriter();
        ParetoPointJsonLines.write(w, points(2));
        String text = "\n" + w + "  \n";
        assertThat(ParetoPointJsonLines.read(new StringReader(text))).hasSize(2);

        String bad = ParetoPointJsonLines.line(points(1).get(0)) + "{\"run\":\"r\"}\n";
        RecordDecodeException e = catchThrowableOfType(RecordDecodeException.class,
                () -> ParetoPointJsonLines.read(new StringReader(bad)));
        assertThat(e.location()).isEqualTo("line 2");
        assertThat(e.field()).isEqualTo("preference");
        assertThat(e.getMessage()).isEqualTo("line 2: preference: missing (required)");
    }
}
