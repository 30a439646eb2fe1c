package io.mobl.core.algorithm;

import io.mobl.protocol.Checks;

/**
 * Lines 15–16 of Alg. 1 (13–14 of Alg. 2): the weights λ_k from QP (5) with the weighted-Chebyshev weight u, and the
 * step x_{k+1} = x_k − β Ĝ(r∘λ_k).
 *
 * @param upperStepSize   β &gt; 0
 * @param chebyshevWeight u ≥ 0 in Eq. (5)
 */
public record ChebyshevStep(double upperStepSize, double chebyshevWeight) {
    public ChebyshevStep {
        Checks.positive("upper-step-size", upperStepSize);
        Checks.nonNegative("chebyshev-weight", chebyshevWeight);
    }
}
