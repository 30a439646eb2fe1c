package io.mobl.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The ND4J matmul rate of this machine: the ceiling the hot loops are compared with. */
final class MachinePeak {
    private MachinePeak() {}

    /** Best GFLOP/s of an n×n by n×n product over {@code repeats} runs, per data type. */
    static Map<String, Object> matmul(int n, int repeats) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("n", n);
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            INDArray a = Nd4j.rand(type, n, n);
            INDArray b = Nd4j.rand(type, n, n);
            a.mmul(b); // warm-up
            double best = Double.POSITIVE_INFINITY;
            for (int i = 0; i < repeats; i++) {
                long start = System.nanoTime();
                a.mmul(b);
                best = Math.min(best, (System.nanoTime() - start) / 1e9);
            }
            result.put(type == DataType.DOUBLE ? "float64GflopsBest" : "float32GflopsBest", 2.0 * n * n * n / best / 1e9);
        }
        return result;
    }

    /**
     * One product C (m×n) = op(A)·op(B) with inner dimension k, row-major, as a workload of {@link #gemmRate}.
     *
     * @param transA whether A is stored k×m and used transposed
     * @param transB whether B is stored n×k and used transposed
     */
    record Gemm(int m, int n, int k, boolean transA, boolean transB) {
        double flops() {
            return 2.0 * m * n * k;
        }

        @Override
        public String toString() {
            String a = transA ? k + "×" + m + "ᵀ" : m + "×" + k;
            String b = transB ? n + "×" + k + "ᵀ" : k + "×" + n;
            return a + " · " + b;
        }
    }

    /**
     * Best GFLOP/s over {@code repeats} runs of a sequence of bare OpenBLAS gemm calls (the routine ND4J's mmul ends
     * in) on preallocated memory, float64 and float32: what this machine can do on exactly these shapes, with no
     * framework around them. The shapes of one network gradient at batch 100 are far from the 1000×1000 square
     * whose rate is the usual reference, so this is the fair ceiling for the network's loop.
     */
    static Map<String, Object> gemmRate(List<Gemm> sequence, int repeats) {
        Map<String, Object> result = new LinkedHashMap<>();
        List<String> shapes = new ArrayList<>();
        double flops = 0;
        for (Gemm g : sequence) {
            shapes.add(g.toString());
            flops += g.flops();
        }
        result.put("shapes", shapes);
        result.put("gflopPerSequence", flops / 1e9);
        for (boolean single : new boolean[] {false, true}) {
            int bytes = single ? 4 : 8;
            List<ByteBuffer[]> operands = new ArrayList<>();
            for (Gemm g : sequence) {
                operands.add(new ByteBuffer[] {random((long) g.m * g.k * bytes), random((long) g.k * g.n * bytes),
                        random((long) g.m * g.n * bytes)});
            }
            double best = Double.POSITIVE_INFINITY;
            for (int r = 0; r < repeats + 1; r++) { // the first warms up
                long start = System.nanoTime();
                for (int i = 0; i < sequence.size(); i++) run(sequence.get(i), operands.get(i), single);
                double seconds = (System.nanoTime() - start) / 1e9;
                if (r > 0) best = Math.min(best, seconds);
            }
            result.put(single ? "float32GflopsBest" : "float64GflopsBest", flops / best / 1e9);
        }
        return result;
    }

    private static ByteBuffer random(long bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
        java.util.SplittableRandom random = new java.util.SplittableRandom(bytes);
        while (b.remaining() >= 4) b.putInt(random.nextInt(0x3c000000, 0x3f000000)); // small positive floats (and doubles)
        b.clear();
        return b;
    }

    private static void run(Gemm g, ByteBuffer[] abc, boolean single) {
        int order = openblas_nolapack.CblasRowMajor;
        int ta = g.transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int tb = g.transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int lda = g.transA ? g.m : g.k;
        int ldb = g.transB ? g.k : g.n;
        if (single) {
            openblas_nolapack.cblas_sgemm(order, ta, tb, g.m, g.n, g.k, 1f, abc[0].asFloatBuffer(), lda,
                    abc[1].asFloatBuffer(), ldb, 0f, abc[2].asFloatBuffer(), g.n);
        } else {
            openblas_nolapack.cblas_dgemm(order, ta, tb, g.m, g.n, g.k, 1.0, abc[0].asDoubleBuffer(), lda,
                    abc[1].asDoubleBuffer(), ldb, 0.0, abc[2].asDoubleBuffer(), g.n);
        }
    }
}
