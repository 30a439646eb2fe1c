package io.mobl.core.problem.quadratic;

import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.SampledLowerLevel;
import io.mobl.core.problem.Smoothness;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Checks;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The quadratic family with a closed form:
 * <pre>
 *   g(x, y)   = ½ yᵀA y − yᵀB x          A (q×q) symmetric positive definite, B (q×p)
 *   f_s(x, y) = ½‖y − c_s‖² + ½ a_s‖x − d_s‖²
 * </pre>
 * so y*(x) = A⁻¹Bx and ∇φ_s(x) = a_s(x − d_s) + BᵀA⁻¹(y*(x) − c_s). Its oracles:
 * ∇_y g = Ay − Bx, ∇_x g = −Bᵀy, ∇²_yy g·v = Av, ∇²_xy g·v = −Bᵀv.
 *
 * <p>Its lower level is also a finite sum ({@link SampledLowerLevel}): with A = QΛQᵀ and rows a_k = √(qλ_k)·q_k,
 * A = (1/q)Σ_k a_k a_kᵀ, so g = (1/q)Σ_k (½(a_kᵀy)² − yᵀBx), and a minibatch of b rows drawn uniformly with
 * replacement gives the unbiased A_B = (1/b)Σ_{k∈B} a_k a_kᵀ (B and the objectives stay exact).
 */
public final class QuadraticProblem implements BilevelProblem, SampledLowerLevel {
    /** The largest q whose lower level can be sampled: the rows a_k come from a dense eigendecomposition of A. */
    public static final int MAX_SAMPLED_DIMENSION = 2000;

    private final SymmetricPositiveMap a;
    private final LinearMap b;
    private final List<QuadraticObjective> objectives;
    private final Smoothness smoothness;
    private volatile double[][] rows; // a_k, made on the first lowerSample

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

    /**
     * The problem with A replaced by A_B of {@code batchSize} rows a_k drawn uniformly with replacement: E[A_B] = A,
     * so every lower-level oracle of the sample is unbiased. Needs q ≤ {@value #MAX_SAMPLED_DIMENSION}.
     */
    @Override
    public BilevelProblem lowerSample(SplittableRandom random, int batchSize) {
        Checks.atLeast("batch-size", batchSize, 1);
        double[][] all = rows();
        int q = lowerDimension();
        double[][] sample = new double[q][q];
        for (int n = 0; n < batchSize; n++) {
            double[] row = all[random.nextInt(all.length)];
            for (int i = 0; i < q; i++) {
                double ri = row[i] / batchSize;
                if (ri != 0) for (int j = 0; j < q; j++) sample[i][j] += ri * row[j];
            }
        }
        return new LowerSample(new DenseMap(sample));
    }

    private double[][] rows() {
        double[][] r = rows;
        if (r != null) return r;
        int q = lowerDimension();
        if (q > MAX_SAMPLED_DIMENSION) {
            throw new InvalidInputException("lower-dim", q, "at most " + MAX_SAMPLED_DIMENSION
                    + " for a sampled lower level (its rows come from a dense eigendecomposition of A)");
        }
        double[][] dense = new double[q][];
        for (int j = 0; j < q; j++) {
            double[] unit = new double[q];
            unit[j] = 1;
            dense[j] = a.apply(Vectors.of(unit)).toDoubleVector(); // column j of A (= row j: A is symmetric)
        }
        org.hipparchus.linear.EigenDecompositionSymmetric eigen =
                new org.hipparchus.linear.EigenDecompositionSymmetric(new org.hipparchus.linear.Array2DRowRealMatrix(dense, false));
        double[] values = eigen.getEigenvalues();
        r = new double[q][q];
        for (int k = 0; k < q; k++) {
            double scale = Math.sqrt(q * Math.max(values[k], 0));
            for (int i = 0; i < q; i++) r[k][i] = scale * eigen.getEigenvector(k).getEntry(i);
        }
        rows = r;
        return r;
    }

    /** g_B(x, y) = ½yᵀA_B y − yᵀBx with the mean problem's B and objectives. */
    private final class LowerSample implements BilevelProblem {
        private final DenseMap sampled;

        LowerSample(DenseMap sampled) {
            this.sampled = sampled;
        }

        @Override public int upperDimension() { return QuadraticProblem.this.upperDimension(); }
        @Override public int lowerDimension() { return QuadraticProblem.this.lowerDimension(); }
        @Override public int objectiveCount() { return QuadraticProblem.this.objectiveCount(); }
        @Override public INDArray initialUpper() { return QuadraticProblem.this.initialUpper(); }
        @Override public INDArray initialLower() { return QuadraticProblem.this.initialLower(); }
        @Override public UpperEvaluation upper(int objective, INDArray x, INDArray y) { return QuadraticProblem.this.upper(objective, x, y); }
        @Override public double lowerValue(INDArray x, INDArray y) { return 0.5 * Vectors.dot(y, sampled.apply(y)) - Vectors.dot(y, b.apply(x)); }
        @Override public INDArray lowerGradient(INDArray x, INDArray y) { return b.applyAdd(-1.0, x, sampled.apply(y)); }
        @Override public INDArray lowerGradientX(INDArray x, INDArray y) { return b.applyTransposed(y).negi(); }
        @Override public INDArray hessianVector(INDArray x, INDArray y, INDArray v) { return sampled.apply(v); }
        @Override public INDArray jacobianVector(INDArray x, INDArray y, INDArray v) { return QuadraticProblem.this.jacobianVector(x, y, v); }
    }
}
