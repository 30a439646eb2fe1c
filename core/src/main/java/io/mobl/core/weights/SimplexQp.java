package io.mobl.core.weights;

import io.mobl.protocol.InvalidInputException;
import org.hipparchus.linear.EigenDecompositionSymmetric;

/**
 * Exact solver for the convex quadratic programme over the probability simplex
 *
 * <pre>
 *     min_{λ ∈ Δ_S}  ½ λᵀHλ + cᵀλ,        Δ_S = { λ ∈ ℝ^S : λ ≥ 0, Σ_s λ_s = 1 },
 * </pre>
 *
 * with H (S×S) symmetric positive <em>semi</em>-definite and c (length S). This is the weight subproblem of
 * WC-MHGD (Eq. (5) of the paper, see {@link ChebyshevWeights}) and of the Pareto-stationarity gap of
 * Definition 3.3 (see {@link MinNormWeights}); there H is built from the S×S Gram matrix M = GᵀG of the S
 * hypergradients, which is singular whenever p &lt; S, gradients are colinear or identical, or one is zero.
 *
 * <h2>Method</h2>
 * A finite primal active-set method (Nocedal &amp; Wright, Algorithm 16.3) in null-space form. The working
 * set W holds the indices fixed at λ_i = 0; on the free set F the equality Σλ_F = 1 is eliminated with an
 * orthonormal basis Z of {@code 1^⊥} (the trailing columns of the Householder reflection that maps
 * {@code 1/√|F|} to e₁). The reduced Hessian ZᵀH_FFZ is diagonalised with Hipparchus'
 * {@link EigenDecompositionSymmetric} (on a copy scaled by a power of two, with a cyclic Jacobi fallback);
 * then, from the current feasible point,
 * <ul>
 *   <li>if the reduced gradient has a significant component along the <b>zero-curvature</b> eigenvectors
 *       (eigenvalue ≤ 1e-13·max(largest eigenvalue, 1) in the scaled units below, negative round-off included),
 *       the step is the negative gradient projected onto that subspace: the objective is linear along it, it is
 *       a descent direction, and since the simplex is bounded it runs into a bound — the method steps to the
 *       blocking bound;</li>
 *   <li>otherwise the step is the minimum-norm Newton step on the face (pseudo-inverse over the positive
 *       eigenvalues);</li>
 * </ul>
 * in both cases the step length is the exact line-search minimiser along the direction, computed with the
 * true curvature pᵀHp, truncated at the first blocking bound (ties broken by the smallest index), whose index
 * then joins W. When the point minimises the objective on its face, the multipliers ν_j = g_j − μ of the
 * bounds in W are checked and the most negative one is released (the smallest index with ν_j &lt; 0 after
 * {@code 20 + 5·S} iterations: Bland's rule, against cycling). The first step after a release is computed
 * from the gradient of the face just left in its exact stationary form (g_F = μ·1), which makes it provably
 * increase the released λ_j; should it still not move λ_j (its multiplier was negative only by round-off),
 * the bound is put back and not released again before the next step of positive length. Iterations are capped
 * at {@code 100 + 20·S} (never reached in our stress runs; the most seen for S = 32 is about 120). Finally the
 * KKT residual is checked and, if it is not at round-off level, the equality system on the detected support is
 * re-solved (a Newton step on the support, kept only if it stays feasible and lowers the residual), and the
 * round-off drift of Σλ is put on the largest weight.
 *
 * <p>Singular H is the normal case and needs no regularisation: zero-curvature directions are either
 * irrelevant (the gradient has no component along them, e.g. a duplicated gradient, and the minimum-norm step
 * leaves them alone) or they are descent directions followed to a bound. Internally H and c are scaled by the
 * power of two that brings max(|H_ij|, |c_i|) into [1, 2) (exact in binary arithmetic); all tolerances are
 * relative to that scale. The computation has no randomness and a fixed order of operations: the same input
 * gives a bit-identical output. S = 1 gives λ = [1].
 *
 * <h2>KKT residual</h2>
 * With g = Hλ + c and the equality multiplier taken as μ = min_i g_i (at an exact solution g_i = μ on the
 * support and g_i ≥ μ elsewhere, so this is the multiplier),
 * <pre>
 *     residual = max( |Σλ − 1|,  max_i max(−λ_i, 0),  max_i |min(λ_i, g_i − μ)| ) / (1 + max|H_ij| + max|c_i|).
 * </pre>
 * It is 0 exactly at a minimiser. The solver reaches round-off level: ≤ 1e-12 is the guarantee the tests
 * check; on 100 000 random rank-deficient, duplicated-column and badly scaled instances with S ≤ 32 the worst
 * value seen was about 1.2e-13.
 *
 * <h2>Input</h2>
 * Rejected with {@link InvalidInputException}: a null, empty or non-square H, a c whose length is not S,
 * non-finite entries, an H that is not symmetric to a relative tolerance of 1e-10 (|H_ij − H_ji| &gt;
 * 1e-10·max|H|), and an H that is clearly indefinite (smallest eigenvalue &lt; −1e-4·largest |eigenvalue|).
 * Smaller negative eigenvalues are taken as round-off of a PSD matrix (e.g. a Gram matrix computed in single
 * precision) and treated as zero curvature. H is used as ½(H + Hᵀ).
 */
