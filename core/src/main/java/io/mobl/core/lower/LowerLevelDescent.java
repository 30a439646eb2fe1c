package io.mobl.core.lower;

import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.BilevelProblem;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Lines 3–6 of Alg. 1: D steps y^t = y^{t−1} − α∇_y g(x, y^{t−1}) from a warm start. */
public final class LowerLevelDescent {
    private LowerLevelDescent() {}

    /**
     * @param start          y^0 (the previous iteration's y^D: warm start); not modified
     * @param iterations     D ≥ 0
     * @param stepSize       α, at most 1/L for convergence
     * @param keepTrajectory whether to keep y^0 … y^{D−1} (memory O(qD))
     */
    public static LowerSolution descend(BilevelProblem problem, INDArray x, INDArray start, int iterations,
                                        double stepSize, boolean keepTrajectory) {
        if (!keepTrajectory) return new LowerSolution(problem.lowerDescent(x, start, iterations, stepSize), List.of());
        List<INDArray> trajectory = new ArrayList<>(iterations);
        INDArray y = start;
        for (int t = 0; t < iterations; t++) {
            trajectory.add(y);
            INDArray gradient = problem.lowerGradient(x, y); // a new array per step: the trajectory keeps each y
            y = Vectors.descentStepInPlace(y, stepSize, gradient); // y − α∇_y g, written over the gradient
        }
        return new LowerSolution(y == start ? Vectors.copy(start) : y, trajectory);
    }
}
