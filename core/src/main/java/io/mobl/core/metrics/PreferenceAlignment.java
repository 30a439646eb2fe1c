package io.mobl.core.metrics;

import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;

/**
 * How well a point's objective values Φ = (φ_1, …, φ_S) align with a preference r in the open simplex, in the
 * weighted-Chebyshev sense of the paper (Lemma 4.1, WC_r(Φ) = max_s r_sφ_s):
 *
 * <pre>
 *     weightedChebyshev(Φ, r) = max_s r_s φ_s
 *     spread(Φ, r)            = max_s r_s φ_s − min_s r_s φ_s   (≥ 0)
 * </pre>
 * The spread is 0 exactly when all weighted objectives r_sφ_s are equal, i.e. when Φ = t·(1/r_1, …, 1/r_S) for
 * some real t: Φ lies on the line through the origin along which the level sets of WC_r have their corners
 * (for positive objectives, the ray on which a point minimising WC_r over a front meets it when that front
 * crosses the ray). It is in the units of the objectives; divide by {@link #weightedChebyshev} for a relative
 * measure when the objectives are positive.
 */
public final class PreferenceAlignment {
    private PreferenceAlignment() {}

    /**
     * max_s r_sφ_s.
     *
     * @param objectives Φ, length S ≥ 1, finite
     * @param preference r, length S, every entry &gt; 0, summing to 1 within 1e-9
     * @throws InvalidInputException naming {@code objectives} or {@code preference}
     */
    public static double weightedChebyshev(double[] objectives, double[] preference) {
        double[] w = weighted(objectives, preference);
        double max = Double.NEGATIVE_INFINITY;
        for (double v : w) max = Math.max(max, v);
        return max;
    }

    /** max_s r_sφ_s − min_s r_sφ_s (see the class comment); same arguments as {@link #weightedChebyshev}. */
    public static double spread(double[] objectives, double[] preference) {
        double[] w = weighted(objectives, preference);
        double max = Double.NEGATIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        for (double v : w) {
            max = Math.max(max, v);
            min = Math.min(min, v);
        }
        return max - min;
    }

    /** r ∘ Φ, the weighted objectives; same arguments as {@link #weightedChebyshev}. */
    public static double[] weighted(double[] objectives, double[] preference) {
        double[] phi = MetricInputs.point("objectives", objectives);
        double[] r = Checks.preference("preference", preference, phi.length);
        double[] w = new double[phi.length];
        for (int s = 0; s < w.length; s++) w[s] = r[s] * phi[s];
        return w;
    }
}
