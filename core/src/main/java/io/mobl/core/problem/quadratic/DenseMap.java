package io.mobl.core.problem.quadratic;

import io.mobl.core.linalg.Vectors;
import io.mobl.protocol.InvalidInputException;
import java.nio.DoubleBuffer;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.ArrayRealVector;
import org.hipparchus.linear.CholeskyDecomposition;
import org.hipparchus.linear.EigenDecompositionSymmetric;
import org.hipparchus.exception.MathIllegalArgumentException;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.SingularValueDecomposition;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A dense matrix, applied with ND4J; small enough to decompose exactly (problem files, tests). */
public class DenseMap implements LinearMap {
    protected final INDArray matrix;
    protected final double[][] entries;
    private final double spectralNorm;

    public DenseMap(double[][] entries) {
        this.entries = entries;
        this.matrix = Nd4j.createFromArray(entries);
        this.spectralNorm = entries.length == 0 || entries[0].length == 0 ? 0
                : new SingularValueDecomposition(new Array2DRowRealMatrix(entries, false)).getNorm();
    }

    @Override public int rows() { return entries.length; }
    @Override public int columns() { return entries.length == 0 ? 0 : entries[0].length; }
    @Override public INDArray apply(INDArray v) { return multiply(v, false); }
    @Override public INDArray applyTransposed(INDArray v) { return multiply(v, true); }

    /**
     * M·v or Mᵀ·v as loops over the Java entries: these matrices are small (tests, problem files), where one
     * ND4J call costs more than the whole product.
     */
    private INDArray multiply(INDArray v, boolean transposed) {
        int rows = rows();
        int columns = columns();
        int in = transposed ? rows : columns;
        int length = transposed ? columns : rows;
        if (v.length() != in) {
            throw new IllegalArgumentException("a " + rows + "×" + columns + " matrix" + (transposed ? ", transposed," : "")
                    + " applied to a vector of length " + v.length());
        }
        DoubleBuffer x = Vectors.readable(v);
        INDArray out = Vectors.uninitialized(length);
        DoubleBuffer o = Vectors.writable(out);
        if (transposed) {
            double[] sums = new double[length];
            for (int i = 0; i < rows; i++) {
                double xi = x.get(i);
                double[] row = entries[i];
                for (int j = 0; j < columns; j++) sums[j] += row[j] * xi;
            }
            for (int j = 0; j < length; j++) o.put(j, sums[j]);
        } else {
            for (int i = 0; i < rows; i++) {
                double sum = 0;
                double[] row = entries[i];
                for (int j = 0; j < columns; j++) sum += row[j] * x.get(j);
                o.put(i, sum);
            }
        }
        return out;
    }
    @Override public double spectralNormBound() { return spectralNorm; }

    public double[][] entries() {
        return entries;
    }

    /**
     * A symmetric positive-definite dense matrix. Construction checks symmetry (relative 1e-10) and positive
     * definiteness (Cholesky), naming {@code field} in the error.
     */
    public static final class SymmetricPositive extends DenseMap implements SymmetricPositiveMap {
        private final CholeskyDecomposition cholesky;
        private final double smallest;
        private final double largest;

        public SymmetricPositive(String field, double[][] entries) {
            super(entries);
            RealMatrix m = new Array2DRowRealMatrix(entries, false);
            double scale = m.getNorm1();
            for (int i = 0; i < entries.length; i++) {
                for (int j = 0; j < i; j++) {
                    if (Math.abs(entries[i][j] - entries[j][i]) > 1e-10 * Math.max(1, scale)) {
                        throw new InvalidInputException(field + "[" + i + "][" + j + "]", entries[i][j],
                                "a symmetric matrix (" + field + "[" + j + "][" + i + "] = " + entries[j][i] + ")");
                    }
                }
            }
            double[] eigenvalues = new EigenDecompositionSymmetric(m).getEigenvalues();
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (double e : eigenvalues) {
                min = Math.min(min, e);
                max = Math.max(max, e);
            }
            if (!(min > 1e-12 * Math.max(1, max))) {
                throw new InvalidInputException(field, "smallest eigenvalue " + min,
                        "a symmetric positive-definite matrix (the lower level must be strongly convex)");
            }
            try {
                this.cholesky = new CholeskyDecomposition(m, 1e-12, 1e-14);
            } catch (MathIllegalArgumentException e) {
                throw new InvalidInputException(field, "not positive definite", "a symmetric positive-definite matrix");
            }
            this.smallest = min;
            this.largest = max;
        }

        @Override
        public INDArray solve(INDArray b) {
            double[] solution = cholesky.getSolver().solve(new ArrayRealVector(b.toDoubleVector(), false)).toArray();
            return Vectors.of(solution);
        }

        @Override public double largestEigenvalueBound() { return largest; }
        @Override public double smallestEigenvalueBound() { return smallest; }
        @Override public double spectralNormBound() { return largest; }
        @Override public INDArray applyTransposed(INDArray v) { return apply(v); }
    }
}
