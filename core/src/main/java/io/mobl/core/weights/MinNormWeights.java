package io.mobl.core.weights;

import io.mobl.protocol.InvalidInputException;

/**
 * The min-norm weights of Definition 3.3 (ε-Pareto stationarity) and MGDA:
 *
 * <pre>
 *     λ* = argmin_{λ ∈ Δ_S} ‖Gλ‖² = argmin_{λ ∈ Δ_S} λᵀMλ,       M = GᵀG (S×S),
 * </pre>
 * where G = ∇Φ(x) = [g_1 … g_S] (p×S) holds the S (hyper)gradients as columns. The minimum value
 * min_{λ∈Δ} ‖Gλ‖² is the Pareto-stationarity gap: x is ε-Pareto stationary iff the gap is ≤ ε. It is 0
 * exactly when 0 is in the convex hull of the gradients (e.g. when one gradient is zero). As a simplex QP
 * (see {@link SimplexQp}) this is H = 2M, c = 0.
 */
public final class MinNormWeights {
    private MinNormWeights() {}

    /**
     * Solves min_{λ∈Δ_S} λᵀMλ exactly.
     *
     * @param gram M = GᵀG, S×S symmetric positive semi-definite (singular allowed); not modified
     * @return λ (length S, in the simplex); {@code objective} = λᵀMλ = ‖Gλ‖², the Pareto-stationarity gap,
     *         where a tiny negative value from round-off (possible only because M is PSD up to round-off) is
     *         clamped to 0; {@code multiplier} μ is that of the QP with H = 2M (so μ = 2·gap at the optimum);
     *         {@code kktResidual} as defined in {@link SimplexQp} for H = 2M, c = 0
     * @throws InvalidInputException naming {@code gram}
     */
    public static SimplexQpSolution solve(double[][] gram) {
        double[][] m = SimplexQp.symmetricMatrix("gram", gram);
        SimplexQp.requirePositiveSemidefinite("gram", m);
        int s = m.length;
        double[][] h = new double[s][s];
        for (int i = 0; i < s; i++) for (int j = 0; j < s; j++) h[i][j] = 2 * m[i][j];
        SimplexQpSolution qp = SimplexQp.solveValidated(h, new double[s]);
        double[] lam = qp.weights();
        double gap = 0;
        for (int i = 0; i < s; i++) {
            double row = 0;
            for (int j = 0; j < s; j++) row += m[i][j] * lam[j];
            gap += lam[i] * row;
        }
        return new SimplexQpSolution(lam, Math.max(gap, 0.0), qp.multiplier(), qp.kktResidual(), qp.iterations());
    }

    /** The Pareto-stationarity gap min_{λ∈Δ_S} λᵀMλ alone (≥ 0). */
    public static double stationarityGap(double[][] gram) {
        return solve(gram).objective();
    }
}
