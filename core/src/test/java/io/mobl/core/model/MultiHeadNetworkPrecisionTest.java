package io.mobl.core.model;

import static io.mobl.core.model.MultiHeadNetworkTest.batch;
import static io.mobl.core.model.MultiHeadNetworkTest.gaussian;
import static io.mobl.core.model.MultiHeadNetworkTest.relativeError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.core.linalg.Vectors;
import io.mobl.protocol.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The float32 network against the float64 one and against finite differences at a float32 step; the in-place,
 * all-heads variants against the one-head oracles; and the workspace pool under changing batch sizes and threads.
 */
class MultiHeadNetworkPrecisionTest {
    static final MultiHeadNetwork MLP = MultiHeadNetworkTest.MLP;
    static final MultiHeadNetwork MLP32 = MLP.withPrecision(Precision.FLOAT32);
    static final MultiHeadNetwork LOGISTIC32 = MultiHeadNetworkTest.LOGISTIC.withPrecision(Precision.FLOAT32);

    static INDArray theta(MultiHeadNetwork net) {
        return net.initialParameters(3).addi(gaussian(net.parameterCount(), 4, 0.3));
    }

    @Test
    void float32OraclesMatchFloat64WithinFloat32Rounding() {
        for (MultiHeadNetwork net : new MultiHeadNetwork[] {MLP, MultiHeadNetworkTest.LOGISTIC}) {
            MultiHeadNetwork single = net.withPrecision(Precision.FLOAT32);
            assertThat(single.precision()).isEqualTo(Precision.FLOAT32);
            Batch b = batch(9, 6, 3, 11);
            INDArray w = gaussian(9, 12, 0.3).addi(0.5);
            INDArray theta = theta(net);
            INDArray v = gaussian(net.parameterCount(), 13, 1);
            for (int head = 0; head < 2; head++) {
                MultiHeadNetwork.Evaluation e64 = net.gradient(theta, head, b, w);
                MultiHeadNetwork.Evaluation e32 = single.gradient(theta, head, b, w);
                assertThat(e32.gradient().dataType()).isEqualTo(DataType.DOUBLE);
                assertThat(relativeError(e32.gradient(), e64.gradient())).as(net.describe()).isLessThan(1e-5).isPositive();
                assertThat(Math.abs(e32.value() - e64.value()) / e64.value()).isLessThan(1e-6);
                assertThat(relativeError(single.hessianVector(theta, head, b, w, v), net.hessianVector(theta, head, b, w, v)))
                        .isLessThan(1e-5);
                assertThat(relativeError(single.directionalDerivatives(theta, head, b, v), net.directionalDerivatives(theta, head, b, v)))
                        .isLessThan(1e-5);
                assertThat(single.predict(theta, head, b)).containsExactly(net.predict(theta, head, b));
            }
        }
    }

    @Test
    void float32GradientsMatchCentralDifferencesAtAFloat32Step() {
        // float32 rounds the loss at ~1e-7 relative, so a step of 1e-5 would leave only noise: h = 1e-2 balances
        // rounding (~1e-7·|ℓ|/h) against truncation (~h²)
        double h = 1e-2;
        for (MultiHeadNetwork net : new MultiHeadNetwork[] {MLP32, LOGISTIC32}) {
            Batch b = batch(9, 6, 3, 11).in(Precision.FLOAT32);
            INDArray w = gaussian(9, 12, 0.3).addi(0.5);
            INDArray theta = theta(net);
            INDArray g = net.gradient(theta, 1, b, w).gradient();
            double[] fd = new double[6];
            double[] exact = new double[6];
            for (int k = 0; k < fd.length; k++) {
                INDArray u = gaussian(net.parameterCount(), 100 + k, 1);
                exact[k] = Vectors.dot(g, u);
                fd[k] = (net.weightedLoss(theta.add(u.mul(h)), 1, b, w) - net.weightedLoss(theta.sub(u.mul(h)), 1, b, w)) / (2 * h);
            }
            assertThat(relativeError(Vectors.of(exact), Vectors.of(fd))).as(net.describe()).isLessThan(2e-3);
            INDArray v = gaussian(net.parameterCount(), 7, 1);
            INDArray hv = net.hessianVector(theta, 1, b, w, v);
            INDArray hvFd = net.gradient(theta.add(v.mul(h)), 1, b, w).gradient()
                    .sub(net.gradient(theta.sub(v.mul(h)), 1, b, w).gradient()).divi(2 * h);
            assertThat(relativeError(hv, hvFd)).as(net.describe() + " Hv").isLessThan(1e-2);
        }
    }

