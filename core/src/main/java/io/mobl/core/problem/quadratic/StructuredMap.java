package io.mobl.core.problem.quadratic;

import io.mobl.core.linalg.Vectors;
import java.nio.DoubleBuffer;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.ArrayRealVector;
import org.hipparchus.linear.CholeskyDecomposition;
import org.hipparchus.linear.EigenDecompositionSymmetric;
import org.hipparchus.linear.RealMatrix;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * M = Diag(diagonal) + L·Rᵀ, rows×columns, with the diagonal on the first min(rows, columns) entries and
 * L (rows×k), R (columns×k) of small rank k. Memory and each product are O((rows + columns)·k), which is what
 * lets benchmark problems reach p, q = 10⁶.
 */
public class StructuredMap implements LinearMap {
    protected final INDArray diagonal;
    protected final INDArray left;
    protected final INDArray right;
    private final int rows;
    private final int columns;
    private final int rank;
    /** The same entries as the ND4J arrays, as Java arrays: the products are plain loops (see {@link Vectors}). */
    protected final double[] diagonalValues;
    protected final double[] leftRows;
    private final double[] rightRows;

    public StructuredMap(int rows, int columns, INDArray diagonal, INDArray left, INDArray right) {
        if (diagonal.length() != Math.min(rows, columns)) {
            throw new IllegalArgumentException("diagonal has length " + diagonal.length() + ", expected min(rows, columns)");
        }
        if (left.rows() != rows || right.rows() != columns || left.columns() != right.columns()) {
            throw new IllegalArgumentException("low-rank factors have shapes " + java.util.Arrays.toString(left.shape())
                    + " and " + java.util.Arrays.toString(right.shape()));
        }
        this.rows = rows;
        this.columns = columns;
        this.diagonal = diagonal;
        this.left = left;
        this.right = right;
        this.rank = (int) left.columns();
        this.diagonalValues = diagonal.toDoubleVector();
        this.leftRows = rowMajor(left);
        this.rightRows = right == left ? leftRows : rowMajor(right);
    }

    /** The entries of a factor, row after row, on the Java heap where the product loops read them. */
    private static double[] rowMajor(INDArray factor) {
        return factor.length() == 0 ? new double[0] : factor.dup('c').data().asDouble();
    }

    @Override public int rows() { return rows; }
    @Override public int columns() { return columns; }

    @Override
    public INDArray apply(INDArray v) {
        return multiply(v, leftRows, rightRows, rows, 1.0, Vectors.uninitialized(rows), false);
    }

    @Override
    public INDArray applyTransposed(INDArray v) {
        return multiply(v, rightRows, leftRows, columns, 1.0, Vectors.uninitialized(columns), false);
    }

    @Override
    public INDArray applyInto(INDArray v, INDArray out) {
        return multiply(v, leftRows, rightRows, rows, 1.0, out, false);
    }

    @Override
    public INDArray applyAdd(double alpha, INDArray v, INDArray out) {
        return multiply(v, leftRows, rightRows, rows, alpha, out, true);
    }

    /**
     * out ← (accumulate ? out + alpha·m : m) with m = Diag·v + outer·(innerᵀ·v), in two passes over memory: the
     * first reads v and the inner factor once (k sums at a time), the second writes out. Each entry of m is
     * summed completely (diagonal term, then the k terms in order) before it is scaled and added.
     */
    private INDArray multiply(INDArray v, double[] outer, double[] inner, int length, double alpha, INDArray out,
                              boolean accumulate) {
        int innerLength = length == rows ? columns : rows;
        if (v.length() != innerLength || out.length() != length) {
            throw new IllegalArgumentException("a " + rows + "×" + columns + " map" + (length == rows ? "" : ", transposed,")
                    + " applied to a vector of length " + v.length() + " into one of length " + out.length());
        }
        DoubleBuffer in = Vectors.readable(v);
        DoubleBuffer o = Vectors.writable(out);
        int m = diagonalValues.length;
        double[] t = new double[rank];
        if (rank > 0) {
            for (int i = 0; i < innerLength; i++) {
                double vi = in.get(i);
                int base = i * rank;
                for (int j = 0; j < rank; j++) t[j] += inner[base + j] * vi;
            }
        }
        for (int i = 0; i < length; i++) {
            double sum = i < m ? diagonalValues[i] * in.get(i) : 0;
            int base = i * rank;
            for (int j = 0; j < rank; j++) sum += outer[base + j] * t[j];
            o.put(i, accumulate ? o.get(i) + alpha * sum : sum);
        }
        return out;
    }

