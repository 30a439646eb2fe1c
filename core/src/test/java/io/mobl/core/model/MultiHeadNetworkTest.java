package io.mobl.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.core.linalg.Vectors;
import io.mobl.protocol.InvalidInputException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The network's oracles against central finite differences, on small random networks and batches. */
class MultiHeadNetworkTest {
    static final double H = 1e-5;

    static INDArray gaussian(int n, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = scale * r.nextGaussian();
        return Vectors.of(v);
    }

    static Batch batch(int n, int d, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] x = new double[n][d];
        int[] y = new int[n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < d; i++) x[j][i] = r.nextDouble();
            y[j] = r.nextInt(classes);
        }
        Vectors.useFloat64();
        return Batch.of(Nd4j.create(x), y, classes);
    }

    static double relativeError(INDArray actual, INDArray expected) {
        return Vectors.norm(actual.sub(expected)) / Math.max(1e-12, Vectors.norm(expected));
    }

    static final MultiHeadNetwork MLP = new MultiHeadNetwork(6, new int[] {5, 4}, 3, 2);
    static final MultiHeadNetwork LOGISTIC = MultiHeadNetwork.logistic(6, 3, 2);

    INDArray theta(MultiHeadNetwork net) {
        return net.initialParameters(3).addi(gaussian(net.parameterCount(), 4, 0.3));
    }

    @Test
    void theLayoutCountsEveryWeightAndBiasOnce() {
        assertThat(new MultiHeadNetwork(784, new int[] {512, 256}, 10, 2).parameterCount())
                .isEqualTo(784 * 512 + 512 + 512 * 256 + 256 + 2 * (256 * 10 + 10));
        assertThat(MultiHeadNetwork.logistic(784, 10, 2).parameterCount()).isEqualTo(2 * 7850);
    }

    @Test
    void gradientsMatchCentralDifferencesOfTheWeightedLoss() {
        for (MultiHeadNetwork net : new MultiHeadNetwork[] {MLP, LOGISTIC}) {
            Batch b = batch(9, 6, 3, 11);
            INDArray w = gaussian(9, 12, 1).mul(0.3).addi(0.5);
            INDArray theta = theta(net);
            for (int head = 0; head < 2; head++) {
                MultiHeadNetwork.Evaluation e = net.gradient(theta, head, b, w);
                assertThat(e.value()).isCloseTo(net.weightedLoss(theta, head, b, w), org.assertj.core.data.Offset.offset(1e-12));
                // ⟨∇, u⟩ along random directions u (a coordinate sweep is too slow on ND4J's per-call overhead)
                double[] fd = new double[8];
                double[] exact = new double[8];
                for (int k = 0; k < fd.length; k++) {
                    INDArray u = gaussian(net.parameterCount(), 100 + k, 1);
                    exact[k] = Vectors.dot(e.gradient(), u);
                    fd[k] = (net.weightedLoss(theta.add(u.mul(H)), head, b, w)
                            - net.weightedLoss(theta.sub(u.mul(H)), head, b, w)) / (2 * H);
                }
                assertThat(relativeError(Vectors.of(exact), Vectors.of(fd))).as(net.describe() + " head " + head).isLessThan(1e-7);
            }
        }
    }

    @Test
    void hessianVectorProductsMatchCentralDifferencesOfTheGradient() {
        for (MultiHeadNetwork net : new MultiHeadNetwork[] {MLP, LOGISTIC}) {
            Batch b = batch(8, 6, 3, 21);
            INDArray w = gaussian(8, 22, 0.2).addi(0.6);
            INDArray theta = theta(net);
            INDArray v = gaussian(net.parameterCount(), 23, 1);
            for (int head = 0; head < 2; head++) {
                INDArray hv = net.hessianVector(theta, head, b, w, v);
                INDArray fd = net.gradient(theta.add(v.mul(H)), head, b, w).gradient()
                        .sub(net.gradient(theta.sub(v.mul(H)), head, b, w).gradient()).divi(2 * H);
                assertThat(relativeError(hv, fd)).as(net.describe() + " head " + head).isLessThan(1e-6);
            }
        }
    }

    @Test
    void theHessianIsSymmetric() {
        Batch b = batch(10, 6, 3, 31);
        INDArray w = gaussian(10, 32, 0.2).addi(0.6);
        INDArray theta = theta(MLP);
        INDArray u = gaussian(MLP.parameterCount(), 33, 1);
        INDArray v = gaussian(MLP.parameterCount(), 34, 1);
        double uHv = Vectors.dot(u, MLP.hessianVector(theta, 1, b, w, v));
        double vHu = Vectors.dot(v, MLP.hessianVector(theta, 1, b, w, u));
        assertThat(Math.abs(uHv - vHu)).isLessThan(1e-10 * Math.abs(uHv) + 1e-12);
    }

    @Test
    void perSampleDirectionalDerivativesMatchCentralDifferencesOfEachLoss() {
        for (MultiHeadNetwork net : new MultiHeadNetwork[] {MLP, LOGISTIC}) {
            Batch b = batch(7, 6, 3, 41);
            INDArray theta = theta(net);
            INDArray v = gaussian(net.parameterCount(), 42, 1);
            INDArray exact = net.directionalDerivatives(theta, 1, b, v);
            INDArray fd = net.sampleLosses(theta.add(v.mul(H)), 1, b).sub(net.sampleLosses(theta.sub(v.mul(H)), 1, b)).divi(2 * H);
            assertThat(exact.length()).isEqualTo(7);
            assertThat(relativeError(exact, fd)).isLessThan(1e-7);
        }
    }

    @Test
    void aHeadSeesOnlyItsOwnParametersAndTheSharedTrunk() {
        Batch b = batch(5, 6, 3, 51);
        INDArray g = MLP.gradient(theta(MLP), 0, b, Vectors.of(1, 1, 1, 1, 1)).gradient();
        int head = 4 * 3 + 3;
        int second = MLP.parameterCount() - head;
        for (int i = second; i < MLP.parameterCount(); i++) assertThat(g.getDouble(i)).isZero();
        assertThat(Vectors.norm(g.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, second)))).isPositive();
    }

    @Test
    void aDirectionOffAHeadsParametersIsIgnoredByItExactly() {
        Batch b = batch(6, 6, 3, 81);
        INDArray theta = theta(LOGISTIC);
        INDArray v = gaussian(LOGISTIC.parameterCount(), 82, 1);
        int head = 6 * 3 + 3;
        v.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, head)).assign(0); // only head 1 is non-zero
        assertThat(LOGISTIC.ignores(v, 0)).isTrue();
        assertThat(LOGISTIC.ignores(v, 1)).isFalse();
        assertThat(Vectors.norm(LOGISTIC.hessianVector(theta, 0, b, Vectors.of(1, 1, 1, 1, 1, 1), v))).isZero();
        assertThat(Vectors.norm(LOGISTIC.directionalDerivatives(theta, 0, b, v))).isZero();
        INDArray trunkOnly = Vectors.zeros(MLP.parameterCount());
        trunkOnly.putScalar(0, 1.0);
        assertThat(MLP.ignores(trunkOnly, 0)).isFalse();
        assertThat(MLP.ignores(trunkOnly, 1)).isFalse();
    }

    @Test
    void crossEntropyOfUniformLogitsIsLogC() {
        INDArray zero = Vectors.zeros(LOGISTIC.parameterCount());
        INDArray losses = LOGISTIC.sampleLosses(zero, 0, batch(4, 6, 3, 61));
        for (int j = 0; j < 4; j++) assertThat(losses.getDouble(j)).isCloseTo(Math.log(3), org.assertj.core.data.Offset.offset(1e-14));
    }

    @Test
    void wrongShapesAreRejectedWithTheExpectedSize() {
        Batch b = batch(4, 5, 3, 71);
        assertThatThrownBy(() -> LOGISTIC.predict(Vectors.zeros(LOGISTIC.parameterCount()), 0, b))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("6 columns");
        assertThatThrownBy(() -> LOGISTIC.predict(Vectors.zeros(3), 0, batch(4, 6, 3, 1)))
                .hasMessageContaining("length " + LOGISTIC.parameterCount());
    }

    @Test
    void descentStepsAreTheGradientStepsOfTheRegularisedWeightedLossInEitherPrecision() {
        // three steps: both heads, only head 1, only head 0 (a head without a batch keeps its weights but shrinks by μ)
        Batch a = batch(7, 6, 3, 21);
        Batch b = batch(5, 6, 3, 22);
        INDArray wa = gaussian(7, 23, 0.2).addi(0.5);
        INDArray wb = gaussian(5, 24, 0.2).addi(0.5);
        List<List<Batch>> batches = List.of(java.util.Arrays.asList(a, b), java.util.Arrays.asList(null, b),
                java.util.Arrays.asList(a, null));
        List<List<INDArray>> weights = List.of(java.util.Arrays.asList(wa, wb), java.util.Arrays.asList(null, wb),
                java.util.Arrays.asList(wa, null));
        double mu = 0.01;
        double eta = 0.3;
        INDArray theta = theta(MLP);
        INDArray expected = theta.dup();
        for (int t = 0; t < 3; t++) {
            INDArray g = expected.mul(mu);
            MLP.addGradients(expected, batches.get(t), weights.get(t), g);
            expected = expected.sub(g.muli(eta));
        }
        INDArray before = theta.dup();
        assertThat(relativeError(MLP.descend(theta, batches, weights, mu, eta), expected)).isLessThan(1e-13);
        assertThat(relativeError(theta, before)).isZero(); // θ is not modified
        MultiHeadNetwork single = MLP.withPrecision(Precision.FLOAT32);
        List<List<Batch>> singleBatches = batches.stream().map(step -> step.stream()
                .map(x -> x == null ? null : x.in(Precision.FLOAT32)).toList()).toList();
        assertThat(relativeError(single.descend(theta, singleBatches, weights, mu, eta), expected)).isLessThan(1e-5);
    }

    @Test
    void aBatchMadeFromRowMajorValuesEqualsTheMatrixBatchInEitherPrecision() {
        Batch reference = batch(4, 6, 3, 31);
        double[] values = reference.features().dup('c').data().asDouble();
        for (Precision precision : Precision.values()) {
            Batch made = Batch.of(values, 6, reference.labels(), 3, precision);
            Batch expected = reference.in(precision);
            assertThat(made.features().dataType()).isEqualTo(expected.features().dataType());
            assertThat(made.features().equalsWithEps(expected.features(), 0)).isTrue();
            assertThat(made.oneHot().equalsWithEps(reference.oneHot(), 0)).isTrue();
            assertThat(made.labels()).containsExactly(reference.labels());
        }
        assertThatThrownBy(() -> Batch.of(values, 6, new int[] {0, 1, 3, 0}, 3, Precision.FLOAT32))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("labels[2]");
        assertThatThrownBy(() -> Batch.of(values, 5, reference.labels(), 3, Precision.FLOAT64))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("4 rows of 5");
    }
}