public final class SimplexQp {
    private SimplexQp() {}

    /** Relative asymmetry |H_ij − H_ji| / max|H| above which H is rejected. */
    static final double SYMMETRY_TOL = 1e-10;
    /** Smallest eigenvalue below −PSD_TOL · max|eigenvalue| means H is rejected as indefinite. */
    static final double PSD_TOL = 1e-4;

    // Internal tolerances, in the scaled units where max(|H_ij|, |c_i|) ∈ [1, 2).
    /** A face is stationary when max_{i∈F} |g_i − mean(g_F)| is at most this. */
    private static final double STATIONARITY_TOL = 1e-13;
    /** A bound in W is released when its multiplier is below −DUAL_TOL. */
    private static final double DUAL_TOL = 1e-13;
    /** Norm of the reduced gradient along zero-curvature directions above which they are followed. */
    private static final double NULL_GRADIENT_TOL = 1e-13;
    /** Eigenvalues of the reduced Hessian ≤ this times max(largest one, 1) count as zero curvature. */
    private static final double ZERO_CURVATURE_TOL = 1e-13;
    /** Below this (scaled) residual the final polish is skipped. */
    private static final double POLISH_TARGET = 1e-15;

    /**
     * Solves {@code min_{λ∈Δ_S} ½λᵀHλ + cᵀλ} exactly (to round-off).
     *
     * @param hessian H, S×S, symmetric positive semi-definite (singular allowed); not modified
     * @param linear  c, length S; not modified
     * @return λ (length S), the objective ½λᵀHλ + cᵀλ, the multiplier μ of Σλ = 1, the KKT residual (see
     *         the class comment) and the number of active-set iterations
     * @throws InvalidInputException naming {@code hessian} or {@code linear} (with an index where it helps)
     */
    public static SimplexQpSolution solve(double[][] hessian, double[] linear) {
        double[][] h = symmetricMatrix("hessian", hessian);
        double[] c = vector("linear", linear, h.length);
        requirePositiveSemidefinite("hessian", h);
        return solveValidated(h, c);
    }

    // ------------------------------------------------------------------------------------------------------
    // validation shared with the front ends

    /** Checks that m is a non-empty, square, finite, symmetric matrix; returns ½(m + mᵀ) as a fresh copy. */
    static double[][] symmetricMatrix(String field, double[][] m) {
        if (m == null) throw new InvalidInputException(field, null, "a non-null S×S matrix");
        int n = m.length;
        if (n == 0) throw new InvalidInputException(field, "0 rows", "an S×S matrix with S >= 1");
        double maxAbs = 0;
        for (int i = 0; i < n; i++) {
            if (m[i] == null || m[i].length != n) {
                throw new InvalidInputException(field + "[" + i + "]",
                        m[i] == null ? null : "length " + m[i].length, "a row of length " + n + " (square matrix)");
            }
            for (int j = 0; j < n; j++) {
                if (!Double.isFinite(m[i][j])) {
                    throw new InvalidInputException(field + "[" + i + "][" + j + "]", m[i][j], "a finite number");
                }
                maxAbs = Math.max(maxAbs, Math.abs(m[i][j]));
            }
        }
        double[][] s = new double[n][n];
        for (int i = 0; i < n; i++) {
            s[i][i] = m[i][i];
            for (int j = i + 1; j < n; j++) {
                if (Math.abs(m[i][j] - m[j][i]) > SYMMETRY_TOL * maxAbs) {
                    throw new InvalidInputException(field,
                            "[" + i + "][" + j + "] = " + m[i][j] + " but [" + j + "][" + i + "] = " + m[j][i],
                            "a symmetric matrix (relative tolerance " + SYMMETRY_TOL + ")");
                }
                double v = 0.5 * (m[i][j] + m[j][i]);
                s[i][j] = v;
                s[j][i] = v;
            }
        }
        return s;
    }

