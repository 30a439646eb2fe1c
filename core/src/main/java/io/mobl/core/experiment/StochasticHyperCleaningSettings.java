package io.mobl.core.experiment;

import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.data.HyperCleaningSplit;
import io.mobl.core.model.MultiHeadNetwork;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.util.Arrays;

/**
 * Everything one stochastic hyper-cleaning run needs besides the data, the preference and the seed: the WC-MHGD
 * paper's §6 b) setting (S = 5 corruption rates of one MNIST training set, a shared regularisation parameter,
 * per-rate lower-level models, (K, D) = (150, 200), u = 10).
 *
 * @param corruptionRates      p_1 … p_S, each in [0, 1] (S ≥ 1); the paper's main text does not list its five
 * @param sizes                training / validation (the objectives) / selection (unused here) / test images; its
 *                             corruption rate is ignored (each rate of {@code corruptionRates} is applied instead)
 * @param hidden               the trunk's widths; {} gives one multinomial logistic regression per rate
 * @param initialRegularisation e^{x_0}, the ℓ2 weight the run starts from (> 0)
 * @param iterations           K, outer iterations
 * @param lowerIterations      D, SGD steps on the lower level per outer iteration
 * @param lowerStepSize        α
 * @param upperStepSize        β
 * @param chebyshevWeight      u in Eq. (5)
 * @param lowerBatchSize       |𝒯_t|, training images per SGD step
 * @param upperBatchSize       |𝒟_F^s|, validation images per objective per iteration
 * @param jacobianBatchSize    |𝒟_G|
 * @param neumannSteps         Q of Alg. 3
 * @param neumannStepSize      η of Alg. 3 (≤ 1/L)
 * @param minibatchRows        rows per minibatch the source delivers (batches are whole minibatches)
 */
