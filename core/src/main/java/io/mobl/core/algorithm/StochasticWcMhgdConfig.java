package io.mobl.core.algorithm;

import io.mobl.core.problem.ProblemConstants;
import io.mobl.core.stochastic.StochasticBilevelProblem;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.time.Duration;
import java.util.Objects;

/**
 * The inputs of Alg. 2 (stochastic WC-MHGD) with Alg. 3, besides the problem, the data and the preference: the
 * parts it shares with {@link WcMhgdConfig} (lower-level steps, weight subproblem and step, budget) and its own
 * sampling. Batch sizes count samples; a batch is assembled from whole minibatches as they arrive, so it holds at
 * least the size asked for and may hold more (exactly the size when the minibatches have one row, or divide it).
 *
 * @param lower        D ≥ 1 stochastic gradient steps on the lower level per outer iteration, of size α (Theorem 5.7
 *                     takes α = 2/(L + μ_g))
 * @param upper        β (Theorem 5.7 takes the deterministic β) and u of Eq. (5)
 * @param batches      |𝒯_t|, |𝒟_G| and |𝒟_F^s|
 * @param neumann      Alg. 3's Q, η, B and the μ_g that shrinks its batches
 * @param budget       K ≥ 0 and ε ≥ 0 (the estimated stationarity gap that stops it early; 0 never does)
 * @param batchTimeout how long to wait for one minibatch before the run ends with a diagnostic
 */