    /** Checks that v is a finite vector of the given length; returns a copy. */
    static double[] vector(String field, double[] v, int length) {
        if (v == null) throw new InvalidInputException(field, null, "an array of " + length + " finite numbers");
        if (v.length != length) {
            throw new InvalidInputException(field, "length " + v.length, "length " + length);
        }
        for (int i = 0; i < length; i++) {
            if (!Double.isFinite(v[i])) throw new InvalidInputException(field + "[" + i + "]", v[i], "a finite number");
        }
        return v.clone();
    }

    /** Rejects a symmetric matrix whose smallest eigenvalue is below −PSD_TOL · max|eigenvalue|. */
    static void requirePositiveSemidefinite(String field, double[][] symmetric) {
        int n = symmetric.length;
        double min;
        double maxAbs;
        if (n == 1) {
            min = symmetric[0][0];
            maxAbs = Math.abs(min);
        } else {
            double[] ev = SymmetricEigen.decompose(symmetric).values();
            min = ev[n - 1];
            maxAbs = Math.max(Math.abs(ev[0]), Math.abs(ev[n - 1]));
        }
        if (min < -PSD_TOL * maxAbs) {
            throw new InvalidInputException(field, "smallest eigenvalue " + min + ", largest |eigenvalue| " + maxAbs,
                    "a positive semi-definite matrix");
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // the solver

    /** Solves with H already symmetric, finite and (nearly) PSD, c finite of matching length. */
    static SimplexQpSolution solveValidated(double[][] h, double[] c) {
        int n = c.length;
        double[] lam;
        int iterations;
        if (n == 1) {
            lam = new double[] {1.0};
            iterations = 0;
        } else {
            double m = Math.max(maxAbs(h), maxAbs(c));
            double scale = m > 0 ? Math.scalb(1.0, -Math.getExponent(m)) : 1.0;
            double[][] hs = new double[n][n];
            double[] cs = new double[n];
            for (int i = 0; i < n; i++) {
                cs[i] = c[i] * scale;
                for (int j = 0; j < n; j++) hs[i][j] = h[i][j] * scale;
            }
            lam = new double[n];
            iterations = activeSet(hs, cs, lam);
            polish(hs, cs, lam);
        }
        double[] g = gradient(h, c, lam);
        double mu = min(g);
        return new SimplexQpSolution(lam, objective(h, c, lam), mu, residual(h, c, lam), iterations);
    }

    /**
     * The scaled KKT residual (see the class comment) of a candidate λ, for tests and for callers that want to
     * check a λ obtained elsewhere.
     *
     * @param hessian H, S×S symmetric (validated as in {@link #solve})
     * @param linear  c, length S
     * @param weights λ, length S (any finite values; infeasibility shows in the residual)
     * @return the residual, 0 exactly at a minimiser
     */
    public static double kktResidual(double[][] hessian, double[] linear, double[] weights) {
        double[][] h = symmetricMatrix("hessian", hessian);
        double[] c = vector("linear", linear, h.length);
        double[] lam = vector("weights", weights, h.length);
        return residual(h, c, lam);
    }

    static double residual(double[][] hessian, double[] linear, double[] weights) {
        double[] g = gradient(hessian, linear, weights);
        double mu = min(g);
        double sum = 0;
        double r = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i];
            r = Math.max(r, Math.max(-weights[i], 0));
            r = Math.max(r, Math.abs(Math.min(weights[i], g[i] - mu)));
        }
        r = Math.max(r, Math.abs(sum - 1));
        return r / (1 + maxAbs(hessian) + maxAbs(linear));
    }

