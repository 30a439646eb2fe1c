package io.mobl.core.weights;

import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;

/**
 * The dynamic weights of WC-MHGD: Problem (5) of the paper,
 *
 * <pre>
 *     λ_k = argmin_{λ ∈ Δ_S}  ‖∇Φ̂(x_k)(r ∘ λ)‖²  −  u · λᵀ(r ∘ Φ(x_k)),
 * </pre>
 *
 * written with the S×S Gram matrix M = GᵀG of the hypergradients G = ∇Φ̂(x_k) = [g_1 … g_S] (p×S) only:
 * ‖G(r∘λ)‖² = (r∘λ)ᵀM(r∘λ). As a simplex QP {@code ½λᵀHλ + cᵀλ} (see {@link SimplexQp}) this is
 * <pre>
 *     H = 2 · diag(r) · M · diag(r),        c = −u · (r ∘ Φ).
 * </pre>
 * The first term searches for Pareto stationarity (the MHGD part), the second pulls the weight towards the
 * objectives with the largest weighted value r_sφ_s (the weighted-Chebyshev part); for u → ∞ all weight goes
 * to argmax_s r_sφ_s, for u = 0 the result is the r-scaled min-norm weighting. The update direction of
 * Algorithm 1/2 is then d_k = G(r ∘ λ_k).
 */
public final class ChebyshevWeights {
    private ChebyshevWeights() {}

    /**
     * Solves Problem (5) exactly.
     *
     * @param gram            M = GᵀG, S×S symmetric positive semi-definite (singular allowed: p &lt; S, colinear,
     *                        duplicated or zero hypergradients); not modified
     * @param preference      r, length S, in the open simplex (every entry &gt; 0, summing to 1 within 1e-9)
     * @param objectives      Φ(x_k) = (φ_1, …, φ_S), length S, finite
     * @param chebyshevWeight u ≥ 0, the weight of the weighted-Chebyshev term (the paper takes u &gt; 0;
     *                        u = 0 is allowed and gives the r-scaled min-norm weights)
     * @return λ (length S, in the simplex); {@code objective} is the value of Problem (5),
     *         (r∘λ)ᵀM(r∘λ) − u·λᵀ(r∘Φ); {@code multiplier} and {@code kktResidual} are those of the QP with H and c
     *         as in the class comment
     * @throws InvalidInputException naming {@code gram}, {@code preference}, {@code objectives} or
     *         {@code chebyshevWeight}
     */
    public static SimplexQpSolution solve(double[][] gram, double[] preference, double[] objectives,
                                          double chebyshevWeight) {
        double[][] m = SimplexQp.symmetricMatrix("gram", gram);
        int s = m.length;
        double[] r = Checks.preference("preference", preference, s).clone();
        double[] phi = SimplexQp.vector("objectives", objectives, s);
        double u = Checks.nonNegative("chebyshevWeight", chebyshevWeight);
        SimplexQp.requirePositiveSemidefinite("gram", m);

        double[][] h = new double[s][s];
        double[] c = new double[s];
        for (int i = 0; i < s; i++) {
            c[i] = -u * (r[i] * phi[i]);
            h[i][i] = 2 * r[i] * m[i][i] * r[i];
            for (int j = i + 1; j < s; j++) {
                double v = 2 * r[i] * m[i][j] * r[j];
                h[i][j] = v;
                h[j][i] = v;
            }
        }
        SimplexQpSolution qp = SimplexQp.solveValidated(h, c);
        double[] lam = qp.weights();
        return new SimplexQpSolution(lam, objective(m, r, phi, u, lam), qp.multiplier(), qp.kktResidual(),
                qp.iterations());
    }

    /** (r∘λ)ᵀM(r∘λ) − u·λᵀ(r∘Φ), the objective of Problem (5). */
    static double objective(double[][] m, double[] r, double[] phi, double u, double[] lam) {
        int s = lam.length;
        double[] rl = new double[s];
        for (int i = 0; i < s; i++) rl[i] = r[i] * lam[i];
        double quad = 0;
        double lin = 0;
        for (int i = 0; i < s; i++) {
            double row = 0;
            for (int j = 0; j < s; j++) row += m[i][j] * rl[j];
            quad += rl[i] * row;
            lin += lam[i] * (r[i] * phi[i]);
        }
        return quad - u * lin;
    }
}