public record StochasticWcMhgdConfig(LowerDescent lower, ChebyshevStep upper, Batches batches, HessianInverse neumann,
                                     Budget budget, Duration batchTimeout) {

    /** How long a run waits for one minibatch unless told otherwise. */
    public static final Duration DEFAULT_BATCH_TIMEOUT = Duration.ofSeconds(30);

    /**
     * The samples per batch of one outer iteration.
     *
     * @param lower    |𝒯_t| ≥ 1, samples per lower-level step
     * @param jacobian |𝒟_G| ≥ 1, samples for ∇²_xy G
     * @param upper    |𝒟_F^s| ≥ 1, samples of each objective per iteration
     */
    public record Batches(int lower, int jacobian, int upper) {
        public Batches {
            Checks.atLeast("lower-batch-size", lower, 1);
            Checks.atLeast("jacobian-batch-size", jacobian, 1);
            Checks.atLeast("upper-batch-size", upper, 1);
        }
    }

    /**
     * Alg. 3, the Neumann estimate of (∇²_yy G)⁻¹v on shrinking batches.
     *
     * @param steps                Q ≥ 1, its terms
     * @param stepSize             η; Theorem 5.7 needs η ≤ 1/L
     * @param batchScale           B ≥ 1 in |ℬ_{Q+1−j}| = B·Q·(1 − ημ_g)^{j−1}
     * @param lowerStrongConvexity μ_g &gt; 0, which sets how fast the batches shrink; η·μ_g must be &lt; 1
     */
    public record HessianInverse(int steps, double stepSize, int batchScale, double lowerStrongConvexity) {
        public HessianInverse {
            Checks.atLeast("neumann-steps", steps, 1);
            Checks.positive("neumann-step-size", stepSize);
            Checks.atLeast("neumann-batch-scale", batchScale, 1);
            Checks.positive("lower-strong-convexity", lowerStrongConvexity);
            if (!(stepSize * lowerStrongConvexity < 1)) {
                throw new InvalidInputException("neumann-step-size", stepSize, "a step with η·μ_g < 1 (μ_g = "
                        + lowerStrongConvexity + "; Theorem 5.7 takes η ≤ 1/L ≤ 1/μ_g)");
            }
        }
    }

    public StochasticWcMhgdConfig {
        Objects.requireNonNull(lower, "lower");
        lower.requireSteps();
        Objects.requireNonNull(upper, "upper");
        Objects.requireNonNull(batches, "batches");
        Objects.requireNonNull(neumann, "neumann");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(batchTimeout, "batchTimeout");
        if (batchTimeout.isNegative() || batchTimeout.isZero()) {
            throw new InvalidInputException("batch-timeout", batchTimeout, "a positive duration");
        }
    }

    /** Alg. 2/3's inputs by the papers' names, each as {@link #lower()} … {@link #budget()} document it. */
    public StochasticWcMhgdConfig(int lowerIterations, double lowerStepSize, double upperStepSize, double chebyshevWeight,
                                  int lowerBatchSize, int jacobianBatchSize, int upperBatchSize, int neumannSteps,
                                  double neumannStepSize, int neumannBatchScale, double lowerStrongConvexity,
                                  int maxIterations, double tolerance, Duration batchTimeout) {
        this(new LowerDescent(lowerIterations, lowerStepSize), new ChebyshevStep(upperStepSize, chebyshevWeight),
                new Batches(lowerBatchSize, jacobianBatchSize, upperBatchSize),
                new HessianInverse(neumannSteps, neumannStepSize, neumannBatchScale, lowerStrongConvexity),
                new Budget(maxIterations, tolerance), batchTimeout);
    }

    /** D. */
    public int lowerIterations() { return lower.iterations(); }
    /** α. */
    public double lowerStepSize() { return lower.stepSize(); }
    /** β. */
    public double upperStepSize() { return upper.upperStepSize(); }
    /** u. */
    public double chebyshevWeight() { return upper.chebyshevWeight(); }
    /** |𝒯_t|. */
    public int lowerBatchSize() { return batches.lower(); }
    /** |𝒟_G|. */
    public int jacobianBatchSize() { return batches.jacobian(); }
    /** |𝒟_F^s|. */
    public int upperBatchSize() { return batches.upper(); }
    /** Q. */
    public int neumannSteps() { return neumann.steps(); }
    /** η. */
    public double neumannStepSize() { return neumann.stepSize(); }
    /** B. */
    public int neumannBatchScale() { return neumann.batchScale(); }
    /** μ_g. */
    public double lowerStrongConvexity() { return neumann.lowerStrongConvexity(); }
    /** K. */
    public int maxIterations() { return budget.maxIterations(); }
    /** ε. */
    public double tolerance() { return budget.tolerance(); }

    /**
     * Step sizes from Theorem 5.7 where the problem knows its constants: α = 2/(L + μ_g), η = 1/L, and the
     * deterministic β = min{1/(2(1+L_φ)·r_max), 1/(3L_φ)} with r_max taken as 1 ({@link WcMhgdConfig#theoremUpperStep}).
     * Every batch is {@code batchSize} samples; Alg. 3's scale B = ⌈batchSize/Q⌉, so its largest batch ℬ_Q holds
     * about {@code batchSize} samples too and the others shrink from there.
     */
    public static StochasticWcMhgdConfig defaults(StochasticBilevelProblem problem, int lowerIterations,
                                                  int neumannSteps, int batchSize, double chebyshevWeight,
                                                  int maxIterations, double tolerance) {
        if (problem.smoothness().isEmpty()) {
            throw new InvalidInputException("lower-step-size", "auto",
                    "explicit step sizes: this problem does not state its smoothness constants");
        }
        return StepSizes.of(ProblemConstants.of(problem.smoothness(), () -> {
            throw new IllegalStateException("stated constants need no estimate");
        })).stochasticWcMhgd(lowerIterations, neumannSteps, batchSize, chebyshevWeight, maxIterations, tolerance,
                java.util.OptionalDouble.empty(), java.util.OptionalDouble.empty()).config();
    }

    /**
     * |ℬ_1| … |ℬ_Q| (entry j−1 is |ℬ_j|): |ℬ_{Q+1−j}| = B·Q·(1 − ημ_g)^{j−1}, rounded up to whole samples and to
     * at least one. The paper's condition B·Q·(1 − ημ_g)^{Q−1} ≥ 1 is what makes the "at least one" unnecessary.
     */
    public int[] hessianBatchSizes() {
        int q = neumann.steps();
        double shrink = 1 - neumann.stepSize() * neumann.lowerStrongConvexity();
        int[] sizes = new int[q];
        for (int j = 1; j <= q; j++) {
            double size = (double) neumann.batchScale() * q * Math.pow(shrink, j - 1);
            sizes[q - j] = (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.ceil(size - 1e-9)));
        }
        return sizes;
    }

    public StochasticWcMhgdConfig withMaxIterations(int k) {
        return new StochasticWcMhgdConfig(lower, upper, batches, neumann, new Budget(k, budget.tolerance()), batchTimeout);
    }

    /** The same run without end: K = ∞ and ε = 0, stopped from outside (continuous training). */
    public StochasticWcMhgdConfig untilStopped() {
        return new StochasticWcMhgdConfig(lower, upper, batches, neumann, new Budget(Integer.MAX_VALUE, 0), batchTimeout);
    }

    public StochasticWcMhgdConfig withBatchTimeout(Duration timeout) {
        return new StochasticWcMhgdConfig(lower, upper, batches, neumann, budget, timeout);
    }

    /** The same run with other batch sizes (samples): |𝒯_t|, |𝒟_G|, |𝒟_F^s| and Alg. 3's scale B. */
    public StochasticWcMhgdConfig withBatchSizes(int lowerBatch, int jacobianBatch, int upperBatch, int neumannScale) {
        return new StochasticWcMhgdConfig(lower, upper, new Batches(lowerBatch, jacobianBatch, upperBatch),
                new HessianInverse(neumann.steps(), neumann.stepSize(), neumannScale, neumann.lowerStrongConvexity()),
                budget, batchTimeout);
    }

    /** Whether the run ends at iteration k with this stationarity gap measured at x_k (as {@link WcMhgdConfig}). */
    public boolean finished(int iteration, double stationarity) {
        return budget.finished(iteration, stationarity);
    }
}
