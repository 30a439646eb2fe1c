package io.mobl.core.algorithm.forum;

import io.mobl.core.weights.SimplexQp;
import io.mobl.core.weights.SimplexQpSolution;
import io.mobl.protocol.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * FORUM's dual problem, Eq. (11)–(12) of its paper, solved exactly from the (m+1)×(m+1) Gram matrix of
 * Λ = (∇F_1, …, ∇F_m, ∇q̃):
 * <pre>
 *   min_{λ∈Δ, γ}  ½‖Σλ_i∇F_i + γ∇q̃‖² − γφ     s.t. γ ≥ 0, γ ≥ Σλ_iπ_i,
 *   π_i = (2φ − ⟨∇q̃, ∇F_i⟩) / ‖∇q̃‖²                                           (Eq. (10))
 * </pre>
 * For fixed λ the objective is a convex parabola in γ with vertex γ° = πᵀλ − φ/‖∇q̃‖² ≤ πᵀλ (φ ≥ 0), so the
 * optimal γ is ν(λ) = max(πᵀλ, 0) and (12) is θ(λ) = ½‖Gλ + ν(λ)∇q̃‖² − ν(λ)φ over the simplex, a convex
 * function with two quadratic pieces split by the hyperplane πᵀλ = 0:
 * <ul>
 *   <li>f_B(λ) = ½‖Σλ_i(∇F_i + π_i∇q̃)‖² − φπᵀλ (γ = πᵀλ), and f_B ≤ θ everywhere (γ = πᵀλ is never
 *       beyond the optimal γ' = max(πᵀλ, 0) on the wrong side of the vertex);</li>
 *   <li>f_A(λ) = ½‖Gλ‖² (γ = 0), which is θ where πᵀλ ≤ 0;</li>
 *   <li>on the hyperplane θ = f_A, and Δ ∩ {πᵀλ = 0} is the convex hull of the points e_i (π_i = 0) and
 *       (−π_j e_i + π_i e_j)/(π_i − π_j) (π_i &gt; 0 &gt; π_j), so minimising over it is again a simplex QP in the
 *       coefficients of those vertices.</li>
 * </ul>
 * Each of the three is a simplex QP solved exactly by {@link SimplexQp}. The minimiser of θ is the minimiser
 * of f_B when that lies in {πᵀλ ≥ 0}, else of f_A when that lies in {πᵀλ ≤ 0}, else on the hyperplane; to be
 * safe with ties (several minimisers), every candidate that is feasible for its piece is evaluated with θ and
 * the best is kept. When ∇q̃ = 0 (the constraint is flat) there is no constraint to enforce: ν = 0 and λ are
 * the min-norm (MGDA) weights.
 */
public final class ForumQp {
    private ForumQp() {}

    /**
     * @param weights    λ, length m, in the simplex
     * @param gamma      γ = ν(λ) ≥ 0
     * @param pi         π, length m (zeros when ∇q̃ = 0)
     * @param objective  θ(λ), the value of (12)
     */
    public record Solution(double[] weights, double gamma, double[] pi, double objective) {}

    /**
     * @param gram m+1 by m+1, the Gram matrix of (∇F_1, …, ∇F_m, ∇q̃): the last row and column are the constraint's
     * @param phi  φ_k ≥ 0
     */
    public static Solution solve(double[][] gram, double phi) {
        int m = gram.length - 1;
        if (m < 1) throw new InvalidInputException("gram", gram.length + " rows", "an (m+1)×(m+1) matrix with m >= 1");
        if (!(phi >= 0) || !Double.isFinite(phi)) throw new InvalidInputException("phi", phi, "a finite number >= 0");
        double[][] mm = new double[m][m];
        double[] c = new double[m];
        for (int i = 0; i < m; i++) {
            if (gram[i].length != m + 1) throw new InvalidInputException("gram[" + i + "]", "length " + gram[i].length, "length " + (m + 1));
            for (int j = 0; j < m; j++) mm[i][j] = 0.5 * (gram[i][j] + gram[j][i]);
            c[i] = 0.5 * (gram[i][m] + gram[m][i]);
        }
        double bb = gram[m][m];
        double scale = bb;
        for (int i = 0; i < m; i++) scale = Math.max(scale, mm[i][i]);
        if (!(bb > 1e-28 * Math.max(scale, 1e-300))) {
            double[] lam = SimplexQp.solve(mm, new double[m]).weights();
            return new Solution(lam, 0, new double[m], theta(mm, c, bb, phi, lam, 0));
        }
        double[] pi = new double[m];
        for (int i = 0; i < m; i++) pi[i] = (2 * phi - c[i]) / bb;

        List<double[]> candidates = new ArrayList<>(3);
        // piece B: γ = πᵀλ, Gram of ∇F_i + π_i∇q̃
        double[][] hb = new double[m][m];
        double[] cb = new double[m];
        for (int i = 0; i < m; i++) {
            cb[i] = -phi * pi[i];
            for (int j = 0; j <= i; j++) {
                double v = mm[i][j] + pi[i] * c[j] + c[i] * pi[j] + bb * pi[i] * pi[j];
                hb[i][j] = v;
                hb[j][i] = v;
            }
        }
        double[] lamB = SimplexQp.solve(hb, cb).weights();
        if (dot(pi, lamB) >= 0) candidates.add(lamB);
        // piece A: γ = 0
        double[] lamA = SimplexQp.solve(mm, new double[m]).weights();
        if (dot(pi, lamA) <= 0) candidates.add(lamA);
        // the hyperplane πᵀλ = 0 within the simplex
        List<double[]> vertices = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            if (pi[i] == 0) {
                double[] e = new double[m];
                e[i] = 1;
                vertices.add(e);
            }
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                if (pi[i] > 0 && pi[j] < 0) {
                    double[] v = new double[m];
                    v[i] = -pi[j] / (pi[i] - pi[j]);
                    v[j] = pi[i] / (pi[i] - pi[j]);
                    vertices.add(v);
                }
            }
        }
        if (!vertices.isEmpty()) {
            int n = vertices.size();
            double[][] hv = new double[n][n];
            for (int a = 0; a < n; a++) {
                for (int b = 0; b <= a; b++) {
                    double v = quadratic(mm, vertices.get(a), vertices.get(b));
                    hv[a][b] = v;
                    hv[b][a] = v;
                }
            }
            double[] mu = SimplexQp.solve(hv, new double[n]).weights();
            double[] lam = new double[m];
            for (int a = 0; a < n; a++) for (int i = 0; i < m; i++) lam[i] += mu[a] * vertices.get(a)[i];
            candidates.add(lam);
        }
        if (candidates.isEmpty()) candidates.add(lamB); // cannot happen in exact arithmetic; keep f_B's minimiser
        double[] best = null;
        double bestValue = Double.POSITIVE_INFINITY;
        for (double[] lam : candidates) {
            double value = theta(mm, c, bb, phi, lam, Math.max(dot(pi, lam), 0));
            if (value < bestValue) {
                bestValue = value;
                best = lam;
            }
        }
        return new Solution(best, Math.max(dot(pi, best), 0), pi, bestValue);
    }

    /** ½‖Gλ + γb‖² − γφ from the Gram entries. */
    static double theta(double[][] mm, double[] c, double bb, double phi, double[] lam, double gamma) {
        return 0.5 * (quadratic(mm, lam, lam) + 2 * gamma * dot(c, lam) + gamma * gamma * bb) - gamma * phi;
    }

    /** The value θ(λ) of (12) at any λ (γ = ν(λ)), for checks. */
    public static double objective(double[][] gram, double phi, double[] lam) {
        int m = gram.length - 1;
        double[][] mm = new double[m][m];
        double[] c = new double[m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) mm[i][j] = gram[i][j];
            c[i] = gram[i][m];
        }
        double bb = gram[m][m];
        double gamma = 0;
        if (bb > 0) {
            double s = 0;
            for (int i = 0; i < m; i++) s += lam[i] * (2 * phi - c[i]) / bb;
            gamma = Math.max(s, 0);
        }
        return theta(mm, c, bb, phi, lam, gamma);
    }

    private static double quadratic(double[][] m, double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == 0) continue;
            double row = 0;
            for (int j = 0; j < b.length; j++) row += m[i][j] * b[j];
            sum += a[i] * row;
        }
        return sum;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
