package io.mobl.core.weights;

import org.hipparchus.exception.MathIllegalStateException;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.EigenDecompositionSymmetric;

/**
 * Eigen-decomposition of a small symmetric matrix for the QP solver: Hipparchus'
 * {@link EigenDecompositionSymmetric} (Householder tridiagonalisation + implicit QL) on a copy scaled by a power of
 * two so that its largest entry lies in [1, 2) — Hipparchus uses absolute thresholds and fails to converge on
 * matrices of magnitude 1e-200 — with a cyclic Jacobi method as fallback should QL ever report non-convergence.
 * Both are deterministic.
 */
final class SymmetricEigen {
    private SymmetricEigen() {}

    /**
     * @param values  eigenvalues, in decreasing order
     * @param vectors vectors[e] is the unit eigenvector of values[e]
     */
    record Result(double[] values, double[][] vectors) {}

    /** Decomposes the symmetric matrix a (exactly symmetric, finite); a is not modified. */
    static Result decompose(double[][] a) {
        int n = a.length;
        double max = SimplexQp.maxAbs(a);
        if (max == 0) {
            double[][] vectors = new double[n][n];
            for (int i = 0; i < n; i++) vectors[i][i] = 1;
            return new Result(new double[n], vectors);
        }
        int exponent = Math.getExponent(max);
        double down = Math.scalb(1.0, -exponent);
        double[][] s = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) s[i][j] = a[i][j] * down;
        Result r;
        try {
            r = hipparchus(s);
        } catch (MathIllegalStateException e) {
            r = jacobi(s);
        }
        double[] values = r.values();
        for (int e = 0; e < n; e++) values[e] = Math.scalb(values[e], exponent);
        return r;
    }

    private static Result hipparchus(double[][] s) {
        int n = s.length;
        EigenDecompositionSymmetric eig = new EigenDecompositionSymmetric(new Array2DRowRealMatrix(s, false), 1e-12, true);
        double[] values = eig.getEigenvalues().clone();
        double[][] vectors = new double[n][];
        for (int e = 0; e < n; e++) vectors[e] = eig.getEigenvector(e).toArray();
        return new Result(values, vectors);
    }

    /** Cyclic Jacobi with threshold; eigenvalues sorted decreasing (stable on ties). */
    static Result jacobi(double[][] input) {
        int n = input.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) a[i] = input[i].clone();
        double[][] v = new double[n][n]; // columns are eigenvectors
        for (int i = 0; i < n; i++) v[i][i] = 1;
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            double diag = 0;
            for (int i = 0; i < n; i++) {
                diag += a[i][i] * a[i][i];
                for (int j = i + 1; j < n; j++) off += a[i][j] * a[i][j];
            }
            if (off == 0 || off <= 1e-34 * diag) break;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = a[p][q];
                    if (apq == 0) continue;
                    double theta = (a[q][q] - a[p][p]) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.sqrt(t * t + 1);
                    double sn = t * c;
                    for (int k = 0; k < n; k++) { // A ← A·J
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - sn * akq;
                        a[k][q] = sn * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) { // A ← Jᵀ·A
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - sn * aqk;
                        a[q][k] = sn * apk + c * aqk;
                    }
                    a[p][q] = 0;
                    a[q][p] = 0;
                    for (int k = 0; k < n; k++) {
                        double vkp = v[k][p];
                        double vkq = v[k][q];
                        v[k][p] = c * vkp - sn * vkq;
                        v[k][q] = sn * vkp + c * vkq;
                    }
                }
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (x, y) -> Double.compare(a[y][y], a[x][x]));
        double[] values = new double[n];
        double[][] vectors = new double[n][n];
        for (int e = 0; e < n; e++) {
            int col = order[e];
            values[e] = a[col][col];
            for (int k = 0; k < n; k++) vectors[e][k] = v[k][col];
        }
        return new Result(values, vectors);
    }
}
