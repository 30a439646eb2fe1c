package io.mobl.core.stochastic;

import io.mobl.core.lower.LowerSolution;
import io.mobl.protocol.Minibatch;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the lower-level phase of stochastic WC-MHGD (Alg. 2 lines 3–7) hands to the hypergradients of all S
 * objectives: y_k^D after D stochastic gradient steps, and the lower-level batches 𝒟_G (for ∇²_xy G) and
 * 𝒟_H = {ℬ_1 … ℬ_Q} (for Alg. 3) drawn once per iteration and shared by the objectives.
 *
 * @param solution        y_k^D, length q
 * @param jacobianBatch   𝒟_G
 * @param hessianBatches  ℬ_1 … ℬ_Q, in that order
 * @param used            every minibatch this phase consumed (𝒯_0 … 𝒯_{D−1}, 𝒟_G, 𝒟_H), in arrival order
 */
public record SampledLower(INDArray solution, SampleBatch jacobianBatch, List<SampleBatch> hessianBatches,
                           List<Minibatch> used) {
    public SampledLower {
        hessianBatches = List.copyOf(hessianBatches);
        used = List.copyOf(used);
    }

    /** y_k^D as the deterministic phases and {@code WcMhgdState} carry it (no trajectory: Alg. 2 needs none). */
    public LowerSolution lower() {
        return new LowerSolution(solution, List.of());
    }
}
