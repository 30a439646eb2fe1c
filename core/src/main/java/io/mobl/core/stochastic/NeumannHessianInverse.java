package io.mobl.core.stochastic;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Alg. 3 of the WC-MHGD paper: a stochastic Neumann-series estimate of [∇²_yy g(x, y)]⁻¹·v⁰ from Q mutually
 * independent batches ℬ_1 … ℬ_Q,
 * <pre>
 *   ν^Q = v⁰;   ν^{i−1} = ν^i − η ∇²_yy G(x, y; ℬ_i)·ν^i  (i = Q, …, 1);   v^Q = η Σ_{i=0}^{Q} ν^i,
 * </pre>
 * i.e. v^Q = η Σ_{m=0}^{Q} Π_{j=Q−m+1}^{Q} (I − ηH_j)·v⁰ with H_j the Hessian on ℬ_j. With exact Hessians this is
 * η Σ_{m=0}^{Q} (I − ηH)^m v⁰ = H⁻¹(I − (I − ηH)^{Q+1}) v⁰, which tends to H⁻¹v⁰ for η ≤ 1/L.
 *
 * <p>One reading of the printed box is made explicit: its output "η Σ_{i=0}^{Q} ν^{(s),i−1}" has Q + 1 terms and
 * an index ν^{−1} that the loop never defines; the sum here is over the Q + 1 vectors the loop does define,
 * ν^Q … ν^0, which is stocBiO's estimator (Ji, Yang and Liang 2021, Alg. 3) that the paper says it follows.
 * ℬ_Q multiplies every term but the first and ℬ_1 only the last, so the batch sizes shrink from ℬ_Q to ℬ_1
 * ({@code StochasticWcMhgdConfig#hessianBatchSizes}). Costs Q HV(g) calls (|ℬ_i| each, per sample).
 */
public final class NeumannHessianInverse {
    private NeumannHessianInverse() {}

    /**
     * @param start   v⁰ = ∇_y F^{(s)}(x, y; 𝒟_F^s), length q; not modified
     * @param batches ℬ_1 … ℬ_Q, in that order (Q ≥ 1)
     * @param eta     η, at most 1/L
     * @return v^Q, length q
     */
    public static INDArray estimate(StochasticBilevelProblem problem, INDArray x, INDArray y, INDArray start,
                                    List<SampleBatch> batches, double eta) {
        INDArray nu = start;
        INDArray sum = start.dup();
        for (int i = batches.size(); i >= 1; i--) {
            nu = nu.sub(problem.hessianVector(x, y, nu, batches.get(i - 1)).muli(eta));
            sum.addi(nu);
        }
        return sum.muli(eta);
    }

}
