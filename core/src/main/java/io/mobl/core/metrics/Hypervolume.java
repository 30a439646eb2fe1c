package io.mobl.core.metrics;

import io.mobl.protocol.InvalidInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exact hypervolume indicator of a finite point set in objective space, for <b>minimisation</b>: the Lebesgue
 * measure of the region dominated by the points and bounded by the reference point ρ,
 *
 * <pre>
 *     HV(P; ρ) = vol( ∪_{p ∈ P} [p_1, ρ_1] × … × [p_S, ρ_S] ).
 * </pre>
 *
 * Points that do not strictly dominate the reference point (p_s ≥ ρ_s for some s) enclose no volume and are
 * ignored; dominated and duplicated points are fine (they add nothing). The empty set has hypervolume 0.
 * <ul>
 *   <li>S = 1: ρ − min p;</li>
 *   <li>S = 2: sort by the first objective and sweep the staircase, O(n log n);</li>
 *   <li>S = 3: the HV3D sweep along the third objective keeping the 2-D staircase of the points seen so far in
 *       a sorted map and updating its area incrementally, O(n log n);</li>
 *   <li>S ≥ 4: slice along the last objective and apply the (S−1)-dimensional method to each slab, down to the
 *       exact 3-D sweep, O(n^{S−2} log n) — meant for the small sets of a preference sweep.</li>
 * </ul>
 * {@link #bySlicing} (slicing all the way down to S = 1, not using the 2-D/3-D sweeps) and
 * {@link #byInclusionExclusion} are independent exact methods, kept as cross-checks. All methods are
 * deterministic (the points are sorted before any summation, so the input order does not matter beyond
 * round-off).
 */
public final class Hypervolume {
    private Hypervolume() {}

    /** Largest set {@link #byInclusionExclusion} accepts (2^20 subsets). */
    public static final int INCLUSION_EXCLUSION_MAX_POINTS = 20;

    /**
     * Exact hypervolume, choosing the method by dimension (see the class comment).
     *
     * @param points    n points (n ≥ 0), each of length S, finite; not modified
     * @param reference ρ, length S ≥ 1, finite
     * @return HV(P; ρ) ≥ 0
     * @throws InvalidInputException naming {@code points} or {@code reference}
     */
    public static double of(double[][] points, double[] reference) {
        double[] ref = MetricInputs.point("reference", reference);
        double[][] p = inside(MetricInputs.points("points", points, ref.length, true), ref);
        return fast(p, ref);
    }

    /**
     * Exact hypervolume by plain dimension slicing: sort by the last objective, and sum over the slabs between
     * consecutive values the (S−1)-dimensional hypervolume of the points below, down to S = 1. Any S; O(n^S),
     * for cross-checking and small sets.
     */
    public static double bySlicing(double[][] points, double[] reference) {
        double[] ref = MetricInputs.point("reference", reference);
        double[][] p = inside(MetricInputs.points("points", points, ref.length, true), ref);
        return slice(p, ref, ref.length, false);
    }

    /**
     * Exact hypervolume by inclusion–exclusion over all subsets T of the (reference-dominating) points:
     * Σ_{T≠∅} (−1)^{|T|+1} vol([max_{p∈T} p, ρ]). For at most {@value #INCLUSION_EXCLUSION_MAX_POINTS} points.
     *
     * @throws InvalidInputException naming {@code points} when more than
     *         {@value #INCLUSION_EXCLUSION_MAX_POINTS} points dominate the reference point
     */
    public static double byInclusionExclusion(double[][] points, double[] reference) {
        double[] ref = MetricInputs.point("reference", reference);
        double[][] p = inside(MetricInputs.points("points", points, ref.length, true), ref);
        if (p.length > INCLUSION_EXCLUSION_MAX_POINTS) {
            throw new InvalidInputException("points", p.length + " points dominating the reference",
                    "at most " + INCLUSION_EXCLUSION_MAX_POINTS + " for inclusion-exclusion");
        }
        double[] join = new double[ref.length];
        Arrays.fill(join, Double.NEGATIVE_INFINITY);
        return inclusionExclusion(p, ref, 0, join, 0);
    }

    // ------------------------------------------------------------------------------------------------------

    /** The points that strictly dominate the reference, sorted lexicographically (for determinism). */
    private static double[][] inside(double[][] points, double[] ref) {
        List<double[]> kept = new ArrayList<>();
        outer:
        for (double[] p : points) {
            for (int s = 0; s < ref.length; s++) if (!(p[s] < ref[s])) continue outer;
            kept.add(p);
        }
        double[][] out = kept.toArray(new double[0][]);
        Arrays.sort(out, Hypervolume::lexicographic);
        return out;
    }

    private static int lexicographic(double[] a, double[] b) {
        for (int s = 0; s < a.length; s++) {
            int c = Double.compare(a[s], b[s]);
            if (c != 0) return c;
        }
        return 0;
    }

    private static double fast(double[][] p, double[] ref) {
        if (p.length == 0) return 0;
        return switch (ref.length) {
            case 1 -> one(p, ref);
            case 2 -> two(p, ref);
            case 3 -> three(p, ref);
            default -> slice(p, ref, ref.length, true);
        };
    }

    private static double one(double[][] p, double[] ref) {
        double min = Double.POSITIVE_INFINITY;
        for (double[] q : p) min = Math.min(min, q[0]);
        return ref[0] - min;
    }

    /** 2-D sweep over points sorted by (x, y) ascending. */
    private static double two(double[][] p, double[] ref) {
        double[][] sorted = p.clone();
        Arrays.sort(sorted, Hypervolume::lexicographic);
        double area = 0;
        double prevY = ref[1];
        for (double[] q : sorted) {
            if (q[1] < prevY) {
                area += (ref[0] - q[0]) * (prevY - q[1]);
                prevY = q[1];
            }
        }
        return area;
    }

    /**
     * HV3D: sweep the points by increasing third objective; keep the 2-D non-dominated staircase of (x, y) of
     * the points seen so far (x increasing, y decreasing) and its dominated area; each slab [z_k, z_{k+1})
     * contributes area × thickness.
     */
    private static double three(double[][] p, double[] ref) {
        double[][] sorted = p.clone();
        Arrays.sort(sorted, Comparator.<double[]>comparingDouble(q -> q[2]).thenComparing(Hypervolume::lexicographic));
        TreeMap<Double, Double> stair = new TreeMap<>();
        double area = 0;
        double volume = 0;
        for (int k = 0; k < sorted.length; k++) {
            area += insert(stair, sorted[k][0], sorted[k][1], ref[0], ref[1]);
            double zNext = k + 1 < sorted.length ? sorted[k + 1][2] : ref[2];
            volume += area * (zNext - sorted[k][2]);
        }
        return volume;
    }

    /** Inserts (x, y) into the staircase and returns the area it adds. */
    private static double insert(TreeMap<Double, Double> stair, double x, double y, double refX, double refY) {
        Map.Entry<Double, Double> floor = stair.floorEntry(x);
        if (floor != null && floor.getValue() <= y) return 0; // weakly dominated
        Map.Entry<Double, Double> lower = stair.lowerEntry(x);
        double currentX = x;
        double height = lower == null ? refY : lower.getValue(); // boundary height just right of x before insertion
        double added = 0;
        Map.Entry<Double, Double> e = stair.ceilingEntry(x);
        while (e != null && e.getValue() >= y) { // dominated by (x, y): remove, collecting the area between
            added += (e.getKey() - currentX) * (height - y);
            currentX = e.getKey();
            height = e.getValue();
            stair.remove(e.getKey());
            e = stair.higherEntry(currentX);
        }
        double nextX = e == null ? refX : e.getKey();
        added += (nextX - currentX) * (height - y);
        stair.put(x, y);
        return added;
    }

    /**
     * Slices along objective dim−1: with the points sorted by it, the slab between consecutive distinct values
     * z_k &lt; z_{k+1} (z_n = ρ) contributes HV_{dim−1}(points with z ≤ z_k) × (z_{k+1} − z_k).
     */
    private static double slice(double[][] p, double[] ref, int dim, boolean useSweeps) {
        if (p.length == 0) return 0;
        if (dim == 1) return one(p, ref);
        if (useSweeps && dim <= 3) return fast(project(p, dim), Arrays.copyOf(ref, dim));
        int last = dim - 1;
        double[][] sorted = p.clone();
        Arrays.sort(sorted, Comparator.<double[]>comparingDouble(q -> q[last]).thenComparing(Hypervolume::lexicographic));
        double volume = 0;
        List<double[]> below = new ArrayList<>();
        for (int k = 0; k < sorted.length; k++) {
            below.add(sorted[k]);
            double zNext = k + 1 < sorted.length ? sorted[k + 1][last] : ref[last];
            double thickness = zNext - sorted[k][last];
            if (thickness > 0) volume += slice(below.toArray(new double[0][]), ref, dim - 1, useSweeps) * thickness;
        }
        return volume;
    }

    /** The first dim coordinates of each point. */
    private static double[][] project(double[][] p, int dim) {
        if (p.length > 0 && p[0].length == dim) return p;
        double[][] out = new double[p.length][];
        for (int k = 0; k < p.length; k++) out[k] = Arrays.copyOf(p[k], dim);
        return out;
    }

    private static double inclusionExclusion(double[][] p, double[] ref, int from, double[] join, int size) {
        double total = 0;
        for (int k = from; k < p.length; k++) {
            double[] next = new double[join.length];
            double box = 1;
            for (int s = 0; s < join.length; s++) {
                next[s] = Math.max(join[s], p[k][s]);
                box *= ref[s] - next[s];
            }
            double sign = (size % 2 == 0) ? 1 : -1;
            total += sign * box + inclusionExclusion(p, ref, k + 1, next, size + 1);
        }
        return total;
    }
}