public record StochasticHyperCleaningSettings(double[] corruptionRates, HyperCleaningSplit.Sizes sizes, int[] hidden,
                                              double initialRegularisation, int iterations, int lowerIterations,
                                              double lowerStepSize, double upperStepSize, double chebyshevWeight,
                                              int lowerBatchSize, int upperBatchSize, int jacobianBatchSize,
                                              int neumannSteps, double neumannStepSize, int minibatchRows) {
    public StochasticHyperCleaningSettings {
        if (corruptionRates.length == 0) throw new InvalidInputException("corruption-rates", "[]", "at least one rate");
        corruptionRates = corruptionRates.clone();
        for (int s = 0; s < corruptionRates.length; s++) {
            if (!(corruptionRates[s] >= 0 && corruptionRates[s] <= 1)) {
                throw new InvalidInputException("corruption-rates[" + s + "]", corruptionRates[s], "a fraction in [0, 1]");
            }
        }
        hidden = hidden.clone();
        Checks.positive("initial-regularisation", initialRegularisation);
        Checks.atLeast("iterations", iterations, 0);
        Checks.atLeast("lower-iterations", lowerIterations, 1);
        Checks.positive("lower-step-size", lowerStepSize);
        Checks.positive("upper-step-size", upperStepSize);
        Checks.nonNegative("chebyshev-weight", chebyshevWeight);
        Checks.atLeast("lower-batch-size", lowerBatchSize, 1);
        Checks.atLeast("upper-batch-size", upperBatchSize, 1);
        Checks.atLeast("jacobian-batch-size", jacobianBatchSize, 1);
        Checks.atLeast("neumann-steps", neumannSteps, 1);
        Checks.positive("neumann-step-size", neumannStepSize);
        Checks.atLeast("minibatch-rows", minibatchRows, 1);
    }

    /** The five corruption rates used here (the paper's main text names five rates but not their values). */
    public static final double[] RATES = {0.2, 0.35, 0.5, 0.65, 0.8};

    /**
     * The paper's (K, D) = (150, 200) and u = 10 on MNIST, with multinomial logistic regression per rate and the
     * FORUM split's training and validation sizes (5,000 training images, 1,000 validation; no model-selection set,
     * so the test set is the other 4,000 of the npm package's 10,000 digits).
     * The batch sizes and steps are this project's (the paper leaves them to its Appendix E, which is not in
     * shared/papers): 100 images per SGD step (FORUM's batch), 500 per objective and for ∇²_xy G, Q = 10 (η = 0.05).
     * x_0 = log 10⁻³, a light ℓ2 weight that the preferences then move.
     */
    public static StochasticHyperCleaningSettings paperDefaults() {
        return new StochasticHyperCleaningSettings(RATES, new HyperCleaningSplit.Sizes(5000, 1000, 0, 4000, 0),
                new int[0], 1e-3, 150, 200, 0.1, 1.0, 10, 100, 500, 500, 10, 0.05, 100);
    }

    /**
     * {@link #paperDefaults} scaled to this project's two shared cores: (K, D) = (60, 20) instead of (150, 200),
     * because one SGD step costs S = 5 head gradients and the paper's 30,000 steps per run take 10 to 30 minutes
     * here, with the load; 1,200 steps of 100 images are still 24 passes over the 5,000 training images, enough for
     * the warm-started models to fit their noisy labels at α = 0.3, though not to reach y*(x) at e^x ≈ 10⁻³ (the
     * README's stochastic hyper-cleaning section says what that does to the hypergradients). β = 1,000 because the hypergradient of the log
     * weight carries the factor e^x (10⁻³ at the start): a step then moves x by about 0.1.
     */
    public static StochasticHyperCleaningSettings scaledDefaults() {
        return paperDefaults().withIterations(60, 20).withSteps(0.3, 1000, 10);
    }

    public int objectives() {
        return corruptionRates.length;
    }

    public MultiHeadNetwork network(int inputs, int classes) {
        return new MultiHeadNetwork(inputs, hidden, classes, corruptionRates.length);
    }

    /** "logistic" or "mlp-512-256". */
    public String modelName() {
        if (hidden.length == 0) return "logistic";
        StringBuilder s = new StringBuilder("mlp");
        for (int h : hidden) s.append('-').append(h);
        return s.toString();
    }

    /** "p=0.20". */
    public String rateLabel(int s) {
        return String.format(java.util.Locale.ROOT, "p=%.2f", corruptionRates[s]);
    }

    /**
     * Alg. 2's configuration. Alg. 3's batches shrink from |ℬ_Q| ≈ |𝒯_t| (an SGD step's batch: Q of them per
     * objective are the hypergradient's main cost) with μ_g taken as e^{x_0}; no tolerance stop (K iterations).
     */
    public StochasticWcMhgdConfig config() {
        int scale = Math.max(1, (lowerBatchSize + neumannSteps - 1) / neumannSteps);
        double mu = Math.min(initialRegularisation, 0.5 / neumannStepSize);
        return new StochasticWcMhgdConfig(lowerIterations, lowerStepSize, upperStepSize, chebyshevWeight,
                lowerBatchSize, jacobianBatchSize, upperBatchSize, neumannSteps, neumannStepSize, scale, mu, iterations,
                0, StochasticWcMhgdConfig.DEFAULT_BATCH_TIMEOUT);
    }

    /**
     * Training examples one outer iteration of Alg. 2 reads: D SGD batches, 𝒟_G and Alg. 3's ℬ_1 … ℬ_Q, each made
     * of whole minibatches of {@code minibatchRows} (what a producer of the run's data must keep up with).
     */
    public long lowerRowsPerIteration() {
        long n = (long) lowerIterations * whole(lowerBatchSize) + whole(jacobianBatchSize);
        for (int b : config().hessianBatchSizes()) n += whole(b);
        return n;
    }

    /** Validation examples one outer iteration reads per objective (whole minibatches). */
    public long upperRowsPerIteration() {
        return whole(upperBatchSize);
    }

    private long whole(int rows) {
        return (long) Math.ceil((double) rows / minibatchRows) * minibatchRows;
    }

    public StochasticHyperCleaningSettings withIterations(int k, int d) {
        return new StochasticHyperCleaningSettings(corruptionRates, sizes, hidden, initialRegularisation, k, d,
                lowerStepSize, upperStepSize, chebyshevWeight, lowerBatchSize, upperBatchSize, jacobianBatchSize,
                neumannSteps, neumannStepSize, minibatchRows);
    }

    public StochasticHyperCleaningSettings withSteps(double alpha, double beta, double u) {
        return new StochasticHyperCleaningSettings(corruptionRates, sizes, hidden, initialRegularisation, iterations,
                lowerIterations, alpha, beta, u, lowerBatchSize, upperBatchSize, jacobianBatchSize, neumannSteps,
                neumannStepSize, minibatchRows);
    }

    public StochasticHyperCleaningSettings withSizes(HyperCleaningSplit.Sizes newSizes) {
        return new StochasticHyperCleaningSettings(corruptionRates, newSizes, hidden, initialRegularisation, iterations,
                lowerIterations, lowerStepSize, upperStepSize, chebyshevWeight, lowerBatchSize, upperBatchSize,
                jacobianBatchSize, neumannSteps, neumannStepSize, minibatchRows);
    }

    public StochasticHyperCleaningSettings withHidden(int[] widths) {
        return new StochasticHyperCleaningSettings(corruptionRates, sizes, widths, initialRegularisation, iterations,
                lowerIterations, lowerStepSize, upperStepSize, chebyshevWeight, lowerBatchSize, upperBatchSize,
                jacobianBatchSize, neumannSteps, neumannStepSize, minibatchRows);
    }

    @Override
    public String toString() {
        return "StochasticHyperCleaningSettings[rates=" + Arrays.toString(corruptionRates) + ", model=" + modelName()
                + ", K=" + iterations + ", D=" + lowerIterations + ", α=" + lowerStepSize + ", β=" + upperStepSize
                + ", u=" + chebyshevWeight + "]";
    }
}