    /** Runs the active-set iterations from the barycentre; fills lam and returns the iteration count. */
    private static int activeSet(double[][] h, double[] c, double[] lam) {
        int n = c.length;
        java.util.Arrays.fill(lam, 1.0 / n);
        boolean[] free = new boolean[n];
        java.util.Arrays.fill(free, true);
        // bounds whose release just failed to move (round-off made the multiplier's sign unreliable); they are
        // not released again until some step of positive length has been taken
        boolean[] frozen = new boolean[n];
        int maxIterations = 100 + 20 * n;
        int blandAfter = 20 + 5 * n;
        int newtonStreak = 0;
        int released = -1;
        int iteration = 0;
        while (iteration < maxIterations) {
            iteration++;
            int[] f = indices(free, true);
            double[] g = gradient(h, c, lam);
            if (released >= 0) {
                // First step after releasing a bound: the face we left was stationary up to round-off, so use
                // its exact form g_F = μ·1 (plus the released g_j). Then the step provably increases λ_j instead
                // of following round-off in g_F along directions of tiny curvature.
                double mu = 0;
                int others = 0;
                for (int a : f) {
                    if (a == released) continue;
                    mu += g[a];
                    others++;
                }
                mu /= others;
                for (int a : f) if (a != released) g[a] = mu;
            }
            Direction dir = newtonStreak >= 2 ? null : faceDirection(h, g, f, released < 0);
            double[] p = dir == null ? null : dir.p();
            boolean newton = dir != null && dir.newton();
            double slope = 0;
            double kappa = 0;
            if (p != null) {
                for (int a : f) slope += g[a] * p[a];
                for (int a : f) {
                    double row = 0;
                    for (int b : f) row += h[a][b] * p[b];
                    kappa += p[a] * row;
                }
                if (!(slope < 0)) p = null; // no numerical descent left: the face is stationary
            }
            if (released >= 0 && (p == null || !(p[released] > 0))) {
                // the release does not move λ_j: its multiplier is negative only by round-off
                free[released] = false;
                frozen[released] = true;
                released = -1;
                continue;
            }
            if (p == null) {
                // minimiser on the face: check the multipliers of the bounds in W
                double mu = 0;
                for (int a : f) mu += g[a];
                mu /= f.length;
                int release = -1;
                double worst = -DUAL_TOL;
                for (int j = 0; j < n; j++) {
                    if (free[j] || frozen[j]) continue;
                    double nu = g[j] - mu;
                    if (nu < worst) {
                        release = j;
                        if (iteration > blandAfter) break; // Bland: smallest index
                        worst = nu;
                    }
                }
                if (release < 0) return iteration;
                free[release] = true;
                released = release;
                newtonStreak = 0;
                continue;
            }
            double tStar = kappa > 0 ? -slope / kappa : Double.POSITIVE_INFINITY;
            double tBound = Double.POSITIVE_INFINITY;
            int block = -1;
            for (int a : f) {
                if (p[a] < 0) {
                    double t = lam[a] / -p[a];
                    if (t < tBound) {
                        tBound = t;
                        block = a;
                    }
                }
            }
            if (block < 0 && tStar == Double.POSITIVE_INFINITY) {
                // cannot happen in exact arithmetic (Σp = 0, p ≠ 0); treat as stationary on the next pass
                newtonStreak = 2;
                released = -1;
                continue;
            }
            boolean blocked = tBound <= tStar;
            double t = blocked ? tBound : tStar;
            for (int a : f) lam[a] += t * p[a];
            if (blocked) {
                lam[block] = 0;
                free[block] = false;
            }
            for (int a : f) {
                if (free[a] && p[a] < 0 && lam[a] <= 0) { // tie with the blocking bound, up to round-off
                    lam[a] = 0;
                    free[a] = false;
                }
            }
            if (t > 0) java.util.Arrays.fill(frozen, false);
            released = -1;
            newtonStreak = !blocked && newton ? newtonStreak + 1 : 0;
        }
        return iteration;
    }