    @Override
    public double spectralNormBound() {
        double d = diagonal.length() == 0 ? 0 : Math.abs(diagonal.amaxNumber().doubleValue());
        return d + Math.sqrt(largestEigenvalue(gram(left)) * largestEigenvalue(gram(right)));
    }

    /** FᵀF, symmetrised (BLAS leaves round-off asymmetry that the eigen-solver rejects). */
    static double[][] gram(INDArray factor) {
        return symmetrised(factor.transpose().mmul(factor).toDoubleMatrix());
    }

    static double[][] symmetrised(double[][] g) {
        for (int i = 0; i < g.length; i++) {
            for (int j = 0; j < i; j++) {
                double mean = 0.5 * (g[i][j] + g[j][i]);
                g[i][j] = mean;
                g[j][i] = mean;
            }
        }
        return g;
    }

    static double largestEigenvalue(double[][] symmetric) {
        if (symmetric.length == 0) return 0;
        double max = 0;
        for (double e : new EigenDecompositionSymmetric(new Array2DRowRealMatrix(symmetric, false)).getEigenvalues()) {
            max = Math.max(max, e);
        }
        return max;
    }

    /**
     * A = Diag(d) + U·Uᵀ with d > 0: symmetric positive definite, solved exactly by the Woodbury identity
     * A⁻¹b = D⁻¹b − D⁻¹U (I + UᵀD⁻¹U)⁻¹ UᵀD⁻¹b.
     */
    public static final class SymmetricPositive extends StructuredMap implements SymmetricPositiveMap {
        private final double[] inverseDiagonal;
        private final CholeskyDecomposition capacitance;
        private final double smallest;
        private final double largest;

        public SymmetricPositive(INDArray diagonal, INDArray factor) {
            super((int) diagonal.length(), (int) diagonal.length(), diagonal, factor, factor);
            double minDiagonal = diagonal.minNumber().doubleValue();
            if (!(minDiagonal > 0)) {
                throw new IllegalArgumentException("diagonal must be positive, min is " + minDiagonal);
            }
            INDArray inverse = Nd4j.ones(diagonal.dataType(), diagonal.length()).divi(diagonal);
            this.inverseDiagonal = inverse.toDoubleVector();
            int k = (int) factor.columns();
            INDArray scaled = factor.mulColumnVector(inverse.reshape(diagonal.length(), 1));
            RealMatrix c = new Array2DRowRealMatrix(symmetrised(factor.transpose().mmul(scaled).toDoubleMatrix()), false);
            for (int i = 0; i < k; i++) c.addToEntry(i, i, 1.0);
            this.capacitance = k == 0 ? null : new CholeskyDecomposition(c);
            this.smallest = minDiagonal;
            this.largest = diagonal.maxNumber().doubleValue() + largestEigenvalue(gram(factor));
        }

        /** Woodbury, in two passes: t = Uᵀ(D⁻¹b), then out = D⁻¹b − D⁻¹U·(I + UᵀD⁻¹U)⁻¹t. */
        @Override
        public INDArray solve(INDArray b) {
            int n = rows();
            if (b.length() != n) {
                throw new IllegalArgumentException("solve with a " + n + "×" + n + " map and a vector of length " + b.length());
            }
            DoubleBuffer in = Vectors.readable(b);
            INDArray out = Vectors.uninitialized(n);
            DoubleBuffer o = Vectors.writable(out);
            int k = (int) left.columns();
            if (capacitance == null) {
                for (int i = 0; i < n; i++) o.put(i, in.get(i) * inverseDiagonal[i]);
                return out;
            }
            double[] t = new double[k];
            for (int i = 0; i < n; i++) {
                double di = in.get(i) * inverseDiagonal[i];
                int base = i * k;
                for (int j = 0; j < k; j++) t[j] += leftRows[base + j] * di;
            }
            double[] w = capacitance.getSolver().solve(new ArrayRealVector(t, false)).toArray();
            for (int i = 0; i < n; i++) {
                double correction = 0;
                int base = i * k;
                for (int j = 0; j < k; j++) correction += leftRows[base + j] * w[j];
                o.put(i, in.get(i) * inverseDiagonal[i] - correction * inverseDiagonal[i]);
            }
            return out;
        }

        @Override public double largestEigenvalueBound() { return largest; }
        @Override public double smallestEigenvalueBound() { return smallest; }
        @Override public double spectralNormBound() { return largest; }
        @Override public INDArray applyTransposed(INDArray v) { return apply(v); }
    }
}
