package io.mobl.core.weights;

import java.util.Arrays;
import java.util.Objects;

/**
 * The solution of a simplex-constrained convex quadratic programme
 * {@code min_{λ∈Δ_S} ½ λᵀHλ + cᵀλ}, {@code Δ_S = {λ ≥ 0, Σλ = 1}}, as returned by {@link SimplexQp}
 * and by the two paper-specific front ends {@link ChebyshevWeights} and {@link MinNormWeights}.
 *
 * @param weights     λ, length S, every entry {@code >= 0} and summing to 1 (up to round-off); the
 *                    entries outside the detected support are exactly {@code 0.0}
 * @param objective   the objective value at λ; {@link SimplexQp} reports {@code ½ λᵀHλ + cᵀλ}, the front
 *                    ends report their own objective (see there)
 * @param multiplier  μ, the Lagrange multiplier of the equality {@code Σλ = 1}, with the sign convention
 *                    {@code Hλ + c = μ·1 + ν}, {@code ν ≥ 0}, {@code ν_iλ_i = 0}; at the exact optimum
 *                    {@code μ = min_i (Hλ + c)_i}
 * @param kktResidual the scaled KKT residual of λ (see {@link SimplexQp} for the exact definition)
 * @param iterations  active-set iterations spent (0 for S = 1)
 */
public record SimplexQpSolution(double[] weights, double objective, double multiplier, double kktResidual,
                                int iterations) {

    public SimplexQpSolution {
        Objects.requireNonNull(weights, "weights");
        weights = weights.clone();
    }

    /** A copy of λ (the record keeps its own array, so that a caller cannot change it). */
    @Override
    public double[] weights() {
        return weights.clone();
    }

    /** Number of objectives S. */
    public int size() {
        return weights.length;
    }

    /** λ_s without copying the whole vector. */
    public double weight(int s) {
        return weights[s];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SimplexQpSolution q && Arrays.equals(weights, q.weights)
                && Double.compare(objective, q.objective) == 0 && Double.compare(multiplier, q.multiplier) == 0
                && Double.compare(kktResidual, q.kktResidual) == 0 && iterations == q.iterations;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(weights), objective, multiplier, kktResidual, iterations);
    }

    @Override
    public String toString() {
        return "SimplexQpSolution[weights=" + Arrays.toString(weights) + ", objective=" + objective
                + ", multiplier=" + multiplier + ", kktResidual=" + kktResidual + ", iterations=" + iterations + "]";
    }
}
