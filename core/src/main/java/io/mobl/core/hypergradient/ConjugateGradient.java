package io.mobl.core.hypergradient;

import io.mobl.core.linalg.Vectors;
import io.mobl.core.lower.LowerSolution;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.protocol.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Option 1 of Alg. 1: N conjugate-gradient steps on ∇²_yy g(x_k, y_k^D)·v = ∇_y f_s(x_k, y_k^D), warm-started
 * from the previous iteration's v, then Eq. (3): ∇̂φ_s = ∇_x f_s − ∇²_xy g·v.
 *
 * <p>Costs 1 Gc(f), 1 + (steps actually taken) HV(g) and 1 JV(g). Stops early once the residual is below
 * 1e-16 of the right-hand side (relative, squared 1e-32), where further steps only add round-off, and where a
 * direction has no curvature to speak of: pᵀHp ≤ 0, or pᵀHp/pᵀp below {@value #FLAT} of the first direction's.
 * On a singular ∇²_yy g (a lower level that is convex but not strongly so) with a right-hand side outside its
 * range, the residual keeps its null-space part, and a step along a direction of rounding-level curvature would
 * be of size 1/ε; stopping there leaves v = (∇²_yy g)⁺ applied to the range part, the least-norm solution.
 *
 * @param steps N ≥ 0
 */
public record ConjugateGradient(int steps) implements HypergradientMethod {
    private static final double CONVERGED = 1e-32;
    /** The curvature, relative to the first direction's, below which a direction counts as flat. */
    static final double FLAT = 1e-12;

    public ConjugateGradient {
        Checks.atLeast("cg-steps", steps, 0);
    }

    @Override
    public boolean needsTrajectory() {
        return false;
    }

    @Override
    public String name() {
        return "cg";
    }

    @Override
    public HypergradientEstimate estimate(BilevelProblem problem, int objective, INDArray x, LowerSolution lower,
                                          INDArray warmStart, double lowerStepSize) {
        INDArray y = lower.solution();
        UpperEvaluation f = problem.upper(objective, x, y);
        INDArray v = solve(problem, x, y, f.gradientY(),
                warmStart == null ? Vectors.zeros(problem.lowerDimension()) : warmStart);
        // ∇_x f − JV, written over the fresh JV (x + (−1)·y is exactly x − y)
        INDArray hypergradient = Vectors.xpbyInPlace(f.gradientX(), -1.0, problem.jacobianVector(x, y, v));
        return new HypergradientEstimate(objective, hypergradient, f.value(), v);
    }

    /** N CG steps on H·v = b with H = ∇²_yy g(x, y), from v0 (not modified). */
    public INDArray solve(BilevelProblem problem, INDArray x, INDArray y, INDArray b, INDArray v0) {
        INDArray v = Vectors.copy(v0);
        INDArray r = Vectors.xpbyInPlace(b, -1.0, problem.hessianVector(x, y, v)); // b − Hv, over the fresh Hv
        INDArray p = Vectors.copy(r);
        double rr = Vectors.squaredNorm(r);
        double threshold = CONVERGED * Vectors.squaredNorm(b);
        INDArray hp = null;
        double scale = Double.NaN; // pᵀHp/pᵀp of the first direction
        for (int i = 0; i < steps && rr > threshold; i++) {
            hp = problem.hessianVectorInto(x, y, p, hp == null ? Vectors.uninitialized(p.length()) : hp);
            double curvature = Vectors.dot(p, hp);
            if (!(curvature > 0)) break; // not positive definite along p: no further progress is possible
            double rayleigh = curvature / Vectors.squaredNorm(p);
            if (i == 0) scale = rayleigh;
            else if (rayleigh < FLAT * scale) break; // flat along p: H is singular there
            double alpha = rr / curvature;
            Vectors.axpyInPlace(alpha, p, v);
            Vectors.axpyInPlace(-alpha, hp, r);
            double next = Vectors.squaredNorm(r);
            Vectors.xpbyInPlace(r, next / rr, p);
            rr = next;
        }
        return v;
    }
}
