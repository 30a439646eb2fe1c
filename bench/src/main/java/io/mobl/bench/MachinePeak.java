package io.mobl.bench;

import java.util.LinkedHashMap;
import java.util.Map;
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
}
