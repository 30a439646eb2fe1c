package io.mobl.core.problem.quadratic;

import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.Smoothness;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.protocol.InvalidInputException;
import java.util.List;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The quadratic family with a closed form:
 * <pre>
 *   g(x, y)   = ½ yᵀA y − yᵀB x          A (q×q) symmetric positive definite, B (q×p)
 *   f_s(x, y) = ½‖y − c_s‖² + ½ a_s‖x − d_s‖²
 * </pre>
 * so y*(x) = A⁻¹Bx and ∇φ_s(x) = a_s(x − d_s) + BᵀA⁻¹(y*(x) − c_s). Its oracles:
 * ∇_y g = Ay − Bx, ∇_x g = −Bᵀy, ∇²_yy g·v = Av, ∇²_xy g·v = −Bᵀv.
 */
public final class QuadraticProblem implements BilevelProblem {
    private final SymmetricPositiveMap a;
    private final LinearMap b;
    private final List<QuadraticObjective> objectives;
    private final Smoothness smoothness;

    public QuadraticProblem(SymmetricPositiveMap a, LinearMap b, List<QuadraticObjective> objectives) {
        if (a.rows() != b.rows()) {
            throw new InvalidInputException("B", b.rows() + "×" + b.columns(), a.rows() + " rows (the size of A)");
        }
        if (objectives.isEmpty()) {
            throw new InvalidInputException("objectives", "[]", "at least one objective");
        }
        for (int s = 0; s < objectives.size(); s++) {
            QuadraticObjective o = objectives.get(s);
            if (o.c().length() != a.rows()) {
                throw new InvalidInputException("objectives[" + s + "].c", "length " + o.c().length(),
                        "length q = " + a.rows());
            }
            if (o.d().length() != b.columns()) {
                throw new InvalidInputException("objectives[" + s + "].d", "length " + o.d().length(),
                        "length p = " + b.columns());
            }
            if (!(o.a() >= 0) || !Double.isFinite(o.a())) {
                throw new InvalidInputException("objectives[" + s + "].a", o.a(), "a finite number >= 0");
            }
        }
        this.a = a;
        this.b = b;
        this.objectives = List.copyOf(objectives);
        double mu = a.smallestEigenvalueBound();
        double sigma = b.spectralNormBound();
        double maxWeight = objectives.stream().mapToDouble(QuadraticObjective::a).max().orElse(0);
        this.smoothness = new Smoothness(a.largestEigenvalueBound(), mu, maxWeight + sigma * sigma / (mu * mu) + 1e-12);
    }

    public SymmetricPositiveMap lowerHessian() { return a; }
    public LinearMap coupling() { return b; }
    public List<QuadraticObjective> objectives() { return objectives; }

    @Override public int upperDimension() { return b.columns(); }
    @Override public int lowerDimension() { return a.rows(); }
    @Override public int objectiveCount() { return objectives.size(); }
    @Override public Optional<Smoothness> smoothness() { return Optional.of(smoothness); }
    @Override public INDArray initialUpper() { return Vectors.zeros(upperDimension()); }
    @Override public INDArray initialLower() { return Vectors.zeros(lowerDimension()); }

    @Override
    public UpperEvaluation upper(int objective, INDArray x, INDArray y) {
        QuadraticObjective o = objectives.get(objective);
        INDArray dy = Vectors.subtract(y, o.c());
        INDArray dx = Vectors.subtract(x, o.d());
        double value = 0.5 * Vectors.squaredNorm(dy) + 0.5 * o.a() * Vectors.squaredNorm(dx);
        return new UpperEvaluation(value, Vectors.scaleInPlace(o.a(), dx), dy);
    }

    @Override
    public double lowerValue(INDArray x, INDArray y) {
        return 0.5 * Vectors.dot(y, a.apply(y)) - Vectors.dot(y, b.apply(x));
    }

    @Override
    public INDArray lowerGradient(INDArray x, INDArray y) {
        return b.applyAdd(-1.0, x, a.apply(y));
    }

    @Override
    public INDArray lowerGradientInto(INDArray x, INDArray y, INDArray out) {
        return b.applyAdd(-1.0, x, a.applyInto(y, out));
    }

    /** ∇_x g = −Bᵀy. */
    @Override
    public INDArray lowerGradientX(INDArray x, INDArray y) {
        return b.applyTransposed(y).negi();
    }

    @Override
    public INDArray hessianVector(INDArray x, INDArray y, INDArray v) {
        return a.apply(v);
    }

    @Override
    public INDArray hessianVectorInto(INDArray x, INDArray y, INDArray v, INDArray out) {
        return a.applyInto(v, out);
    }

    @Override
    public INDArray jacobianVector(INDArray x, INDArray y, INDArray v) {
        return Vectors.scaleInPlace(-1.0, b.applyTransposed(v));
    }

    /** y*(x) = A⁻¹Bx, exactly. */
    public INDArray lowerSolution(INDArray x) {
        return a.solve(b.apply(x));
    }

    /** φ_s(x) = f_s(x, y*(x)), exactly. */
    public double objective(int s, INDArray x) {
        return upper(s, x, lowerSolution(x)).value();
    }

    /** ∇φ_s(x) = a_s(x − d_s) + BᵀA⁻¹(y*(x) − c_s), exactly (Eq. (2) with v* = A⁻¹∇_y f_s). */
    public INDArray hypergradient(int s, INDArray x) {
        UpperEvaluation e = upper(s, x, lowerSolution(x));
        return e.gradientX().add(b.applyTransposed(a.solve(e.gradientY())));
    }
}
