package io.mobl.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.protocol.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistJsonTest {
    @TempDir Path dir;

    /** Digit d's file holds d + 1 images; image k of digit d has every pixel (d + k/10)/10. */
    void writeDigits() throws IOException {
        for (int d = 0; d < 10; d++) {
            StringBuilder json = new StringBuilder("{ \"data\": [");
            for (int k = 0; k <= d; k++) {
                for (int p = 0; p < MnistJson.PIXELS; p++) {
                    if (k + p > 0) json.append(',');
                    json.append((d + k / 10.0) / 10.0);
                }
            }
            json.append("] }");
            Files.writeString(dir.resolve(d + ".json"), json);
        }
    }

    @Test
    void readsTheTenDigitFilesWithTheDigitAsLabel() throws IOException {
        writeDigits();
        LabelledImages set = MnistJson.read(dir);
        assertThat(set.size()).isEqualTo(55);
        assertThat(set.dimension()).isEqualTo(784);
        assertThat(set.classes()).isEqualTo(10);
        for (int d = 0; d < 10; d++) assertThat(set.classCounts()[d]).isEqualTo(d + 1);
        int i = 0;
        for (int d = 0; d < 10; d++) {
            for (int k = 0; k <= d; k++, i++) {
                assertThat(set.labels()[i]).isEqualTo(d);
                assertThat(set.pixels()[i][0]).isEqualTo((d + k / 10.0) / 10.0);
                assertThat(set.pixels()[i][783]).isEqualTo((d + k / 10.0) / 10.0);
            }
        }
    }

    @Test
    void aPartialImageIsRejected() throws IOException {
        Path file = dir.resolve("3.json");
        Files.writeString(file, "{\"data\":[0,0.5,1]}");
        assertThatThrownBy(() -> MnistJson.readDigit(file))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("data.length = 3")
                .hasMessageContaining("multiple of 784");
    }

    @Test
    void aPixelOutsideTheUnitIntervalIsRejected() throws IOException {
        Path file = dir.resolve("3.json");
        Files.writeString(file, "{\"data\":[0,255]}");
        assertThatThrownBy(() -> MnistJson.readDigit(file)).hasMessageContaining("data[1] = 255.0");
    }

    @Test
    void aMissingDigitFileIsAnIoError() {
        assertThatThrownBy(() -> MnistJson.read(dir)).hasMessageContaining("0.json");
    }
}
