package io.mobl.core.problem.quadratic;

import io.mobl.core.linalg.Vectors;
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
    }

    @Override public int rows() { return rows; }
    @Override public int columns() { return columns; }

    @Override
    public INDArray apply(INDArray v) {
        return multiply(v, left, right, rows);
    }

    @Override
    public INDArray applyTransposed(INDArray v) {
        return multiply(v, right, left, columns);
    }

    private INDArray multiply(INDArray v, INDArray outer, INDArray inner, int length) {
        INDArray out = Vectors.zeros(length);
        int m = (int) diagonal.length();
        out.get(interval(m)).assign(diagonal.mul(v.get(interval(m))));
        if (outer.columns() > 0) {
            out.addi(Vectors.times(outer, Vectors.transposeTimes(inner, v)));
        }
        return out;
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex interval(int m) {
        return org.nd4j.linalg.indexing.NDArrayIndex.interval(0, m);
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
        private final INDArray inverseDiagonal;
        private final CholeskyDecomposition capacitance;
        private final double smallest;
        private final double largest;

        public SymmetricPositive(INDArray diagonal, INDArray factor) {
            super((int) diagonal.length(), (int) diagonal.length(), diagonal, factor, factor);
            double minDiagonal = diagonal.minNumber().doubleValue();
            if (!(minDiagonal > 0)) {
                throw new IllegalArgumentException("diagonal must be positive, min is " + minDiagonal);
            }
            this.inverseDiagonal = Nd4j.ones(diagonal.dataType(), diagonal.length()).divi(diagonal);
            int k = (int) factor.columns();
            INDArray scaled = factor.mulColumnVector(inverseDiagonal.reshape(diagonal.length(), 1));
            RealMatrix c = new Array2DRowRealMatrix(symmetrised(factor.transpose().mmul(scaled).toDoubleMatrix()), false);
            for (int i = 0; i < k; i++) c.addToEntry(i, i, 1.0);
            this.capacitance = k == 0 ? null : new CholeskyDecomposition(c);
            this.smallest = minDiagonal;
            this.largest = diagonal.maxNumber().doubleValue() + largestEigenvalue(gram(factor));
        }

        @Override
        public INDArray solve(INDArray b) {
            INDArray db = b.mul(inverseDiagonal);
            if (capacitance == null) return db;
            double[] t = Vectors.transposeTimes(left, db).toDoubleVector();
            double[] w = capacitance.getSolver().solve(new ArrayRealVector(t, false)).toArray();
            INDArray correction = Vectors.times(left, Vectors.of(w)).muli(inverseDiagonal);
            return db.subi(correction);
        }

        @Override public double largestEigenvalueBound() { return largest; }
        @Override public double smallestEigenvalueBound() { return smallest; }
        @Override public double spectralNormBound() { return largest; }
        @Override public INDArray applyTransposed(INDArray v) { return apply(v); }
    }
}