    /** A search direction p (length S, zero off the free set) and whether it is a Newton step. */
    private record Direction(double[] p, boolean newton) {}

    /** The search direction on the face with free set f, or null when the face is stationary. */
    private static Direction faceDirection(double[][] h, double[] g, int[] f, boolean checkStationarity) {
        int k = f.length;
        if (k == 1) return null;
        int n = g.length;
        double mean = 0;
        for (int a : f) mean += g[a];
        mean /= k;
        double dev = 0;
        for (int a : f) dev = Math.max(dev, Math.abs(g[a] - mean));
        if (checkStationarity && dev <= STATIONARITY_TOL) return null;

        double[] step = reducedStep(h, g, f, true);
        if (step == null) return null;
        double[] p = new double[n];
        for (int i = 0; i < k; i++) p[f[i]] = step[i];
        return new Direction(p, step[k] != 0);
    }

    /**
     * Solves the equality-constrained subproblem on the free set f in null-space form. Returns the step on f
     * (length |f| + 1; the last slot is 1 for a Newton step and 0 for a zero-curvature step), or null when
     * there is nothing to do. With allowZeroCurvature false only the minimum-norm Newton step is computed.
     */
    private static double[] reducedStep(double[][] h, double[] g, int[] f, boolean allowZeroCurvature) {
        int k = f.length;
        int r = k - 1;
        // Householder reflection Q = I − (2/β) w wᵀ with w = 1/√k − e₁: Q·(1/√k) = e₁, so columns 1..k−1 of Q
        // are an orthonormal basis Z of 1^⊥.
        double u = 1.0 / Math.sqrt(k);
        double[] w = new double[k];
        java.util.Arrays.fill(w, u);
        w[0] = u - 1;
        double beta = 0;
        for (double x : w) beta += x * x;
        double twoOverBeta = 2 / beta;

        double[] gf = new double[k];
        for (int i = 0; i < k; i++) gf[i] = g[f[i]];
        double[] qg = reflect(w, twoOverBeta, gf);
        double[] gr = new double[r];
        System.arraycopy(qg, 1, gr, 0, r);

        // Reduced Hessian: rows/columns 1..k−1 of Q H_FF Q.
        double[][] a = new double[k][k];
        for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) a[i][j] = h[f[i]][f[j]];
        double[] aw = new double[k];
        for (int i = 0; i < k; i++) {
            double s = 0;
            for (int j = 0; j < k; j++) s += a[i][j] * w[j];
            aw[i] = s;
        }
        for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) a[i][j] -= twoOverBeta * aw[i] * w[j]; // A·Q
        double[] wa = new double[k];
        for (int j = 0; j < k; j++) {
            double s = 0;
            for (int i = 0; i < k; i++) s += w[i] * a[i][j];
            wa[j] = s;
        }
        for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) a[i][j] -= twoOverBeta * w[i] * wa[j]; // Q·A·Q
        double[][] hr = new double[r][r];
        for (int i = 0; i < r; i++) {
            hr[i][i] = a[i + 1][i + 1];
            for (int j = i + 1; j < r; j++) {
                double v = 0.5 * (a[i + 1][j + 1] + a[j + 1][i + 1]);
                hr[i][j] = v;
                hr[j][i] = v;
            }
        }

        double[] d;
        double[][] v; // v[e] = e-th eigenvector
        if (r == 1) {
            d = new double[] {hr[0][0]};
            v = new double[][] {{1.0}};
        } else {
            SymmetricEigen.Result eig = SymmetricEigen.decompose(hr);
            d = eig.values();
            v = eig.vectors();
        }
        double dMax = 0;
        for (double x : d) dMax = Math.max(dMax, x);
        double zeroTol = ZERO_CURVATURE_TOL * Math.max(dMax, 1.0);

        double[] coef = new double[r];
        double nullNorm2 = 0;
        for (int e = 0; e < r; e++) {
            double s = 0;
            for (int i = 0; i < r; i++) s += v[e][i] * gr[i];
            coef[e] = s;
            if (d[e] <= zeroTol) nullNorm2 += s * s;
        }
        boolean zeroCurvature = allowZeroCurvature && Math.sqrt(nullNorm2) > NULL_GRADIENT_TOL;
        double[] y = new double[r];
        boolean any = false;
        for (int e = 0; e < r; e++) {
            double factor;
            if (zeroCurvature) {
                if (d[e] > zeroTol) continue;
                factor = -coef[e];
            } else {
                if (d[e] <= zeroTol) continue;
                factor = -coef[e] / d[e];
            }
            if (factor == 0) continue;
            any = true;
            for (int i = 0; i < r; i++) y[i] += factor * v[e][i];
        }
        if (!any) return null;
        double[] y0 = new double[k];
        System.arraycopy(y, 0, y0, 1, r);
        double[] pf = reflect(w, twoOverBeta, y0);
        double[] out = new double[k + 1];
        System.arraycopy(pf, 0, out, 0, k);
        out[k] = zeroCurvature ? 0 : 1;
        return out;
    }

    /** Q x with Q = I − (2/β) w wᵀ. */
    private static double[] reflect(double[] w, double twoOverBeta, double[] x) {
        double s = 0;
        for (int i = 0; i < w.length; i++) s += w[i] * x[i];
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i] - twoOverBeta * s * w[i];
        return out;
    }

    /**
     * Final check and polish: while the residual is above round-off level, re-solve the equality system on
     * the support {λ_i > 0} (minimum-norm Newton step on that face) and keep the result only if it stays in
     * the simplex and lowers the residual. Then put the round-off drift of Σλ on the largest weight.
     */
    private static void polish(double[][] h, double[] c, double[] lam) {
        int n = lam.length;
        fixSum(lam);
        for (int round = 0; round < 3; round++) {
            double res = residual(h, c, lam);
            if (res <= POLISH_TARGET) return;
            boolean[] support = new boolean[n];
            for (int i = 0; i < n; i++) support[i] = lam[i] > 0;
            int[] f = indices(support, true);
            if (f.length < 2) return;
            double[] step = reducedStep(h, gradient(h, c, lam), f, false);
            if (step == null) return;
            double[] candidate = lam.clone();
            for (int i = 0; i < f.length; i++) {
                candidate[f[i]] += step[i];
                if (candidate[f[i]] < 0) return;
            }
            fixSum(candidate);
            if (!(residual(h, c, candidate) < res)) return;
            System.arraycopy(candidate, 0, lam, 0, n);
        }
    }

    /** Adds 1 − Σλ to the largest weight (first one on ties). */
    private static void fixSum(double[] lam) {
        double sum = 0;
        int largest = 0;
        for (int i = 0; i < lam.length; i++) {
            sum += lam[i];
            if (lam[i] > lam[largest]) largest = i;
        }
        lam[largest] += 1 - sum;
    }

    // ------------------------------------------------------------------------------------------------------
    // small helpers (fixed summation order, for bit-identical results)

    static double[] gradient(double[][] h, double[] c, double[] lam) {
        int n = c.length;
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) s += h[i][j] * lam[j];
            g[i] = s + c[i];
        }
        return g;
    }

    static double objective(double[][] h, double[] c, double[] lam) {
        int n = c.length;
        double quad = 0;
        double lin = 0;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) s += h[i][j] * lam[j];
            quad += lam[i] * s;
            lin += c[i] * lam[i];
        }
        return 0.5 * quad + lin;
    }

    private static int[] indices(boolean[] mask, boolean value) {
        int count = 0;
        for (boolean b : mask) if (b == value) count++;
        int[] out = new int[count];
        int k = 0;
        for (int i = 0; i < mask.length; i++) if (mask[i] == value) out[k++] = i;
        return out;
    }

    private static double min(double[] x) {
        double m = Double.POSITIVE_INFINITY;
        for (double v : x) m = Math.min(m, v);
        return m;
    }

    static double maxAbs(double[][] m) {
        double a = 0;
        for (double[] row : m) for (double v : row) a = Math.max(a, Math.abs(v));
        return a;
    }

    static double maxAbs(double[] x) {
        double a = 0;
        for (double v : x) a = Math.max(a, Math.abs(v));
        return a;
    }
}
