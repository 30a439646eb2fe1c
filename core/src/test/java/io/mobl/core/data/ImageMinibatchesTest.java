package io.mobl.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.core.model.Batch;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.codec.MinibatchCodec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire layout of image minibatches, on a tiny hand-made image set (no data files needed). */
class ImageMinibatchesTest {
    /** n images of d pixels: pixel j of image i is ((7i + j) mod 256) / 255; label i mod c. */
    private static LabelledImages images(String name, int n, int d, int c) {
        double[][] pixels = new double[n][d];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) pixels[i][j] = ((7 * i + j) % 256) / 255.0;
            labels[i] = i % c;
        }
        return new LabelledImages(name, pixels, labels, c);
    }

    @Test
    void aBatchRoundTripsThroughTheCodecToTheSourceImagesWrappingAround() {
        LabelledImages set = images("tiny", 5, 6, 3);
        Minibatch b = MinibatchCodec.decode(MinibatchCodec.encode(ImageMinibatches.batch(set, "tiny/train", Minibatch.LOWER, 100, 1, 3)));
        assertThat(b.dtype()).isEqualTo(Minibatch.Dtype.FLOAT32);
        assertThat(b.batchId()).isEqualTo("tiny/train/1");
        // batch 1 of 3 rows over 5 images: images 3, 4, 0
        assertThat(b.sampleIds()).containsExactly(103, 104, 100);
        Batch batch = ImageMinibatches.toBatch(b);
        assertThat(batch.labels()).containsExactly(0, 1, 0);
        int[] source = {3, 4, 0};
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 6; j++) {
                assertThat(batch.features().getDouble(i, j)).isEqualTo((double) (float) set.pixels()[source[i]][j]);
            }
        }
        assertThat(batch.oneHot().getDouble(1, 1)).isEqualTo(1.0);
        assertThat(batch.oneHot().sumNumber().doubleValue()).isEqualTo(3.0);
    }

    @Test
    void theStreamInterleavesLowerRoundsWithOneBatchPerObjectiveAndOffsetsTheLowerIds() {
        List<HyperCleaningSplit> splits = List.of(
                new HyperCleaningSplit(images("a", 4, 2, 2), new boolean[4], images("av", 2, 2, 2), images("as", 0, 2, 2), images("at", 0, 2, 2)),
                new HyperCleaningSplit(images("b", 6, 2, 2), new boolean[6], images("bv", 2, 2, 2), images("bs", 0, 2, 2), images("bt", 0, 2, 2)));
        List<Minibatch> first = new ArrayList<>();
        var it = ImageMinibatches.stream(List.of("a", "b"), splits, 2, 3).iterator();
        for (int k = 0; k < 10; k++) first.add(it.next());
        assertThat(first.stream().map(Minibatch::objective).toList()).containsExactly(-1, -1, -1, 0, 1, -1, -1, -1, 0, 1);
        assertThat(first.stream().map(Minibatch::batchId).toList()).containsExactly(
                "a/train/0", "b/train/0", "a/train/1", "a/val1/0", "b/val1/0", "b/train/1", "a/train/2", "b/train/2", "a/val1/1", "b/val1/1");
        // task b's weights follow task a's 4 in x
        assertThat(first.get(1).sampleIds()).containsExactly(4, 5);
        assertThat(first.get(6).sampleIds()).containsExactly(0, 1); // a wrapped around
        assertThat(first.get(4).sampleIds()).containsExactly(0, 1);
    }

    @Test
    void labelsThatAreNotOneHotAreRefusedNamingTheRow() {
        Minibatch bad = new Minibatch("x", 0, Minibatch.Dtype.FLOAT32, 2, 1, 3, new double[] {0, 1},
                new double[] {0, 1, 0, 0.5, 0.5, 0}, new long[] {0, 1});
        assertThatThrownBy(() -> ImageMinibatches.toBatch(bad)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("x.labels[1]");
    }
}
