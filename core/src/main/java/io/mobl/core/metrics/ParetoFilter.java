package io.mobl.core.metrics;

import io.mobl.protocol.InvalidInputException;

/**
 * Pareto dominance for <b>minimisation</b> and the non-dominated subset of a point set. Point a dominates b
 * (Definition 3.1 of the paper) iff a_s ≤ b_s for every s and a_s &lt; b_s for at least one s. A point is kept
 * iff no other point of the set dominates it; in particular exact duplicates do not dominate each other and are
 * all kept. O(n²·S), for the small sets of a preference sweep.
 */
public final class ParetoFilter {
    private ParetoFilter() {}

    /** Whether a dominates b (minimisation); a and b must have the same length. */
    public static boolean dominates(double[] a, double[] b) {
        if (a == null) throw new InvalidInputException("a", null, "a point");
        if (b == null || b.length != a.length) {
            throw new InvalidInputException("b", b == null ? null : "length " + b.length,
                    "a point of the same length as a (" + a.length + ")");
        }
        boolean strictly = false;
        for (int s = 0; s < a.length; s++) {
            if (a[s] > b[s]) return false;
            if (a[s] < b[s]) strictly = true;
        }
        return strictly;
    }

    /**
     * Indices of the non-dominated points, in increasing order.
     *
     * @param points n ≥ 0 points of equal length S ≥ 1, finite
     * @throws InvalidInputException naming {@code points}
     */
    public static int[] nonDominatedIndices(double[][] points) {
        double[][] p = MetricInputs.points("points", points, -1, true);
        int[] keep = new int[p.length];
        int count = 0;
        for (int i = 0; i < p.length; i++) {
            boolean dominated = false;
            for (int j = 0; j < p.length && !dominated; j++) dominated = j != i && dominates(p[j], p[i]);
            if (!dominated) keep[count++] = i;
        }
        return java.util.Arrays.copyOf(keep, count);
    }

    /** The non-dominated points (copies), in their original order. */
    public static double[][] nonDominated(double[][] points) {
        int[] idx = nonDominatedIndices(points);
        double[][] out = new double[idx.length][];
        for (int k = 0; k < idx.length; k++) out[k] = points[idx[k]].clone();
        return out;
    }
}
