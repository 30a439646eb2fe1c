package io.mobl.core.metrics;

import io.mobl.protocol.InvalidInputException;

/**
 * Inverted generational distance of an approximation front A against a reference set Z (e.g. samples of the
 * true Pareto front), for <b>minimisation</b>:
 *
 * <pre>
 *     IGD(A, Z)  = (1/|Z|) Σ_{z∈Z} min_{a∈A} ‖a − z‖₂,
 *     IGD⁺(A, Z) = (1/|Z|) Σ_{z∈Z} min_{a∈A} ‖max(a − z, 0)‖₂      (Ishibuchi et al., 2015).
 * </pre>
 * IGD⁺ only counts the amount by which a is worse than z, so it is weakly Pareto compliant; a front that
 * dominates every reference point has IGD⁺ = 0. Both are 0 when Z ⊆ A. Lower is better.
 */
public final class InvertedGenerationalDistance {
    private InvertedGenerationalDistance() {}

    /**
     * @param front     A, at least one point, each of length S, finite
     * @param reference Z, at least one point of length S, finite
     * @return IGD(A, Z) ≥ 0
     * @throws InvalidInputException naming {@code front} or {@code reference}
     */
    public static double igd(double[][] front, double[][] reference) {
        return mean(front, reference, false);
    }

    /** IGD⁺(A, Z) ≥ 0 (see the class comment); same arguments as {@link #igd}. */
    public static double igdPlus(double[][] front, double[][] reference) {
        return mean(front, reference, true);
    }

    private static double mean(double[][] front, double[][] reference, boolean plus) {
        double[][] z = MetricInputs.points("reference", reference, -1, false);
        double[][] a = MetricInputs.points("front", front, z[0].length, false);
        double total = 0;
        for (double[] zk : z) {
            double best = Double.POSITIVE_INFINITY;
            for (double[] ak : a) {
                double d2 = 0;
                for (int s = 0; s < zk.length; s++) {
                    double diff = ak[s] - zk[s];
                    if (plus) diff = Math.max(diff, 0);
                    d2 += diff * diff;
                }
                best = Math.min(best, d2);
            }
            total += Math.sqrt(best);
        }
        return total / z.length;
    }
}
