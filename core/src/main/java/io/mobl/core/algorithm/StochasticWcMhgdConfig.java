package io.mobl.core.algorithm;

import io.mobl.core.problem.Smoothness;
import io.mobl.core.stochastic.StochasticBilevelProblem;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.time.Duration;
import java.util.Objects;

/**
 * The inputs of Alg. 2 (stochastic WC-MHGD) with Alg. 3, besides the problem, the data and the preference.
 * Batch sizes count samples; a batch is assembled from whole minibatches as they arrive, so it holds at least
 * the size asked for and may hold more (exactly the size when the minibatches have one row, or divide it).
 *
 * @param lowerIterations      D ≥ 1, stochastic gradient steps on the lower level per outer iteration
 * @param lowerStepSize        α; Theorem 5.7 takes α = 2/(L + μ_g)
 * @param upperStepSize        β; Theorem 5.7 takes the deterministic β
 * @param chebyshevWeight      u in Eq. (5), ≥ 0
 * @param lowerBatchSize       |𝒯_t| ≥ 1, samples per lower-level step
 * @param jacobianBatchSize    |𝒟_G| ≥ 1, samples for ∇²_xy G
 * @param upperBatchSize       |𝒟_F^s| ≥ 1, samples of each objective per iteration
 * @param neumannSteps         Q ≥ 1, the terms of Alg. 3
 * @param neumannStepSize      η; Theorem 5.7 needs η ≤ 1/L
 * @param neumannBatchScale    B ≥ 1 in |ℬ_{Q+1−j}| = B·Q·(1 − ημ_g)^{j−1}
 * @param lowerStrongConvexity μ_g > 0, which sets how fast the batches of Alg. 3 shrink; η·μ_g must be < 1
 * @param maxIterations        K ≥ 0, the most outer iterations
 * @param tolerance            ε ≥ 0: stop once the (estimated) stationarity gap is ≤ ε; 0 never stops early
 * @param batchTimeout         how long to wait for one minibatch before the run ends with a diagnostic
 */
