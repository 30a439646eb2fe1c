package io.mobl.core.weights;

import java.util.Random;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.ArrayRealVector;
import org.hipparchus.linear.RealVector;
import org.hipparchus.linear.SingularValueDecomposition;

/** Random test instances and an independent brute-force solver for the simplex QP. */
final class QpInstances {
    private QpInstances() {}

    /** A p×S matrix of gradients as columns; often p &lt; S, with duplicated, colinear and zero columns. */
    static double[][] gradients(Random rnd, int s, int p, boolean degenerate) {
        double[][] g = new double[p][s];
        for (int i = 0; i < p; i++) for (int j = 0; j < s; j++) g[i][j] = rnd.nextGaussian();
        if (degenerate && s >= 2) {
            if (rnd.nextDouble() < 0.35) copyColumn(g, rnd.nextInt(s), rnd.nextInt(s), 1.0);
            if (rnd.nextDouble() < 0.25) copyColumn(g, rnd.nextInt(s), rnd.nextInt(s), rnd.nextGaussian() * 2);
            if (rnd.nextDouble() < 0.15) copyColumn(g, rnd.nextInt(s), rnd.nextInt(s), 0.0);
        }
        return g;
    }

    private static void copyColumn(double[][] g, int from, int to, double factor) {
        for (double[] row : g) row[to] = factor * row[from];
    }

    /** GᵀG. */
    static double[][] gram(double[][] g) {
        int s = g[0].length;
        double[][] m = new double[s][s];
        for (int i = 0; i < s; i++) {
            for (int j = i; j < s; j++) {
                double v = 0;
                for (double[] row : g) v += row[i] * row[j];
                m[i][j] = v;
                m[j][i] = v;
            }
        }
        return m;
    }

    /** A random PSD H = a·GᵀG (rank ≤ p) with p drawn in [1, S + 2], possibly degenerate columns. */
    static double[][] hessian(Random rnd, int s) {
        int p = 1 + rnd.nextInt(s + 2);
        double[][] m = gram(gradients(rnd, s, p, true));
        double a = new double[] {0.01, 1, 1, 10}[rnd.nextInt(4)];
        for (double[] row : m) for (int j = 0; j < s; j++) row[j] *= a;
        return m;
    }

    /** A random c: zero, small, unit or large. */
    static double[] linear(Random rnd, int s) {
        double a = new double[] {0, 0.01, 1, 1, 10}[rnd.nextInt(5)];
        double[] c = new double[s];
        for (int i = 0; i < s; i++) c[i] = a * rnd.nextGaussian();
        if (a != 0 && s >= 2 && rnd.nextDouble() < 0.3) c[rnd.nextInt(s)] = c[rnd.nextInt(s)]; // ties
        return c;
    }

    static double objective(double[][] h, double[] c, double[] lam) {
        double v = 0;
        for (int i = 0; i < c.length; i++) {
            double row = 0;
            for (int j = 0; j < c.length; j++) row += h[i][j] * lam[j];
            v += 0.5 * lam[i] * row + c[i] * lam[i];
        }
        return v;
    }

    static double scale(double[][] h, double[] c) {
        return 1 + SimplexQp.maxAbs(h) + SimplexQp.maxAbs(c);
    }

    /**
     * Brute force: for every non-empty support F, solve the KKT system [H_FF −1; 1ᵀ 0][λ_F; μ] = [−c_F; 1]
     * (with H and c divided by their scale, so that the equality row is not drowned) by least squares (SVD
     * pseudo-inverse); keep the solutions that do solve it, are feasible (λ_F ≥ 0) and satisfy the dual sign
     * conditions (Hλ + c)_j ≥ μ off F; return the smallest objective among them.
     */
    static double bruteForceMinimum(double[][] h, double[] c) {
        int s = c.length;
        double scale = scale(h, c);
        double best = Double.POSITIVE_INFINITY;
        for (int mask = 1; mask < (1 << s); mask++) {
            int[] f = new int[Integer.bitCount(mask)];
            for (int i = 0, k = 0; i < s; i++) if ((mask & (1 << i)) != 0) f[k++] = i;
            int k = f.length;
            double[][] kkt = new double[k + 1][k + 1];
            double[] rhs = new double[k + 1];
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < k; b++) kkt[a][b] = h[f[a]][f[b]] / scale;
                kkt[a][k] = -1;
                kkt[k][a] = 1;
                rhs[a] = -c[f[a]] / scale;
            }
            rhs[k] = 1;
            Array2DRowRealMatrix matrix = new Array2DRowRealMatrix(kkt, false);
            RealVector x = new SingularValueDecomposition(matrix).getSolver().solve(new ArrayRealVector(rhs));
            RealVector res = matrix.operate(x).subtract(new ArrayRealVector(rhs));
            if (res.getLInfNorm() > 1e-9) continue;
            double[] lam = new double[s];
            boolean feasible = true;
            double sum = 0;
            for (int a = 0; a < k; a++) {
                lam[f[a]] = x.getEntry(a);
                if (lam[f[a]] < -1e-12) feasible = false;
                lam[f[a]] = Math.max(lam[f[a]], 0);
                sum += lam[f[a]];
            }
            if (!feasible) continue;
            for (int a = 0; a < k; a++) lam[f[a]] /= sum;
            double mu = x.getEntry(k) * scale;
            boolean dual = true;
            for (int j = 0; j < s; j++) {
                if ((mask & (1 << j)) != 0) continue;
                double g = c[j];
                for (int b = 0; b < s; b++) g += h[j][b] * lam[b];
                if (g - mu < -1e-9 * scale) dual = false;
            }
            if (!dual) continue;
            best = Math.min(best, objective(h, c, lam));
        }
        return best;
    }

    /** The Frank–Wolfe gap λᵀg − min_i g_i, an upper bound on f(λ) − f* for feasible λ. */
    static double frankWolfeGap(double[][] h, double[] c, double[] lam) {
        double[] g = SimplexQp.gradient(h, c, lam);
        double min = Double.POSITIVE_INFINITY;
        double dot = 0;
        for (int i = 0; i < g.length; i++) {
            min = Math.min(min, g[i]);
            dot += lam[i] * g[i];
        }
        return dot - min;
    }
}
