package io.mobl.core.stochastic;

import io.mobl.core.hypergradient.HypergradientEstimate;
import io.mobl.protocol.Minibatch;
import java.util.List;

/**
 * One objective's share of a stochastic outer iteration (Alg. 2 lines 9–11).
 *
 * @param estimate ∇̂φ_s(x_k) and F^{(s)}(x_k, y_k^D; 𝒟_F^s) (no warm start: Alg. 2 starts v from ∇_y F each time)
 * @param used     the minibatches of 𝒟_F^s
 */
public record SampledEstimate(HypergradientEstimate estimate, List<Minibatch> used) {
    public SampledEstimate {
        used = List.copyOf(used);
    }
}
