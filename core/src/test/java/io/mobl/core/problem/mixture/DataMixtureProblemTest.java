package io.mobl.core.problem.mixture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mobl.core.data.LabelledImages;
import io.mobl.core.experiment.DataMixtureRun;
import io.mobl.core.experiment.DataMixtureSettings;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.model.Batch;
import io.mobl.protocol.InvalidInputException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class DataMixtureProblemTest {
    static final double H = 1e-5;
    static final int CLASSES = 6;
    static final int SIDE = 4;

    /** Seeded, overlapping Gaussian clusters in [0, 1]^16, one per class (4×4 "images"). */
    static LabelledImages clusters(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int d = SIDE * SIDE;
        double[][] centres = new double[CLASSES][d];
        for (double[] c : centres) for (int i = 0; i < d; i++) c[i] = random.nextDouble();
        double[][] pixels = new double[n][d];
        int[] labels = new int[n];
        for (int j = 0; j < n; j++) {
            labels[j] = j % CLASSES;
            for (int i = 0; i < d; i++) {
                pixels[j][i] = Math.min(1, Math.max(0, centres[labels[j]][i] + 0.45 * random.nextGaussian()));
            }
        }
        return new LabelledImages("clusters", pixels, labels, CLASSES);
    }

    /** Two sources of 150 images, 90% from their own half of the classes; criteria skewed the same way. */
    static final MixtureSplit.Sizes SIZES = new MixtureSplit.Sizes(2, 150, 90, 60, 0.9);

    static DataMixtureSettings settings() {
        return new DataMixtureSettings(SIZES, 1, 1e-3, 5, 0.5, 20, 0.1, 5, 8, 80, 0.5, 1, 0);
    }

    static DataMixtureProblem problem(String method) {
        return DataMixtureRun.problem(settings(), MixtureSplit.of(clusters(900, 1), SIZES, 7), method);
    }

    static INDArray gaussian(long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
        return Vectors.of(v);
    }

    @Test
    void theOraclesAreTheDerivativesOfTheMixtureLossThroughTheSoftmax() {
        DataMixtureProblem p = problem("wc-penalty");
        assertThat(p.regularisation()).isZero();
        INDArray x = gaussian(p.upperDimension(), 1);
        INDArray y = gaussian(p.lowerDimension(), 2).muli(0.3);
        INDArray v = gaussian(p.lowerDimension(), 3);
        INDArray u = gaussian(p.upperDimension(), 4);

        double dy = (p.lowerValue(x, y.add(v.mul(H))) - p.lowerValue(x, y.sub(v.mul(H)))) / (2 * H);
        assertThat(Vectors.dot(p.lowerGradient(x, y), v)).isCloseTo(dy, within(1e-6 * Math.abs(dy) + 1e-9));

        double dx = (p.lowerValue(x.add(u.mul(H)), y) - p.lowerValue(x.sub(u.mul(H)), y)) / (2 * H);
        assertThat(Vectors.dot(p.lowerGradientX(x, y), u)).isCloseTo(dx, within(1e-6 * Math.abs(dx) + 1e-9));

        INDArray hvFd = p.lowerGradient(x, y.add(v.mul(H))).sub(p.lowerGradient(x, y.sub(v.mul(H)))).divi(2 * H);
        assertThat(Vectors.norm(p.hessianVector(x, y, v).sub(hvFd)) / Vectors.norm(hvFd)).isLessThan(1e-6);

        // ⟨u, ∇²_xy g·v⟩ = d/dh ⟨∇_y g(x + h·u, y), v⟩
        double mixed = (Vectors.dot(p.lowerGradient(x.add(u.mul(H)), y), v)
                - Vectors.dot(p.lowerGradient(x.sub(u.mul(H)), y), v)) / (2 * H);
        assertThat(Vectors.dot(u, p.jacobianVector(x, y, v))).isCloseTo(mixed, within(1e-6 * Math.abs(mixed) + 1e-9));

        for (int s = 0; s < p.objectiveCount(); s++) {
            var f = p.upper(s, x, y);
            assertThat(Vectors.norm(f.gradientX())).isZero();
            double fd = (p.upper(s, x, y.add(v.mul(H))).value() - p.upper(s, x, y.sub(v.mul(H))).value()) / (2 * H);
            assertThat(Vectors.dot(f.gradientY(), v)).isCloseTo(fd, within(1e-6 * Math.abs(fd) + 1e-9));
        }
    }

    @Test
    void theLowerLevelIsConvexButNotStronglyConvexWithoutTheL2Term() {
        DataMixtureProblem p = problem("wc-penalty");
        INDArray x = gaussian(p.upperDimension(), 5);
        INDArray y = gaussian(p.lowerDimension(), 6).muli(0.3);
        int inputs = p.network().inputs();
        // the same vector added to every class's weights and bias leaves every softmax unchanged
        double[] shift = new double[p.lowerDimension()];
        double[] a = gaussian(inputs + 1, 7).toDoubleVector();
        for (int i = 0; i <= inputs; i++) for (int c = 0; c < CLASSES; c++) shift[i * CLASSES + c] = a[i];
        INDArray v = Vectors.of(shift);
        assertThat(Vectors.norm(p.hessianVector(x, y, v))).isLessThan(1e-10 * Vectors.norm(v));
        INDArray w = gaussian(p.lowerDimension(), 8);
        assertThat(Vectors.dot(w, p.hessianVector(x, y, w))).isPositive();
        DataMixtureProblem regularised = problem("cg");
        assertThat(Vectors.norm(regularised.hessianVector(x, y, v)))
                .isCloseTo(regularised.regularisation() * Vectors.norm(v), within(1e-9));
    }

    @Test
    void theSlicesAreSkewedTowardTheirOwnClassGroupAndDisjoint() {
        LabelledImages all = clusters(900, 2);
        MixtureSplit split = MixtureSplit.of(all, SIZES, 3);
        Set<double[]> seen = new HashSet<>();
        for (int k = 0; k < 2; k++) {
            for (LabelledImages slice : List.of(split.sources().get(k), split.validations().get(k), split.tests().get(k))) {
                int own = 0;
                for (int label : slice.labels()) if (MixtureSplit.group(label, CLASSES, 2) == k) own++;
                // 90% from the own group, plus some of the 10% drawn from all classes
                int fromGroup = (int) Math.round(0.9 * slice.size());
                assertThat(own).isBetween(fromGroup + 1, slice.size() - 1);
                for (double[] row : slice.pixels()) assertThat(seen.add(row)).isTrue();
            }
        }
        assertThatThrownBy(() -> MixtureSplit.of(all, new MixtureSplit.Sizes(2, 400, 90, 60, 0.9), 3))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("runs out of images");
    }

    @Test
    void poolingAveragesSquareBlocks() {
        double[] image = new double[16];
        for (int i = 0; i < 16; i++) image[i] = i;
        LabelledImages pooled = MixtureSplit.pooled(new LabelledImages("p", new double[][] {image}, new int[] {0}, 1), 2);
        assertThat(pooled.pixels()[0]).containsExactly(2.5, 4.5, 10.5, 12.5);
        assertThatThrownBy(() -> MixtureSplit.pooled(new LabelledImages("p", new double[][] {image}, new int[] {0}, 1), 3))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("pool");
    }

    @Test
    void wcPenaltyAndWcMhgdMoveTheMixtureTowardTheSourceThatMatchesThePreferredCriterion() {
        LabelledImages all = clusters(900, 1);
        for (String method : List.of("wc-penalty", "cg")) {
            double[] towardFirst = DataMixtureRun.run(settings(), all, method, new double[] {0.9, 0.1}, 7).mixture();
            double[] towardSecond = DataMixtureRun.run(settings(), all, method, new double[] {0.1, 0.9}, 7).mixture();
            assertThat(towardFirst[0]).as(method + " r = (0.9, 0.1)").isGreaterThan(0.6);
            assertThat(towardSecond[1]).as(method + " r = (0.1, 0.9)").isGreaterThan(0.6);
        }
    }
}