public record StochasticWcMhgdConfig(
        int lowerIterations,
        double lowerStepSize,
        double upperStepSize,
        double chebyshevWeight,
        int lowerBatchSize,
        int jacobianBatchSize,
        int upperBatchSize,
        int neumannSteps,
        double neumannStepSize,
        int neumannBatchScale,
        double lowerStrongConvexity,
        int maxIterations,
        double tolerance,
        Duration batchTimeout) {

    /** How long a run waits for one minibatch unless told otherwise. */
    public static final Duration DEFAULT_BATCH_TIMEOUT = Duration.ofSeconds(30);

    public StochasticWcMhgdConfig {
        Checks.atLeast("lower-iterations", lowerIterations, 1);
        Checks.positive("lower-step-size", lowerStepSize);
        Checks.positive("upper-step-size", upperStepSize);
        Checks.nonNegative("chebyshev-weight", chebyshevWeight);
        Checks.atLeast("lower-batch-size", lowerBatchSize, 1);
        Checks.atLeast("jacobian-batch-size", jacobianBatchSize, 1);
        Checks.atLeast("upper-batch-size", upperBatchSize, 1);
        Checks.atLeast("neumann-steps", neumannSteps, 1);
        Checks.positive("neumann-step-size", neumannStepSize);
        Checks.atLeast("neumann-batch-scale", neumannBatchScale, 1);
        Checks.positive("lower-strong-convexity", lowerStrongConvexity);
        if (!(neumannStepSize * lowerStrongConvexity < 1)) {
            throw new InvalidInputException("neumann-step-size", neumannStepSize, "a step with η·μ_g < 1 (μ_g = "
                    + lowerStrongConvexity + "; Theorem 5.7 takes η ≤ 1/L ≤ 1/μ_g)");
        }
        Checks.atLeast("iterations", maxIterations, 0);
        Checks.nonNegative("tolerance", tolerance);
        Objects.requireNonNull(batchTimeout, "batchTimeout");
        if (batchTimeout.isNegative() || batchTimeout.isZero()) {
            throw new InvalidInputException("batch-timeout", batchTimeout, "a positive duration");
        }
    }

    /**
     * Step sizes from Theorem 5.7 where the problem knows its constants: α = 2/(L + μ_g), η = 1/L, and the
     * deterministic β = min{1/(2(1+L_φ)·r_max), 1/(3L_φ)} with r_max taken as 1 ({@link WcMhgdConfig#theoremUpperStep}).
     * Every batch is {@code batchSize} samples; Alg. 3's scale B = ⌈batchSize/Q⌉, so its largest batch ℬ_Q holds
     * about {@code batchSize} samples too and the others shrink from there.
     */
    public static StochasticWcMhgdConfig defaults(StochasticBilevelProblem problem, int lowerIterations,
                                                  int neumannSteps, int batchSize, double chebyshevWeight,
                                                  int maxIterations, double tolerance) {
        Smoothness s = problem.smoothness().orElseThrow(() -> new InvalidInputException("lower-step-size", "auto",
                "explicit step sizes: this problem does not state its smoothness constants"));
        Checks.atLeast("batch-size", batchSize, 1);
        Checks.atLeast("neumann-steps", neumannSteps, 1);
        double l = s.lowerLipschitz();
        double mu = s.lowerStrongConvexity();
        int scale = Math.max(1, (batchSize + neumannSteps - 1) / neumannSteps);
        return new StochasticWcMhgdConfig(lowerIterations, 2.0 / (l + mu), WcMhgdConfig.theoremUpperStep(s),
                chebyshevWeight, batchSize, batchSize, batchSize, neumannSteps, 1.0 / l, scale, mu, maxIterations,
                tolerance, DEFAULT_BATCH_TIMEOUT);
    }

    /**
     * |ℬ_1| … |ℬ_Q| (entry j−1 is |ℬ_j|): |ℬ_{Q+1−j}| = B·Q·(1 − ημ_g)^{j−1}, rounded up to whole samples and to
     * at least one. The paper's condition B·Q·(1 − ημ_g)^{Q−1} ≥ 1 is what makes the "at least one" unnecessary.
     */
    public int[] hessianBatchSizes() {
        int q = neumannSteps;
        double shrink = 1 - neumannStepSize * lowerStrongConvexity;
        int[] sizes = new int[q];
        for (int j = 1; j <= q; j++) {
            double size = (double) neumannBatchScale * q * Math.pow(shrink, j - 1);
            sizes[q - j] = (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.ceil(size - 1e-9)));
        }
        return sizes;
    }

    public StochasticWcMhgdConfig withMaxIterations(int k) {
        return new StochasticWcMhgdConfig(lowerIterations, lowerStepSize, upperStepSize, chebyshevWeight,
                lowerBatchSize, jacobianBatchSize, upperBatchSize, neumannSteps, neumannStepSize, neumannBatchScale,
                lowerStrongConvexity, k, tolerance, batchTimeout);
    }

    public StochasticWcMhgdConfig withBatchTimeout(Duration timeout) {
        return new StochasticWcMhgdConfig(lowerIterations, lowerStepSize, upperStepSize, chebyshevWeight,
                lowerBatchSize, jacobianBatchSize, upperBatchSize, neumannSteps, neumannStepSize, neumannBatchScale,
                lowerStrongConvexity, maxIterations, tolerance, timeout);
    }

    /** The same run with other batch sizes (samples): |𝒯_t|, |𝒟_G|, |𝒟_F^s| and Alg. 3's scale B. */
    public StochasticWcMhgdConfig withBatchSizes(int lower, int jacobian, int upper, int neumannScale) {
        return new StochasticWcMhgdConfig(lowerIterations, lowerStepSize, upperStepSize, chebyshevWeight, lower,
                jacobian, upper, neumannSteps, neumannStepSize, neumannScale, lowerStrongConvexity, maxIterations,
                tolerance, batchTimeout);
    }

    /** Whether the run ends at iteration k with this stationarity gap measured at x_k (as {@link WcMhgdConfig}). */
    public boolean finished(int iteration, double stationarity) {
        return iteration >= maxIterations || stationarity <= tolerance;
    }
}
