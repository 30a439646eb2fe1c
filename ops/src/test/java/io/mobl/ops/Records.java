package io.mobl.ops;

import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.ParetoPoint;

import java.util.Map;

/** Small, valid protocol records for tests. */
public final class Records {
    private Records() {}

    public static IterateTelemetry telemetry(String run, double[] preference, int iteration, double[] objectives) {
        double[] weights = new double[preference.length];
        java.util.Arrays.fill(weights, 1.0 / preference.length);
        return new IterateTelemetry(run, preference, iteration, objectives, weights, 1.0 / (iteration + 1),
                0.1 / (iteration + 1), calls(iteration + 1),
                Map.of("lower", 2_000_000L, "hypergradient", 3_000_000L, "weights", 50_000L, "update", 10_000L));
    }

    public static OracleCalls calls(long k) {
        return new OracleCalls(2 * k, 10 * k, 2 * k, 20 * k);
    }

    public static ParetoPoint point(String run, double[] preference, double[] objectives) {
        return new ParetoPoint(run, preference, new double[] {0.5, -1.25, 3.0}, objectives, 1e-7, 100, calls(100));
    }
}
