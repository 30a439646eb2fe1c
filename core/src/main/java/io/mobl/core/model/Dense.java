package io.mobl.core.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A flat block of float32 or float64 numbers in native memory, read and written entry by entry from Java, with
 * matrix products by OpenBLAS's {@code cblas_?gemm} (the very routine ND4J's own {@code mmul} ends in) on row-major
 * sub-blocks at any offset.
 *
 * <p>Why not ND4J ops: at the network's batch sizes (100 rows) each ND4J call costs tens to hundreds of
 * microseconds of dispatch, shape-info and allocation, and the gradient made a dozen temporaries per layer; the
 * products themselves are a few milliseconds. Calling gemm directly lets a layer's gradient land straight in its
 * slice of the flat gradient (β = 1 adds the second task's trunk gradient in place), and the elementwise work
 * (bias, ReLU and its mask, softmax, the weighted residual) runs as one Java loop each over memory that is
 * allocated once per workspace.
 */
abstract sealed class Dense permits Dense.F64, Dense.F32 {
    private static final int ROW_MAJOR = openblas_nolapack.CblasRowMajor;
    private static final int NO_TRANS = openblas_nolapack.CblasNoTrans;
    private static final int TRANS = openblas_nolapack.CblasTrans;

    abstract double get(int i);

    abstract void put(int i, double value);

    abstract int length();

    abstract Precision precision();

    /** A new zeroed block of {@code length} entries. */
    static Dense allocate(Precision precision, int length) {
        ByteBuffer bytes = ByteBuffer.allocateDirect(Math.max(1, length) * precision.bytes()).order(ByteOrder.nativeOrder());
        return precision == Precision.FLOAT64 ? new F64(bytes.asDoubleBuffer()) : new F32(bytes.asFloatBuffer());
    }

    /**
     * The entries of a contiguous rank-1 (or 'c'-ordered) INDArray of the given precision, in place; null when the
     * array is laid out otherwise or has another data type (the caller then copies).
     */
    static Dense wrap(INDArray a, Precision precision) {
        if (a.dataType() != precision.dataType() || !contiguous(a)) return null;
        ByteBuffer bytes = a.data().asNio().order(ByteOrder.nativeOrder());
        return precision == Precision.FLOAT64 ? new F64(bytes.asDoubleBuffer()) : new F32(bytes.asFloatBuffer());
    }

    /** Whether a's entries are its buffer's first a.length() entries in row-major order. */
    static boolean contiguous(INDArray a) {
        if (a.offset() != 0 || a.data().length() < a.length()) return false;
        if (a.length() <= 1) return true;
        if (a.rank() == 1 || a.length() == Math.max(a.rows(), a.columns()) && a.rank() == 2) return a.elementWiseStride() == 1;
        return a.ordering() == 'c' && a.elementWiseStride() == 1;
    }

    /** this[from, from + count) ← source[sourceFrom, sourceFrom + count), converting the precision if it differs. */
    void copyFrom(Dense source, int sourceFrom, int from, int count) {
        if (this instanceof F32 to && source instanceof F32 f) {
            to.data.put(from, f.data, sourceFrom, count);
        } else if (this instanceof F64 to && source instanceof F64 f) {
            to.data.put(from, f.data, sourceFrom, count);
        } else if (this instanceof F32 to && source instanceof F64 f) {
            // float64 → float32 (θ and v into a float32 pass) in chunks of bulk reads and writes: a direct buffer's
            // per-entry get and put cost several nanoseconds each, the bulk copies a fraction of one
            double[] in = new double[Math.min(count, CHUNK)];
            float[] out = new float[in.length];
            for (int done = 0; done < count; done += in.length) {
                int length = Math.min(in.length, count - done);
                f.data.get(sourceFrom + done, in, 0, length);
                for (int i = 0; i < length; i++) out[i] = (float) in[i];
                to.data.put(from + done, out, 0, length);
            }
        } else {
            for (int i = 0; i < count; i++) put(from + i, source.get(sourceFrom + i));
        }
    }

    private static final int CHUNK = 4096;

    /**
     * Each of the n rows of the n×width block at the start of {@code a} ← σ(row + b), b = bias[from, from + width):
     * the bias and the activation in one pass over the gemm's output, σ ReLU (or tanh when not relu). A float32
     * block is read and written in bulk through {@code scratch} (at least n·width entries): a direct buffer's
     * per-entry access costs several nanoseconds, a plain array's loop a fraction of one.
     */
    static void addBiasActivate(Dense a, int n, int width, Dense bias, int from, boolean relu, float[] scratch) {
        int count = n * width;
        if (a instanceof F32 f) {
            float[] b = new float[width];
            for (int c = 0; c < width; c++) b[c] = (float) bias.get(from + c);
            f.data.get(0, scratch, 0, count);
            if (relu) {
                for (int j = 0, i = 0; j < n; j++) {
                    for (int c = 0; c < width; c++, i++) {
                        float z = scratch[i] + b[c];
                        scratch[i] = z < 0 ? 0 : z;
                    }
                }
            } else {
                for (int i = 0; i < count; i++) scratch[i] = (float) Math.tanh(scratch[i] + b[i % width]);
            }
            f.data.put(0, scratch, 0, count);
            return;
        }
        double[] b = new double[width];
        for (int c = 0; c < width; c++) b[c] = bias.get(from + c);
        for (int j = 0, i = 0; j < n; j++) {
            for (int c = 0; c < width; c++, i++) {
                double z = a.get(i) + b[c];
                a.put(i, relu ? (z < 0 ? 0 : z) : Math.tanh(z));
            }
        }
    }

    /**
     * Through ReLU in back-propagation, with the bias gradient in the same pass: over the n×width block d ← d ⊙ 1[a > 0]
     * (a the layer's activations), and g[from + c] ← (g[from + c] if add) + Σ_j d[j, c], summed row by row in float64.
     * Float32 blocks go through the two scratch arrays (n·width entries each) as in {@link #addBiasActivate}.
     */
    static void maskAndSumColumns(Dense d, Dense a, int n, int width, Dense g, int from, boolean add,
                                  float[] scratchD, float[] scratchA) {
        double[] sums = new double[width];
        if (add) for (int c = 0; c < width; c++) sums[c] = g.get(from + c);
        int count = n * width;
        if (d instanceof F32 df && a instanceof F32 af) {
            df.data.get(0, scratchD, 0, count);
            af.data.get(0, scratchA, 0, count);
            for (int j = 0, i = 0; j < n; j++) {
                for (int c = 0; c < width; c++, i++) {
                    float v = scratchA[i] > 0 ? scratchD[i] : 0;
                    scratchD[i] = v;
                    sums[c] += v;
                }
            }
            df.data.put(0, scratchD, 0, count);
        } else {
            for (int j = 0, i = 0; j < n; j++) {
                for (int c = 0; c < width; c++, i++) {
                    if (a.get(i) > 0) sums[c] += d.get(i);
                    else d.put(i, 0);
                }
            }
        }
        for (int c = 0; c < width; c++) g.put(from + c, sums[c]);
    }

    void fill(int from, int count, double value) {
        for (int i = from; i < from + count; i++) put(i, value);
    }

    /**
     * C ← α·op(A)·op(B) + β·C on row-major blocks: op(A) is m×k, op(B) k×n, C m×n; A starts at aFrom with row
     * stride lda (k when not transposed, m when transposed), likewise B and C. All three share one precision.
     */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, Dense a, int aFrom, int lda,
                     Dense b, int bFrom, int ldb, double beta, Dense c, int cFrom, int ldc) {
        if (m == 0 || n == 0) return;
        int ta = transA ? TRANS : NO_TRANS;
        int tb = transB ? TRANS : NO_TRANS;
        if (c instanceof F64 c64) {
            openblas_nolapack.cblas_dgemm(ROW_MAJOR, ta, tb, m, n, k, alpha, ((F64) a).from(aFrom), lda,
                    ((F64) b).from(bFrom), ldb, beta, c64.from(cFrom), ldc);
        } else {
            openblas_nolapack.cblas_sgemm(ROW_MAJOR, ta, tb, m, n, k, (float) alpha, ((F32) a).from(aFrom), lda,
                    ((F32) b).from(bFrom), ldb, (float) beta, ((F32) c).from(cFrom), ldc);
        }
    }

    /** y[from, from + count) ← α·x[from, from + count) + y[from, from + count), by OpenBLAS ?axpy. */
    static void axpy(double alpha, Dense x, Dense y, int from, int count) {
        if (count == 0) return;
        if (y instanceof F64 y64) {
            openblas_nolapack.cblas_daxpy(count, alpha, ((F64) x).from(from), 1, y64.from(from), 1);
        } else {
            openblas_nolapack.cblas_saxpy(count, (float) alpha, ((F32) x).from(from), 1, ((F32) y).from(from), 1);
        }
    }

    /** x[from, from + count) ← α·x[from, from + count), by OpenBLAS ?scal. */
    static void scale(double alpha, Dense x, int from, int count) {
        if (count == 0) return;
        if (x instanceof F64 x64) openblas_nolapack.cblas_dscal(count, alpha, x64.from(from), 1);
        else openblas_nolapack.cblas_sscal(count, (float) alpha, ((F32) x).from(from), 1);
    }

    static final class F64 extends Dense {
        private final DoubleBuffer data;

        F64(DoubleBuffer data) {
            this.data = data;
        }

        @Override double get(int i) { return data.get(i); }
        @Override void put(int i, double value) { data.put(i, value); }
        @Override int length() { return data.capacity(); }
        @Override Precision precision() { return Precision.FLOAT64; }

        /** A buffer whose first entry is entry {@code from}: JNI passes its address, whatever JavaCPP does with positions. */
        DoubleBuffer from(int from) {
            return from == 0 ? data : data.slice(from, data.capacity() - from);
        }
    }

    static final class F32 extends Dense {
        private final FloatBuffer data;

        F32(FloatBuffer data) {
            this.data = data;
        }

        @Override double get(int i) { return data.get(i); }
        @Override void put(int i, double value) { data.put(i, (float) value); }
        @Override int length() { return data.capacity(); }
        @Override Precision precision() { return Precision.FLOAT32; }

        FloatBuffer from(int from) {
            return from == 0 ? data : data.slice(from, data.capacity() - from);
        }
    }
}
