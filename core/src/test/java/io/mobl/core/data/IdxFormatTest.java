package io.mobl.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.protocol.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFormatTest {
    @TempDir Path dir;

    /** A 3-image 2×3 IDX image file; pixel (i, j) = 40·i + j + 200·[i = 2 and j = 5] (so 255 appears). */
    static byte[] images() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(IdxFormat.IMAGES_MAGIC);
        out.writeInt(3);
        out.writeInt(2);
        out.writeInt(3);
        for (int i = 0; i < 3; i++) for (int j = 0; j < 6; j++) out.writeByte(pixel(i, j));
        return bytes.toByteArray();
    }

    static int pixel(int i, int j) {
        return 40 * i + j + (i == 2 && j == 5 ? 170 : 0);
    }

    static byte[] labels(int... values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(IdxFormat.LABELS_MAGIC);
        out.writeInt(values.length);
        for (int v : values) out.writeByte(v);
        return bytes.toByteArray();
    }

    Path write(String name, byte[] content, boolean gzip) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(content);
        }
        return file;
    }

    @Test
    void readsPlainAndGzippedFilesAlikeWithBigEndianHeadersAndPixelsScaledToOne() throws IOException {
        for (boolean gzip : new boolean[] {false, true}) {
            double[][] read = IdxFormat.readImages(write("images" + gzip, images(), gzip));
            assertThat(read).hasNumberOfRows(3);
            for (int i = 0; i < 3; i++) {
                assertThat(read[i]).hasSize(6);
                for (int j = 0; j < 6; j++) assertThat(read[i][j]).isEqualTo(pixel(i, j) / 255.0);
            }
            assertThat(read[2][5]).isEqualTo(1.0); // unsigned: byte 0xff is 255, not −1
            assertThat(IdxFormat.readLabels(write("labels" + gzip, labels(7, 0, 255), gzip))).containsExactly(7, 0, 255);
        }
    }

    @Test
    void imagesAndLabelsTogetherKnowTheirClasses() throws IOException {
        LabelledImages set = IdxFormat.read("tiny", write("i", images(), true), write("l", labels(1, 4, 2), false), 3);
        assertThat(set.size()).isEqualTo(3);
        assertThat(set.dimension()).isEqualTo(6);
        assertThat(set.classes()).isEqualTo(5);
        assertThat(set.features().getDouble(1, 2)).isEqualTo(pixel(1, 2) / 255.0);
    }

    @Test
    void aLabelFileInPlaceOfImagesIsRejectedByItsMagicNumber() throws IOException {
        Path wrong = write("labels-as-images", labels(1, 2), false);
        assertThatThrownBy(() -> IdxFormat.readImages(wrong))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("magic = 2049")
                .hasMessageContaining("2051");
        Path images = write("images-as-labels", images(), true);
        assertThatThrownBy(() -> IdxFormat.readLabels(images)).hasMessageContaining("2049");
    }

    @Test
    void aTruncatedFileSaysWhereItEnds() throws IOException {
        byte[] full = images();
        byte[] cut = java.util.Arrays.copyOf(full, full.length - 4);
        Path file = write("cut", cut, true);
        assertThatThrownBy(() -> IdxFormat.readImages(file))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("image 2 of 3");
    }

    @Test
    void countsThatDisagreeAreRejected() throws IOException {
        Path images = write("i", images(), false);
        Path labels = write("l", labels(1, 2), false);
        assertThatThrownBy(() -> IdxFormat.read("tiny", images, labels, 10))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("count = 2");
    }
}
