package io.mobl.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.protocol.InvalidInputException;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HyperCleaningSplitTest {
    /** n images whose single pixel is the image's index, so that identities survive the shuffle. */
    static LabelledImages indexed(int n, int classes) {
        double[][] pixels = new double[n][1];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            pixels[i][0] = i;
            labels[i] = i % classes;
        }
        return new LabelledImages("indexed", pixels, labels, classes);
    }

    @Test
    void theFourPartsAreDisjointWithTheRequestedSizesAndTheRequestedShareOfWrongLabels() {
        LabelledImages all = indexed(1000, 10);
        HyperCleaningSplit split = HyperCleaningSplit.of(all, new HyperCleaningSplit.Sizes(400, 100, 100, 300, 0.5), 7);
        assertThat(split.train().size()).isEqualTo(400);
        assertThat(split.validation().size()).isEqualTo(100);
        assertThat(split.selection().size()).isEqualTo(100);
        assertThat(split.test().size()).isEqualTo(300);
        Set<Integer> seen = new HashSet<>();
        for (LabelledImages part : new LabelledImages[] {split.train(), split.validation(), split.selection(), split.test()}) {
            for (double[] row : part.pixels()) assertThat(seen.add((int) row[0])).isTrue();
        }
        int corrupted = 0;
        for (int j = 0; j < 400; j++) {
            int original = (int) split.train().pixels()[j][0] % 10;
            if (split.corrupted()[j]) {
                corrupted++;
                assertThat(split.train().labels()[j]).isNotEqualTo(original).isBetween(0, 9);
            } else {
                assertThat(split.train().labels()[j]).isEqualTo(original);
            }
        }
        assertThat(corrupted).isEqualTo(200);
        for (LabelledImages clean : new LabelledImages[] {split.validation(), split.selection(), split.test()}) {
            for (int j = 0; j < clean.size(); j++) assertThat(clean.labels()[j]).isEqualTo((int) clean.pixels()[j][0] % 10);
        }
    }

    @Test
    void theSameSeedGivesTheSameSplitAndAnotherSeedAnotherOne() {
        LabelledImages all = indexed(500, 4);
        HyperCleaningSplit.Sizes sizes = new HyperCleaningSplit.Sizes(200, 50, 50, 200, 0.3);
        HyperCleaningSplit a = HyperCleaningSplit.of(all, sizes, 3);
        HyperCleaningSplit b = HyperCleaningSplit.of(all, sizes, 3);
        HyperCleaningSplit c = HyperCleaningSplit.of(all, sizes, 4);
        assertThat(a.train().labels()).containsExactly(b.train().labels());
        assertThat(a.corrupted()).containsExactly(b.corrupted());
        assertThat(a.test().pixels()).isDeepEqualTo(b.test().pixels());
        assertThat(a.test().pixels()).isNotEqualTo(c.test().pixels());
    }

    @Test
    void wrongLabelsAreSpreadOverAllOtherClasses() {
        LabelledImages all = indexed(20000, 3);
        HyperCleaningSplit split = HyperCleaningSplit.of(all, new HyperCleaningSplit.Sizes(19000, 500, 0, 500, 1.0), 1);
        int[][] moves = new int[3][3];
        for (int j = 0; j < 19000; j++) moves[(int) split.train().pixels()[j][0] % 3][split.train().labels()[j]]++;
        for (int from = 0; from < 3; from++) {
            assertThat(moves[from][from]).isZero();
            int a = moves[from][(from + 1) % 3];
            int b = moves[from][(from + 2) % 3];
            assertThat(Math.abs(a - b)).isLessThan((a + b) / 10); // about even: 1/(C−1) each
        }
    }

    @Test
    void theForumSizesFitToMnistsTenThousandImagesWithAThreeThousandImageTestSet() {
        assertThat(HyperCleaningSplit.Sizes.forum().fitTo(10000).test()).isEqualTo(3000);
        assertThat(HyperCleaningSplit.Sizes.forum().fitTo(70000).test()).isEqualTo(5000);
    }

    @Test
    void aSplitLargerThanTheSetIsRejected() {
        assertThatThrownBy(() -> HyperCleaningSplit.of(indexed(100, 10), HyperCleaningSplit.Sizes.forum(), 1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("at most 100 images");
        assertThatThrownBy(() -> new HyperCleaningSplit.Sizes(10, 10, 10, 10, 1.5))
                .hasMessageContaining("corruption-rate = 1.5");
    }
}
