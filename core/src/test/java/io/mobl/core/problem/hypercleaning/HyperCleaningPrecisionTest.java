package io.mobl.core.problem.hypercleaning;

import static io.mobl.core.problem.hypercleaning.HyperCleaningProblemTest.gaussian;
import static io.mobl.core.problem.hypercleaning.HyperCleaningProblemTest.problem;
import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.core.linalg.Vectors;
import io.mobl.core.model.MultiHeadNetwork;
import io.mobl.core.model.Precision;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The in-place lower oracles against the allocating ones, and the float32 problem against the float64 one. */
class HyperCleaningPrecisionTest {
    static final MultiHeadNetwork MLP = new MultiHeadNetwork(12, new int[] {6}, 4, 2);

    static double relativeError(INDArray actual, INDArray expected) {
        return Vectors.norm(actual.sub(expected)) / Vectors.norm(expected);
    }

    @Test
    void theInPlaceLowerOraclesWriteExactlyWhatTheAllocatingOnesReturn() {
        for (Precision precision : Precision.values()) {
            HyperCleaningProblem p = problem(MLP.withPrecision(precision));
            INDArray x = gaussian(p.upperDimension(), 1);
            INDArray y = p.initialLower().addi(gaussian(p.lowerDimension(), 2).muli(0.1));
            INDArray v = gaussian(p.lowerDimension(), 3);
            INDArray out = gaussian(p.lowerDimension(), 4); // stale contents must not leak into the result
            assertThat(p.lowerGradientInto(x, y, out).toDoubleVector()).containsExactly(p.lowerGradient(x, y).toDoubleVector());
            out = gaussian(p.lowerDimension(), 5);
            assertThat(p.hessianVectorInto(x, y, v, out).toDoubleVector()).containsExactly(p.hessianVector(x, y, v).toDoubleVector());
        }
    }

    @Test
    void theFloat32ProblemMatchesTheFloat64OneWithinFloat32Rounding() {
        HyperCleaningProblem p64 = problem(MLP);
        HyperCleaningProblem p32 = problem(MLP.withPrecision(Precision.FLOAT32));
        assertThat(p32.tasks().get(0).train().features().dataType()).isEqualTo(DataType.FLOAT);
        INDArray x = gaussian(p64.upperDimension(), 1);
        INDArray y = p64.initialLower().addi(gaussian(p64.lowerDimension(), 2).muli(0.1));
        INDArray v = gaussian(p64.lowerDimension(), 3);
        assertThat(relativeError(p32.lowerGradient(x, y), p64.lowerGradient(x, y))).isLessThan(1e-5);
        assertThat(relativeError(p32.hessianVector(x, y, v), p64.hessianVector(x, y, v))).isLessThan(1e-5);
        assertThat(relativeError(p32.jacobianVector(x, y, v), p64.jacobianVector(x, y, v))).isLessThan(1e-5);
        assertThat(Math.abs(p32.lowerValue(x, y) - p64.lowerValue(x, y)) / p64.lowerValue(x, y)).isLessThan(1e-6);
        // and against finite differences of its own float32 value, at a step float32 can resolve: rounding costs
        // ~1e-7·|g|/h, truncation (the ReLU kinks along a direction of norm √q) ~h²; at h = 1e-2 the latter is 1e-2
        double h = 1e-3;
        INDArray u = gaussian(p32.lowerDimension(), 6);
        double fd = (p32.lowerValue(x, y.add(u.mul(h))) - p32.lowerValue(x, y.sub(u.mul(h)))) / (2 * h);
        double exact = Vectors.dot(p32.lowerGradient(x, y), u);
        assertThat(Math.abs(exact - fd) / Math.abs(fd)).isLessThan(2e-3);
    }
}
