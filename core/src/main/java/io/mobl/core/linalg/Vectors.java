package io.mobl.core.linalg;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The few vector operations the algorithms need, on rank-1 float64 ND4J arrays. Kept in one place so that
 * every runtime (synchronous loop, actors, benchmarks) performs the very same floating-point operations.
 */
public final class Vectors {
    static {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private Vectors() {}

    /** Makes sure ND4J uses float64 by default; call before creating arrays outside this class. */
    public static void useFloat64() {
        // the static initialiser does the work
    }

    public static INDArray of(double... values) {
        return Nd4j.create(values.clone(), new long[] {values.length}, DataType.DOUBLE);
    }

    public static INDArray zeros(long length) {
        return Nd4j.zeros(DataType.DOUBLE, length);
    }

    public static double dot(INDArray a, INDArray b) {
        return Nd4j.getBlasWrapper().dot(a, b);
    }

    public static double squaredNorm(INDArray a) {
        return dot(a, a);
    }

    public static double norm(INDArray a) {
        return Math.sqrt(squaredNorm(a));
    }

    /** y ← y + a·x, in place; returns y. */
    public static INDArray axpyInPlace(double a, INDArray x, INDArray y) {
        return y.addi(x.mul(a));
    }

    /** A new array a·x + y. */
    public static INDArray axpy(double a, INDArray x, INDArray y) {
        return y.add(x.mul(a));
    }

    /** Matrix (rows×cols) times vector (cols) as a rank-1 vector of length rows. */
    public static INDArray times(INDArray matrix, INDArray vector) {
        return matrix.mmul(vector.reshape(vector.length(), 1)).reshape(matrix.rows());
    }

    /** Transposed matrix (rows×cols)ᵀ times vector (rows), a rank-1 vector of length cols. */
    public static INDArray transposeTimes(INDArray matrix, INDArray vector) {
        return matrix.transpose().mmul(vector.reshape(vector.length(), 1)).reshape(matrix.columns());
    }

    /** True if every entry is finite (checked through the squared norm, which overflows only for |v| ≳ 1e154). */
    public static boolean allFinite(INDArray v) {
        return Double.isFinite(squaredNorm(v));
    }

    public static double[] toArray(INDArray v) {
        return v.toDoubleVector();
    }
}
