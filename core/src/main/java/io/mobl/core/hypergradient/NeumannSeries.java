package io.mobl.core.hypergradient;

import io.mobl.core.linalg.Vectors;
import io.mobl.core.lower.LowerSolution;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.UpperEvaluation;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Option 2 of Alg. 1, Eq. (4): the Neumann series along the lower-level trajectory,
 * <pre>
 *   ∇̂φ_s(x_k) = ∇_x f_s(x_k, y^D) − α Σ_{t=0}^{D−1} ∇²_xy g(x_k, y^t) Π_{j=t+1}^{D−1} (I − α∇²_yy g(x_k, y^j)) ∇_y f_s(x_k, y^D).
 * </pre>
 * This is the exact derivative of y^D with respect to x through the D unrolled steps (warm start held fixed).
 * Two readings of the printed equation are made explicit here: the sum runs to D−1 (the term t = D of the
 * printed sum has no matching step), and the factor is I − α∇²_yy g, the Jacobian of one step
 * y ↦ y − α∇_y g (with α = 1 it is the printed I − ∇²_yy g).
 *
 * <p>Evaluated backwards with one vector w: D JV(g), D−1 HV(g), 1 Gc(f); memory O(qD) for the trajectory.
 */
public record NeumannSeries() implements HypergradientMethod {

    @Override
    public boolean needsTrajectory() {
        return true;
    }

    @Override
    public String name() {
        return "ns";
    }

    @Override
    public HypergradientEstimate estimate(BilevelProblem problem, int objective, INDArray x, LowerSolution lower,
                                          INDArray warmStart, double lowerStepSize) {
        UpperEvaluation f = problem.upper(objective, x, lower.solution());
        List<INDArray> trajectory = lower.trajectory();
        INDArray w = f.gradientY();
        INDArray spare = null; // w and spare take turns as buffers (never f's own gradient): no array per step
        INDArray sum = Vectors.zeros(problem.upperDimension());
        for (int t = trajectory.size() - 1; t >= 0; t--) {
            INDArray yt = trajectory.get(t);
            Vectors.axpyInPlace(1.0, problem.jacobianVector(x, yt, w), sum);
            if (t > 0) {
                INDArray hw = problem.hessianVectorInto(x, yt, w,
                        spare == null ? Vectors.uninitialized(w.length()) : spare);
                spare = w == f.gradientY() ? null : w;
                w = Vectors.xpbyInPlace(w, -lowerStepSize, hw); // w − α·Hw, over the fresh Hw
            }
        }
        INDArray hypergradient = Vectors.axpy(-lowerStepSize, sum, f.gradientX());
        return new HypergradientEstimate(objective, hypergradient, f.value(), null);
    }
}
