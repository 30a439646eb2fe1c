package io.mobl.core.linalg;

import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The few vector operations the algorithms need, on rank-1 float64 ND4J arrays. Kept in one place so that
 * every runtime (synchronous loop, actors, benchmarks) performs the very same floating-point operations.
 *
 * <p>Why plain loops: every ND4J call costs tens of microseconds of dispatch here (an {@code addi} of 1000
 * doubles measured 75–90 µs, a Java loop 1–3 µs; at 10⁵ doubles 0.3–8 ms against 0.08–0.13 ms; see the perf
 * branch's commit notes and {@code WcMhgdBenchmark}). The hot loop is level-1/level-2 work, so these methods
 * read and write the arrays' native memory directly through a {@link DoubleBuffer} view, make at most one new
 * array per call, and sum in a fixed order, so results are deterministic whatever thread runs them.
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

    /** A new rank-1 float64 array whose entries the caller must all write (it is not zeroed). */
    public static INDArray uninitialized(long length) {
        return Nd4j.createUninitialized(DataType.DOUBLE, length);
    }

    /**
     * The entries of a vector, index i being entry i, for reading. A float64 array laid out contiguously (what
     * every method here creates) is read in place; anything else (a strided view, another data type) is first
     * copied, so writes to the result may then not reach {@code v}: use {@link #writable} to write.
     */
    public static DoubleBuffer readable(INDArray v) {
        return contiguous(v) ? view(v) : view(v.castTo(DataType.DOUBLE).dup('c'));
    }

    /** The entries of a contiguous float64 vector, for writing in place; rejects any other array. */
    public static DoubleBuffer writable(INDArray v) {
        if (!contiguous(v)) {
            throw new IllegalArgumentException("expected a contiguous float64 vector, got " + v.dataType() + " "
                    + v.shapeInfoToString().replace('\n', ' '));
        }
        return view(v);
    }

    private static boolean contiguous(INDArray v) {
        return v.dataType() == DataType.DOUBLE && v.offset() == 0 && (v.length() <= 1 || v.elementWiseStride() == 1)
                && (v.rank() <= 1 || v.length() == Math.max(v.rows(), v.columns()) || v.ordering() == 'c')
                && v.data().length() >= v.length();
    }

    private static DoubleBuffer view(INDArray v) {
        return v.data().asNio().order(ByteOrder.nativeOrder()).asDoubleBuffer();
    }

    /** Σ a_i b_i, in four interleaved partial sums (a fixed order, so the same on every run and thread). */
    public static double dot(INDArray a, INDArray b) {
        int n = length(a, b, "dot");
        return dot(readable(a), readable(b), n);
    }

    static double dot(DoubleBuffer a, DoubleBuffer b, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a.get(i) * b.get(i);
            s1 += a.get(i + 1) * b.get(i + 1);
            s2 += a.get(i + 2) * b.get(i + 2);
            s3 += a.get(i + 3) * b.get(i + 3);
        }
        for (; i < n; i++) s0 += a.get(i) * b.get(i);
        return (s0 + s1) + (s2 + s3);
    }

    public static double squaredNorm(INDArray a) {
        return dot(a, a);
    }

    public static double norm(INDArray a) {
        return Math.sqrt(squaredNorm(a));
    }

    /** y ← y + a·x, in place; returns y. */
    public static INDArray axpyInPlace(double a, INDArray x, INDArray y) {
        int n = length(x, y, "axpy");
        DoubleBuffer xs = readable(x);
        DoubleBuffer ys = writable(y);
        for (int i = 0; i < n; i++) ys.put(i, ys.get(i) + a * xs.get(i));
        return y;
    }

    /** A new array a·x + y. */
    public static INDArray axpy(double a, INDArray x, INDArray y) {
        int n = length(x, y, "axpy");
        INDArray out = uninitialized(n);
        DoubleBuffer xs = readable(x);
        DoubleBuffer ys = readable(y);
        DoubleBuffer o = view(out);
        for (int i = 0; i < n; i++) o.put(i, ys.get(i) + a * xs.get(i));
        return out;
    }

    /**
     * g ← y − α·g, in place over the gradient (one gradient-descent step, one pass); returns g. The same
     * floating-point operations, in the same order, as {@code axpyInPlace(1, y, scaleInPlace(−α, g))}.
     */
    public static INDArray descentStepInPlace(INDArray y, double stepSize, INDArray gradient) {
        int n = length(y, gradient, "descent step");
        DoubleBuffer ys = readable(y);
        DoubleBuffer gs = writable(gradient);
        double a = -stepSize;
        for (int i = 0; i < n; i++) gs.put(i, gs.get(i) * a + ys.get(i));
        return gradient;
    }

    /** y ← x + b·y, in place (the conjugate-gradient direction update); returns y. */
    public static INDArray xpbyInPlace(INDArray x, double b, INDArray y) {
        int n = length(x, y, "xpby");
        DoubleBuffer xs = readable(x);
        DoubleBuffer ys = writable(y);
        for (int i = 0; i < n; i++) ys.put(i, xs.get(i) + ys.get(i) * b);
        return y;
    }

    /** A new array a − b. */
    public static INDArray subtract(INDArray a, INDArray b) {
        int n = length(a, b, "subtract");
        INDArray out = uninitialized(n);
        DoubleBuffer as = readable(a);
        DoubleBuffer bs = readable(b);
        DoubleBuffer o = view(out);
        for (int i = 0; i < n; i++) o.put(i, as.get(i) - bs.get(i));
        return out;
    }

    /** x ← a·x, in place; returns x. */
    public static INDArray scaleInPlace(double a, INDArray x) {
        int n = (int) x.length();
        DoubleBuffer xs = writable(x);
        for (int i = 0; i < n; i++) xs.put(i, xs.get(i) * a);
        return x;
    }

    /** A new array with the same entries. */
    public static INDArray copy(INDArray v) {
        int n = (int) v.length();
        INDArray out = uninitialized(n);
        DoubleBuffer source = readable(v).duplicate();
        source.limit(n);
        view(out).put(source);
        return out;
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

    private static int length(INDArray a, INDArray b, String operation) {
        if (a.length() != b.length()) {
            throw new IllegalArgumentException(operation + " of vectors of lengths " + a.length() + " and " + b.length());
        }
        if (a.length() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(operation + " of a vector longer than 2³¹ − 1: " + a.length());
        }
        return (int) a.length();
    }
}
