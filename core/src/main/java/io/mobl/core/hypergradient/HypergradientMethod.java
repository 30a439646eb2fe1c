package io.mobl.core.hypergradient;

import io.mobl.core.lower.LowerSolution;
import io.mobl.core.problem.BilevelProblem;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How ∇̂φ_s(x_k) is estimated from the lower-level estimate: a strategy passed to the algorithm (Alg. 1's
 * Option 1 or Option 2), not a branch inside it.
 */
public sealed interface HypergradientMethod permits ConjugateGradient, NeumannSeries {

    /** Whether the lower level must keep its trajectory y^0 … y^{D−1}. */
    boolean needsTrajectory();

    /**
     * @param objective      s
     * @param x              x_k
     * @param lower          y_k^D and, if needed, its trajectory
     * @param warmStart      the previous iteration's warm start for this objective (null at k = 0)
     * @param lowerStepSize  α, the step of the lower-level descent
     */
    HypergradientEstimate estimate(BilevelProblem problem, int objective, INDArray x, LowerSolution lower,
                                   INDArray warmStart, double lowerStepSize);

    /** A short name for tables and telemetry ("cg", "ns"). */
    String name();
}
