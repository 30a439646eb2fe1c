package io.mobl.core.algorithm.baseline;

import io.mobl.core.algorithm.LowerDescent;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;

/**
 * The inputs of MoCo (Fernando et al., ICLR 2023) as a bilevel baseline: unrolled (ITD) hypergradients, tracked
 * by a moving average, and weights updated by one projected gradient step per iteration.
 *
 * @param lower            D ≥ 1 unrolled lower-level steps of size α per outer iteration
 * @param upperStepSize    β &gt; 0, the step of x along the tracked direction Yλ
 * @param trackingRate     the tracking coefficient in (0, 1]: Y ← Y − rate·(Y − Ĝ) (1 tracks nothing)
 * @param weightStepSize   γ &gt; 0, the step of the projected gradient step on λ
 * @param weightRegulariser ρ ≥ 0, the ridge term of the weight objective ½‖Yλ‖² + ρ/2‖λ‖²
 */
public record MocoConfig(LowerDescent lower, double upperStepSize, double trackingRate, double weightStepSize,
                         double weightRegulariser) {

    public MocoConfig {
        if (lower == null) throw new InvalidInputException("lower", null, "D lower-level steps of size α");
        lower.requireSteps();
        Checks.positive("upper-step-size", upperStepSize);
        if (!(trackingRate > 0 && trackingRate <= 1)) {
            throw new InvalidInputException("tracking-rate", trackingRate, "a number in (0, 1]");
        }
        Checks.positive("weight-step-size", weightStepSize);
        Checks.nonNegative("weight-regulariser", weightRegulariser);
    }

    /** By the papers' names: D ≥ 1, α &gt; 0, then as the components. */
    public MocoConfig(int lowerIterations, double lowerStepSize, double upperStepSize, double trackingRate,
                      double weightStepSize, double weightRegulariser) {
        this(new LowerDescent(lowerIterations, lowerStepSize), upperStepSize, trackingRate, weightStepSize,
                weightRegulariser);
    }

    /** D. */
    public int lowerIterations() { return lower.iterations(); }
    /** α. */
    public double lowerStepSize() { return lower.stepSize(); }

    /** Tracking rate 0.5, γ = 0.1, ρ = 0: the defaults used here when none are given. */
    public static MocoConfig defaults(int lowerIterations, double lowerStepSize, double upperStepSize) {
        return new MocoConfig(lowerIterations, lowerStepSize, upperStepSize, 0.5, 0.1, 0.0);
    }
}
