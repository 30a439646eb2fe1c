package io.mobl.core.metrics;

import io.mobl.protocol.InvalidInputException;

/**
 * Preference vectors r for a sweep of N preferences, all in the <b>open</b> simplex (every entry &gt; 0, as
 * the paper's r ∈ Δ_S^+ requires):
 * <ul>
 *   <li>S = 2: r = (i/(N+1), 1 − i/(N+1)) for i = 1, …, N (r_1 increasing);</li>
 *   <li>S ≥ 3: the interior of the Das–Dennis lattice with H divisions, {k/H : k ∈ ℕ^S, k_s ≥ 1, Σk_s = H},
 *       which has C(H−1, S−1) points, for the smallest H with at least N of them; the first N in
 *       lexicographic order of (k_1, …, k_S) (increasing k_1, then k_2, …) are returned. When N equals the
 *       lattice size exactly (N = C(H−1, S−1): 1, 3, 6, 10, 15, … for S = 3) the grid is symmetric under
 *       permutation of the objectives; otherwise it is truncated on the large-k_1 side.</li>
 * </ul>
 * S = 2 is the same rule (H = N + 1). Entries are computed as r_s = k_s/H for s &lt; S and
 * r_S = 1 − Σ_{s&lt;S} r_s, so every vector sums to 1 up to one rounding (|Σr − 1| ≤ 1e-15 for S ≤ 8).
 * Deterministic.
 */
public final class PreferenceGrid {
    private PreferenceGrid() {}

    /**
     * @param objectives S ≥ 2
     * @param count      N ≥ 1
     * @return N vectors of length S in the open simplex, in the order described in the class comment
     * @throws InvalidInputException naming {@code objectives} or {@code count}
     */
    public static double[][] of(int objectives, int count) {
        int h = divisions(objectives, count);
        int s = objectives;
        double[][] out = new double[count][];
        int[] k = new int[s];
        // first composition in lexicographic order: (1, …, 1, H − S + 1)
        java.util.Arrays.fill(k, 1);
        k[s - 1] = h - (s - 1);
        for (int n = 0; n < count; n++) {
            double[] r = new double[s];
            double sum = 0;
            for (int i = 0; i < s - 1; i++) {
                r[i] = (double) k[i] / h;
                sum += r[i];
            }
            r[s - 1] = 1 - sum;
            out[n] = r;
            if (n + 1 < count) next(k);
        }
        return out;
    }

    /** The balanced preference (1/S, …, 1/S), its last entry 1 − (S−1)·(1/S), which takes up the rounding of 1/S. */
    public static double[] balanced(int objectives) {
        if (objectives < 1) throw new InvalidInputException("objectives", objectives, "an integer >= 1");
        double[] r = new double[objectives];
        java.util.Arrays.fill(r, 1.0 / objectives);
        r[objectives - 1] = 1.0 - (objectives - 1) * (1.0 / objectives);
        return r;
    }

    /**
     * The number of divisions H used for S objectives and N preferences: the smallest H with
     * C(H−1, S−1) ≥ N (N + 1 for S = 2).
     */
    public static int divisions(int objectives, int count) {
        if (objectives < 2) throw new InvalidInputException("objectives", objectives, "an integer >= 2");
        if (count < 1) throw new InvalidInputException("count", count, "an integer >= 1");
        int h = objectives;
        while (interiorPoints(h, objectives) < count) h++;
        return h;
    }

    /** C(H−1, S−1), saturated at Long.MAX_VALUE. */
    static long interiorPoints(int divisions, int objectives) {
        int n = divisions - 1;
        int r = objectives - 1;
        if (r > n) return 0;
        long c = 1;
        for (int i = 1; i <= r; i++) {
            // c = C(n − r + i, i) = c · (n − r + i) / i, exact at every step
            long factor = n - r + i;
            if (c > Long.MAX_VALUE / factor) return Long.MAX_VALUE;
            c = c * factor / i;
        }
        return c;
    }

    /** Next composition of H into S parts ≥ 1 in lexicographic order (the caller knows one exists). */
    private static void next(int[] k) {
        int s = k.length;
        // find the rightmost position i < S−1 that can grow: the tail after it must keep every part ≥ 1
        int tail = k[s - 1];
        int i = s - 2;
        while (i >= 0 && tail == s - 1 - i) { // tail (k_{i+1} + … + k_S) is at its minimum S−1−i
            tail += k[i];
            i--;
        }
        if (i < 0) throw new IllegalStateException("no next composition");
        k[i]++;
        tail--;
        for (int j = i + 1; j < s - 1; j++) k[j] = 1;
        k[s - 1] = tail - (s - 2 - i);
    }
}
