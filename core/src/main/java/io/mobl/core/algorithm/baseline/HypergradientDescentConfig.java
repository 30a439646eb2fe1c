package io.mobl.core.algorithm.baseline;

import io.mobl.core.algorithm.LowerDescent;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.hypergradient.HypergradientMethod;
import io.mobl.core.hypergradient.NeumannSeries;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;

/**
 * The baselines that step along a fixed combination rule of hypergradients: x_{k+1} = x_k − β Ĝλ_k.
 * <ul>
 *   <li><b>linear</b> scalarisation: λ_k = r, the preference, CG hypergradients;</li>
 *   <li><b>mgda</b> without preference (the WC-MHGD paper's P4): λ_k = argmin_{λ∈Δ}‖Ĝλ‖², CG hypergradients;</li>
 *   <li><b>moml</b> (Ye et al. 2021): the MGDA weights on hypergradients obtained by reverse-mode
 *       differentiation through the D unrolled lower-level steps ({@link NeumannSeries}, which is exactly that
 *       backward pass and keeps the trajectory: O(qD) memory, the point of the FORUM paper's Fig. 1).</li>
 * </ul>
 *
 * @param weighting     how λ_k is chosen
 * @param hypergradient CG (implicit) or the unrolled backward pass
 * @param lower         D ≥ 1 lower-level gradient steps of size α per outer iteration (warm-started)
 * @param upperStepSize β &gt; 0
 */
public record HypergradientDescentConfig(Weighting weighting, HypergradientMethod hypergradient, LowerDescent lower,
                                         double upperStepSize) {

    /** The combination rule of the hypergradients. */
    public enum Weighting { LINEAR_SCALARISATION, MIN_NORM }

    public HypergradientDescentConfig {
        if (weighting == null) throw new InvalidInputException("weighting", null, "linear scalarisation or min-norm");
        if (hypergradient == null) throw new InvalidInputException("hypergradient", null, "cg or ns");
        if (lower == null) throw new InvalidInputException("lower", null, "D lower-level steps of size α");
        lower.requireSteps();
        Checks.positive("upper-step-size", upperStepSize);
    }

    /** By the papers' names: D ≥ 1, α &gt; 0, β &gt; 0. */
    public HypergradientDescentConfig(Weighting weighting, HypergradientMethod hypergradient, int lowerIterations,
                                      double lowerStepSize, double upperStepSize) {
        this(weighting, hypergradient, new LowerDescent(lowerIterations, lowerStepSize), upperStepSize);
    }

    /** D. */
    public int lowerIterations() { return lower.iterations(); }
    /** α. */
    public double lowerStepSize() { return lower.stepSize(); }

    public static HypergradientDescentConfig linear(int cgSteps, int lowerIterations, double lowerStepSize, double upperStepSize) {
        return new HypergradientDescentConfig(Weighting.LINEAR_SCALARISATION, new ConjugateGradient(cgSteps),
                lowerIterations, lowerStepSize, upperStepSize);
    }

    public static HypergradientDescentConfig mgda(int cgSteps, int lowerIterations, double lowerStepSize, double upperStepSize) {
        return new HypergradientDescentConfig(Weighting.MIN_NORM, new ConjugateGradient(cgSteps), lowerIterations,
                lowerStepSize, upperStepSize);
    }

    public static HypergradientDescentConfig moml(int lowerIterations, double lowerStepSize, double upperStepSize) {
        return new HypergradientDescentConfig(Weighting.MIN_NORM, new NeumannSeries(), lowerIterations, lowerStepSize,
                upperStepSize);
    }

    /** "linear-scalarisation", "mgda" or "moml" (min-norm weights on unrolled hypergradients); "linear-scalarisation-ns" otherwise. */
    public String name() {
        boolean unrolled = hypergradient instanceof NeumannSeries;
        return switch (weighting) {
            case LINEAR_SCALARISATION -> unrolled ? "linear-scalarisation-ns" : "linear-scalarisation";
            case MIN_NORM -> unrolled ? "moml" : "mgda";
        };
    }
}