    @Test
    void allHeadsInPlaceAddTheOneHeadOraclesToWhatOutHeld() {
        for (MultiHeadNetwork net : new MultiHeadNetwork[] {MLP, MLP32, MultiHeadNetworkTest.LOGISTIC, LOGISTIC32}) {
            List<Batch> batches = List.of(batch(7, 6, 3, 1), batch(9, 6, 3, 2));
            List<INDArray> weights = List.of(gaussian(7, 3, 0.2).addi(0.5), gaussian(9, 4, 0.2).addi(0.5));
            INDArray theta = theta(net);
            INDArray start = gaussian(net.parameterCount(), 5, 1);
            INDArray v = gaussian(net.parameterCount(), 6, 1);
            // float32 sums the heads' trunk shares in float32 before adding them to out: rounding at its level
            double tolerance = net.precision() == Precision.FLOAT64 ? 1e-14 : 1e-6;

            INDArray expected = start.dup();
            double value = 0;
            for (int h = 0; h < 2; h++) {
                MultiHeadNetwork.Evaluation e = net.gradient(theta, h, batches.get(h), weights.get(h));
                expected.addi(e.gradient());
                value += e.value();
            }
            INDArray out = start.dup();
            assertThat(net.addGradients(theta, batches, weights, out)).isCloseTo(value, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(relativeError(out, expected)).as(net.describe() + " " + net.precision()).isLessThan(tolerance);

            INDArray one = start.dup();
            net.addGradient(theta, 1, batches.get(1), weights.get(1), one);
            assertThat(relativeError(one, start.add(net.weightedGradient(theta, 1, batches.get(1), weights.get(1)))))
                    .isLessThan(tolerance);

            INDArray expectedHv = start.dup();
            for (int h = 0; h < 2; h++) expectedHv.addi(net.hessianVector(theta, h, batches.get(h), weights.get(h), v));
            INDArray hv = net.addHessianVectors(theta, batches, weights, v, start.dup());
            assertThat(relativeError(hv, expectedHv)).as(net.describe() + " " + net.precision() + " Hv").isLessThan(tolerance);
        }
    }

    @Test
    void aPooledWorkspaceGivesTheSameResultsWhateverBatchSizesAndThreadsCameBefore() throws Exception {
        INDArray theta = theta(MLP32);
        INDArray w9 = gaussian(9, 12, 0.3).addi(0.5);
        INDArray w40 = gaussian(40, 13, 0.3).addi(0.5);
        Batch small = batch(9, 6, 3, 11);
        Batch large = batch(40, 6, 3, 12);
        double[] first = MLP32.weightedGradient(theta, 0, small, w9).toDoubleVector();
        MLP32.weightedGradient(theta, 1, large, w40);
        assertThat(MLP32.weightedGradient(theta, 0, small, w9).toDoubleVector()).containsExactly(first);
        double[] fresh = MultiHeadNetworkTest.MLP.withPrecision(Precision.FLOAT64).withPrecision(Precision.FLOAT32)
                .weightedGradient(theta, 0, small, w9).toDoubleVector();
        assertThat(fresh).containsExactly(first);

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<double[]>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                boolean big = i % 2 == 1;
                results.add(pool.submit(() -> MLP32.weightedGradient(theta, 0, big ? large : small, big ? w40 : w9).toDoubleVector()));
            }
            double[] expectedLarge = MLP32.weightedGradient(theta, 0, large, w40).toDoubleVector();
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get(60, TimeUnit.SECONDS)).containsExactly(i % 2 == 1 ? expectedLarge : first);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anUnknownPrecisionOrAMisshapenOutputIsRejectedByName() {
        assertThat(Precision.of("FLOAT32")).isEqualTo(Precision.FLOAT32);
        assertThatThrownBy(() -> Precision.of("float16")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("dtype").hasMessageContaining("float16").hasMessageContaining("float32");
        Batch b = batch(5, 6, 3, 1);
        INDArray theta = theta(MLP);
        assertThatThrownBy(() -> MLP.addGradient(theta, 0, b, Vectors.of(1, 1, 1, 1, 1), Vectors.zeros(3)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("out");
        assertThatThrownBy(() -> MLP.addGradients(theta, List.of(b), List.of(Vectors.of(1, 1, 1, 1, 1)), Vectors.zeros(MLP.parameterCount())))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("batches");
    }
}
