package io.mobl.core.problem.quadratic;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.core.linalg.Vectors;
import io.mobl.core.lower.LowerLevelDescent;
import io.mobl.core.lower.LowerSolution;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.CountingProblem;
import io.mobl.protocol.OracleCalls;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The oracles that write into a buffer give the allocating oracles' entries exactly, and are counted alike. */
class InPlaceOraclesTest {

    @Test
    void writingIntoABufferGivesExactlyTheAllocatingOraclesEntries() {
        for (BilevelProblem problem : new BilevelProblem[] {QuadraticProblems.structured(3, 9, 7, 2, 3, 5, 0.5),
                QuadraticProblems.dense(4, 6, 5, 2, 5, 0.5)}) {
            QuadraticProblem quadratic = (QuadraticProblem) problem;
            INDArray x = quadratic.objectives().get(0).d();
            INDArray y = quadratic.objectives().get(1).c();
            INDArray v = quadratic.objectives().get(0).c();
            INDArray buffer = Vectors.of(new double[problem.lowerDimension()]);
            assertThat(problem.lowerGradientInto(x, y, buffer).toDoubleVector())
                    .containsExactly(problem.lowerGradient(x, y).toDoubleVector());
            assertThat(problem.hessianVectorInto(x, y, v, buffer).toDoubleVector())
                    .containsExactly(problem.hessianVector(x, y, v).toDoubleVector());
        }
    }

    @Test
    void bufferOraclesAreCountedLikeTheOthers() {
        QuadraticProblem problem = QuadraticProblems.structured(5, 4, 4, 2, 1, 3, 1);
        CountingProblem counted = new CountingProblem(problem);
        INDArray z = Vectors.zeros(4);
        counted.lowerGradientInto(z, z, Vectors.zeros(4));
        counted.hessianVectorInto(z, z, z, Vectors.zeros(4));
        OracleCalls calls = counted.calls();
        assertThat(calls.lowerGradients()).isEqualTo(1);
        assertThat(calls.hessianVectorProducts()).isEqualTo(1);
    }

    @Test
    void descentWithReusedBuffersEndsExactlyWhereTheTrajectoryKeepingOneEnds() {
        QuadraticProblem problem = QuadraticProblems.structured(6, 30, 20, 2, 2, 10, 0.5);
        INDArray x = problem.objectives().get(0).d();
        INDArray start = problem.objectives().get(1).c();
        double[] before = start.toDoubleVector();
        double step = 1.0 / problem.smoothness().orElseThrow().lowerLipschitz();
        for (int d : new int[] {0, 1, 2, 7}) {
            LowerSolution buffered = LowerLevelDescent.descend(problem, x, start, d, step, false);
            LowerSolution kept = LowerLevelDescent.descend(problem, x, start, d, step, true);
            assertThat(buffered.solution().toDoubleVector()).containsExactly(kept.solution().toDoubleVector());
            assertThat(kept.trajectory()).hasSize(d);
            assertThat(start.toDoubleVector()).as("the warm start is not modified").containsExactly(before);
        }
        // and it descends: g decreases along the steps
        LowerSolution ten = LowerLevelDescent.descend(problem, x, start, 10, step, false);
        assertThat(problem.lowerValue(x, ten.solution())).isLessThan(problem.lowerValue(x, start));
    }
}
