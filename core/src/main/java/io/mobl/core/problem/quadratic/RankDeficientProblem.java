package io.mobl.core.problem.quadratic;

import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.SampledLowerLevel;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.util.SplittableRandom;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.ArrayRealVector;
import org.hipparchus.linear.CholeskyDecomposition;
import org.hipparchus.linear.QRDecomposition;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.RealVector;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A problem whose lower level is convex but <em>not</em> strongly convex (the WC-Penalty poster's LLGC setting):
 * <pre>
 *   g(x, y)   = ½ (y − Cx)ᵀ A (y − Cx)       A = QΛQᵀ (q×q) positive semi-definite of rank r &lt; q, C (q×p)
 *   f_s(x, y) = ½‖y − c_s‖² + ½ a‖x − d_s‖²
 * </pre>
 * The lower-level solution set is known exactly: M(x) = argmin_y g(x, y) = Cx + null(A), an affine set of
 * dimension q − r, so y*(x) is not a singleton and hypergradients are not defined; the bilevel problem is the
 * ECMO problem min F(x, y) s.t. h(x, y) = ∇_y g = A(y − Cx) = 0. Substituting y = Cx + Nw (N an orthonormal
 * basis of null(A)) makes it an unconstrained convex quadratic in (x, w), whence the exact Pareto front
 * ({@link #weightedMinimiser}). Oracles: ∇_y g = A(y − Cx), ∇_x g = −CᵀA(y − Cx), ∇²_yy g·v = Av,
 * ∇²_xy g·v = −CᵀAv. No {@link #smoothness()}: μ_g = 0.
 */
public final class RankDeficientProblem implements BilevelProblem, SampledLowerLevel {
    private final DenseMap a;      // q×q
    private final DenseMap c;      // q×p
    private final double[][] nullBasis; // q×(q−r), orthonormal columns
    private final double[][] cEntries;
    private final double[][] targetsY;
    private final double[][] targetsX;
    private final double upperWeight;
    private final double largestEigenvalue;
    private final double[][] eigenRows; // √(r·λ_k)·q_k, k < r: A = (1/r) Σ_k eigenRows_k eigenRows_kᵀ

    private RankDeficientProblem(double[][] aEntries, double[][] cEntries, double[][] nullBasis, double[][] targetsY,
                                 double[][] targetsX, double upperWeight, double largestEigenvalue, double[][] eigenRows) {
        this.a = new DenseMap(aEntries);
        this.c = new DenseMap(cEntries);
        this.cEntries = cEntries;
        this.nullBasis = nullBasis;
        this.targetsY = targetsY;
        this.targetsX = targetsX;
        this.upperWeight = upperWeight;
        this.largestEigenvalue = largestEigenvalue;
        this.eigenRows = eigenRows;
    }

    /**
     * A seeded instance.
     *
     * @param upperDimension p ≥ 1
     * @param lowerDimension q ≥ 2
     * @param rank           r, 1 ≤ r &lt; q: the rank of A (q − r is the dimension of each solution set)
     * @param objectives     S ≥ 1
     * @param upperWeight    a &gt; 0, the weight of the x-term of each f_s
     */
    public static RankDeficientProblem random(long seed, int upperDimension, int lowerDimension, int rank,
                                              int objectives, double upperWeight) {
        Checks.atLeast("upper-dimension", upperDimension, 1);
        Checks.atLeast("lower-dimension", lowerDimension, 2);
        if (rank < 1 || rank >= lowerDimension) {
            throw new InvalidInputException("rank", rank, "an integer from 1 to q − 1 = " + (lowerDimension - 1)
                    + " (rank q would make the lower level strongly convex)");
        }
        Checks.atLeast("objectives", objectives, 1);
        Checks.positive("upper-weight", upperWeight);
        SplittableRandom random = new SplittableRandom(seed);
        int q = lowerDimension;
        int p = upperDimension;
        double[][] gauss = new double[q][q];
        for (double[] row : gauss) for (int j = 0; j < q; j++) row[j] = random.nextGaussian();
        double[][] basis = new QRDecomposition(new Array2DRowRealMatrix(gauss, false)).getQ().getData();
        double[] eig = new double[q];
        for (int k = 0; k < rank; k++) eig[k] = rank == 1 ? 1 : 1 + k / (rank - 1.0); // in [1, 2]
        double[][] aEntries = new double[q][q];
        for (int i = 0; i < q; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = 0;
                for (int k = 0; k < rank; k++) sum += basis[i][k] * eig[k] * basis[j][k];
                aEntries[i][j] = sum;
                aEntries[j][i] = sum;
            }
        }
        double[][] nullBasis = new double[q][q - rank];
        for (int i = 0; i < q; i++) for (int k = rank; k < q; k++) nullBasis[i][k - rank] = basis[i][k];
        double[][] cEntries = new double[q][p];
        for (double[] row : cEntries) for (int j = 0; j < p; j++) row[j] = random.nextGaussian() / Math.sqrt(p);
        double[][] ty = new double[objectives][q];
        double[][] tx = new double[objectives][p];
        for (int s = 0; s < objectives; s++) {
            double centre = 2.0 * s - (objectives - 1);
            for (int i = 0; i < q; i++) ty[s][i] = centre + 0.5 * random.nextGaussian();
            for (int i = 0; i < p; i++) tx[s][i] = -centre + 0.5 * random.nextGaussian();
        }
        double[][] eigenRows = new double[rank][q];
        for (int k = 0; k < rank; k++) {
            double scale = Math.sqrt(rank * eig[k]);
            for (int i = 0; i < q; i++) eigenRows[k][i] = scale * basis[i][k];
        }
        return new RankDeficientProblem(aEntries, cEntries, nullBasis, ty, tx, upperWeight, eig[rank - 1], eigenRows);
    }

    @Override public int upperDimension() { return c.columns(); }
    @Override public int lowerDimension() { return c.rows(); }
    @Override public int objectiveCount() { return targetsY.length; }
    @Override public INDArray initialUpper() { return Vectors.zeros(upperDimension()); }
    @Override public INDArray initialLower() { return Vectors.zeros(lowerDimension()); }

    /** The largest eigenvalue of A, the Lipschitz constant of ∇_y g in y. */
    public double lowerLipschitz() { return largestEigenvalue; }

    /** q − r, the dimension of every lower-level solution set. */
    public int solutionSetDimension() { return nullBasis[0].length; }

    @Override
    public UpperEvaluation upper(int objective, INDArray x, INDArray y) {
        INDArray dy = y.sub(Vectors.of(targetsY[objective]));
        INDArray dx = x.sub(Vectors.of(targetsX[objective]));
        double value = 0.5 * Vectors.squaredNorm(dy) + 0.5 * upperWeight * Vectors.squaredNorm(dx);
        return new UpperEvaluation(value, dx.muli(upperWeight), dy);
    }

    private INDArray residual(INDArray x, INDArray y) {
        return y.sub(c.apply(x));
    }

    @Override
    public double lowerValue(INDArray x, INDArray y) {
        INDArray e = residual(x, y);
        return 0.5 * Vectors.dot(e, a.apply(e));
    }

    @Override
    public INDArray lowerGradient(INDArray x, INDArray y) {
        return a.apply(residual(x, y));
    }

    @Override
    public INDArray lowerGradientX(INDArray x, INDArray y) {
        return c.applyTransposed(lowerGradient(x, y)).negi();
    }

    @Override
    public INDArray hessianVector(INDArray x, INDArray y, INDArray v) {
        return a.apply(v);
    }

    @Override
    public INDArray jacobianVector(INDArray x, INDArray y, INDArray v) {
        return c.applyTransposed(a.apply(v)).negi();
    }

    /**
     * The lower level as a finite sum over its r rows a_k = √(rλ_k)·q_k, g = (1/r)Σ_k ½(a_kᵀ(y − Cx))²: a minibatch
     * of b rows drawn uniformly with replacement gives A_B = (1/b)Σ_{k∈B} a_k a_kᵀ with E[A_B] = A. The sample shares
     * C and the upper objectives; only its lower-level oracles differ (its solution-set helpers are those of A_B).
     */
    @Override
    public RankDeficientProblem lowerSample(SplittableRandom random, int batchSize) {
        Checks.atLeast("batch-size", batchSize, 1);
        int q = lowerDimension();
        double[][] sample = new double[q][q];
        for (int n = 0; n < batchSize; n++) {
            double[] row = eigenRows[random.nextInt(eigenRows.length)];
            for (int i = 0; i < q; i++) for (int j = 0; j < q; j++) sample[i][j] += row[i] * row[j] / batchSize;
        }
        return new RankDeficientProblem(sample, cEntries, nullBasis, targetsY, targetsX, upperWeight, largestEigenvalue,
                eigenRows);
    }

    /** Cx, one point of the solution set M(x) = Cx + null(A). */
    public INDArray particularLowerSolution(INDArray x) {
        return c.apply(x);
    }

    /**
     * The distance from y to the lower-level solution set M(x) = Cx + null(A): ‖(I − NNᵀ)(y − Cx)‖.
     */
    public double distanceToSolutionSet(INDArray x, INDArray y) {
        double[] e = residual(x, y).toDoubleVector();
        int k = solutionSetDimension();
        double[] coefficients = new double[k];
        for (int j = 0; j < k; j++) for (int i = 0; i < e.length; i++) coefficients[j] += nullBasis[i][j] * e[i];
        double sum = 0;
        for (int i = 0; i < e.length; i++) {
            double projected = e[i];
            for (int j = 0; j < k; j++) projected -= nullBasis[i][j] * coefficients[j];
            sum += projected * projected;
        }
        return Math.sqrt(sum);
    }

    /**
     * The exact minimiser of Σ_s w_s f_s over the feasible set {(x, y) : y ∈ M(x)}: with y = Cx + Nw it is the
     * solution of the normal equations of a convex quadratic in (x, w). Every Pareto-optimal point of this
     * convex problem is one of these for some w in the simplex.
     *
     * @param weights w, length S, non-negative, not all 0
     * @return {x, y}
     */
    public INDArray[] weightedMinimiser(double[] weights) {
        Checks.length("weights", weights, objectiveCount());
        int p = upperDimension();
        int q = lowerDimension();
        int k = solutionSetDimension();
        int n = p + k;
        RealMatrix m = new Array2DRowRealMatrix(q, n); // [C N]
        for (int i = 0; i < q; i++) {
            for (int j = 0; j < p; j++) m.setEntry(i, j, cEntries[i][j]);
            for (int j = 0; j < k; j++) m.setEntry(i, p + j, nullBasis[i][j]);
        }
        double total = 0;
        RealVector targetY = new ArrayRealVector(q);
        RealVector targetX = new ArrayRealVector(p);
        for (int s = 0; s < weights.length; s++) {
            if (!(weights[s] >= 0)) throw new InvalidInputException("weights[" + s + "]", weights[s], "a number >= 0");
            total += weights[s];
            targetY = targetY.add(new ArrayRealVector(targetsY[s]).mapMultiply(weights[s]));
            targetX = targetX.add(new ArrayRealVector(targetsX[s]).mapMultiply(weights[s] * upperWeight));
        }
        if (!(total > 0)) throw new InvalidInputException("weights", weights, "weights with a positive sum");
        RealMatrix lhs = m.transpose().multiply(m).scalarMultiply(total);
        for (int j = 0; j < p; j++) lhs.addToEntry(j, j, total * upperWeight);
        RealVector rhs = m.transpose().operate(targetY);
        for (int j = 0; j < p; j++) rhs.addToEntry(j, targetX.getEntry(j));
        double[] u = new CholeskyDecomposition(lhs).getSolver().solve(rhs).toArray();
        double[] x = java.util.Arrays.copyOf(u, p);
        double[] y = m.operate(u);
        return new INDArray[] {Vectors.of(x), Vectors.of(y)};
    }
}
