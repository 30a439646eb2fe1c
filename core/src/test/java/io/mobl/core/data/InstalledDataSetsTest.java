package io.mobl.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mobl.protocol.InvalidInputException;
import org.junit.jupiter.api.Test;

/** The real packages, where scripts/fetch-datasets.sh has installed them (skipped otherwise). */
class InstalledDataSetsTest {
    @Test
    void theNpmMnistDigitsAreTheTenThousandImagesDataMdDescribes() {
        assumeTrue(DataSets.installed("mnist"), "mnist not installed: run " + DataSets.INSTALL_COMMAND);
        LabelledImages mnist = DataSets.load("mnist");
        assertThat(mnist.size()).isEqualTo(10000);
        assertThat(mnist.dimension()).isEqualTo(784);
        assertThat(mnist.classCounts()).containsExactly(1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978);
        HyperCleaningSplit split = HyperCleaningSplit.of(mnist, HyperCleaningSplit.Sizes.forum().fitTo(mnist.size()), 0);
        assertThat(split.test().size()).isEqualTo(3000);
    }

    @Test
    void theDebianFashionMnistPackageHoldsSeventyThousandBalancedImages() {
        assumeTrue(DataSets.installed("fashion-mnist"), "fashion-mnist not installed: run " + DataSets.INSTALL_COMMAND);
        LabelledImages fashion = DataSets.load("fashion-mnist");
        assertThat(fashion.size()).isEqualTo(70000);
        assertThat(fashion.dimension()).isEqualTo(784);
        assertThat(fashion.classCounts()).containsOnly(7000);
        double max = 0;
        for (double v : fashion.pixels()[0]) max = Math.max(max, v);
        assertThat(max).isLessThanOrEqualTo(1.0).isGreaterThan(0.5);
    }

    @Test
    void missingMnistNamesTheScriptThatInstallsIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path empty) {
        String before = System.getProperty("mobl.data");
        System.setProperty("mobl.data", empty.toString());
        try {
            assertThat(DataSets.installed("mnist")).isFalse();
            assertThatThrownBy(() -> DataSets.load("mnist"))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining(empty.toString())
                    .hasMessageContaining("scripts/fetch-datasets.sh");
        } finally {
            if (before == null) System.clearProperty("mobl.data"); else System.setProperty("mobl.data", before);
        }
    }

    @Test
    void anUnknownDataSetNamesTheKnownOnes() {
        assertThatThrownBy(() -> DataSets.load("cifar"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("dataset = cifar")
                .hasMessageContaining("fashion-mnist");
    }
}
