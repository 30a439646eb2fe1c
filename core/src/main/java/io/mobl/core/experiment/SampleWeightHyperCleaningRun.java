package io.mobl.core.experiment;

import io.mobl.core.algorithm.StochasticWcMhgd;
import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.algorithm.WcMhgd;
import io.mobl.core.algorithm.WcMhgdState;
import io.mobl.core.data.HyperCleaningSplit;
import io.mobl.core.data.LabelledImages;
import io.mobl.core.model.MultiHeadNetwork;
import io.mobl.core.model.Precision;
import io.mobl.core.problem.hypercleaning.SampleWeightHyperCleaningProblem;
import io.mobl.core.problem.hypercleaning.SampleWeightSamples;
import io.mobl.core.stochastic.CountingStochasticProblem;
import io.mobl.core.stochastic.GeneratedBatchSource;
import io.mobl.protocol.Checks;
import io.mobl.protocol.ParetoPoint;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * One seeded run of stochastic WC-MHGD (Alg. 2 with Alg. 3's Neumann series) on {@link SampleWeightHyperCleaningProblem}:
 * FORUM's sample-weight hyper-cleaning (§5.1) with the lower level fitted by SGD on small batches, as the FORUM paper
 * runs it, instead of on all training images every step as {@link HyperCleaningRun} does. Split the data sets as
 * {@link HyperCleaningRun#splits} does (same seed, same splits), feed the algorithm from a seeded in-memory
 * {@link SampleWeightSamples}, run K outer iterations from x_0 = 0 (all weights ½), score y_k on the second validation
 * sets every few iterations and report the test scores of the best-scoring model, in {@link HyperCleaningRun.Outcome}.
 */
public final class SampleWeightHyperCleaningRun {
    private SampleWeightHyperCleaningRun() {}

    /**
     * The sampling and step sizes of one run; the data sets, split, network, μ and u come from {@link HyperCleaningSettings}.
     *
     * @param lowerBatch      |𝒯_t|, samples per SGD step drawn uniformly from the union of the training sets
     *                        (FORUM's batch 100 per data set is 100·S)
     * @param lowerIterations D, SGD steps per outer iteration, warm-started (FORUM's T = 64)
     * @param lowerStepSize   α (FORUM's η = 0.3)
     * @param jacobianBatch   |𝒟_G|, the samples whose weights get a hypergradient in an iteration. N (the default)
     *                        touches about every weight each iteration; it is drawn from the same seeded epochs as
     *                        𝒯_t, so where it spans an epoch boundary a few samples occur twice and as many not at
     *                        all (unbiased: each draw is uniform over the union)
     * @param neumannSteps    Q, the terms of Alg. 3
     * @param neumannStepSize η of Alg. 3, at most 1/L
     * @param neumannBatch    |ℬ_j|, samples per Hessian-vector product of Alg. 3
     * @param upperStepSize   β; G's expectation is the deterministic g, so the deterministic 2·10⁴ keeps its meaning
     * @param iterations      K ≥ 1
     * @param selectEvery     the second validation sets score y_k every this many iterations (and at the end)
     */
    public record Sampling(int lowerBatch, int lowerIterations, double lowerStepSize, int jacobianBatch,
                           int neumannSteps, double neumannStepSize, int neumannBatch, double upperStepSize,
                           int iterations, int selectEvery) {
        public Sampling {
            Checks.atLeast("lower-batch", lowerBatch, 1);
            Checks.atLeast("lower-iterations", lowerIterations, 1);
            Checks.positive("lower-step-size", lowerStepSize);
            Checks.atLeast("jacobian-batch", jacobianBatch, 1);
            Checks.atLeast("neumann-steps", neumannSteps, 1);
            Checks.positive("neumann-step-size", neumannStepSize);
            Checks.atLeast("neumann-batch", neumannBatch, 1);
            Checks.positive("upper-step-size", upperStepSize);
            Checks.atLeast("iterations", iterations, 1);
            Checks.atLeast("select-every", selectEvery, 1);
        }

        /**
         * FORUM's §5.1 lower level (batch 100 per data set, T = 64 steps of 0.3) with 𝒟_G the whole training union
         * (N samples: one forward R-pass per task updates every sample weight each iteration, about a second at
         * N = 10,000 for the MLP, against a weight being touched once in N/|𝒟_G| iterations otherwise), Q = 5 Neumann
         * terms of η = 0.3 on 200 samples each, and the deterministic experiment's β and K.
         */
        public static Sampling forum(HyperCleaningSettings settings) {
            int s = settings.datasets().size();
            return new Sampling(100 * s, 64, 0.3, settings.sizes().train() * s, 5, 0.3, 200,
                    settings.upperStepSize(), Math.max(1, settings.iterations()), settings.selectEvery());
        }

        public Sampling withSteps(int d, double alpha, double beta) {
            return new Sampling(lowerBatch, d, alpha, jacobianBatch, neumannSteps, neumannStepSize, neumannBatch, beta,
                    iterations, selectEvery);
        }

        public Sampling withIterations(int k) {
            return new Sampling(lowerBatch, lowerIterations, lowerStepSize, jacobianBatch, neumannSteps,
                    neumannStepSize, neumannBatch, upperStepSize, k, selectEvery);
        }

        public Sampling withBatches(int lower, int jacobian) {
            return new Sampling(lower, lowerIterations, lowerStepSize, jacobian, neumannSteps, neumannStepSize,
                    neumannBatch, upperStepSize, iterations, selectEvery);
        }

        /** "LL batch 200, D 64, α 0.3, |D_G| 10000, Q 5 × 200, β 20000" for tables. */
        public String describe() {
            return String.format(Locale.ROOT, "LL batch %d, D %d, α %s, |D_G| %d, Q %d × %d (η %s), β %s", lowerBatch,
                    lowerIterations, lowerStepSize, jacobianBatch, neumannSteps, neumannBatch, neumannStepSize,
                    upperStepSize);
        }
    }

    /**
     * @param settings   the data sets, split, network, μ and u (its D, α, β and K are not read: sampling's are)
     * @param data       the whole data sets, in the order of settings.datasets()
     * @param preference r, one entry per data set
     * @param log        told a line every selectEvery iterations (selection accuracy, mean weights, time)
     */
    public static HyperCleaningRun.Outcome run(HyperCleaningSettings settings, Sampling sampling,
                                               List<LabelledImages> data, double[] preference, long seed,
                                               String runName, Precision precision, Consumer<String> log) {
        List<HyperCleaningSplit> splits = HyperCleaningRun.splits(data, settings.sizes(), seed);
        LabelledImages first = data.get(0);
        MultiHeadNetwork network = settings.network(first.dimension(), first.classes()).withPrecision(precision);
        int[] sizes = splits.stream().mapToInt(s -> s.train().size()).toArray();
        SampleWeightHyperCleaningProblem problem = new SampleWeightHyperCleaningProblem(network, sizes,
                settings.regularisation(), network.initialParameters(seed));
        CountingStochasticProblem counted = new CountingStochasticProblem(problem);
        ModelSelection selection = new ModelSelection(network, splits, precision);
        int upperBatch = splits.get(0).validation().size();
        int rows = BigInteger.valueOf(sampling.lowerBatch()).gcd(BigInteger.valueOf(sampling.jacobianBatch()))
                .gcd(BigInteger.valueOf(upperBatch)).gcd(BigInteger.valueOf(sampling.neumannBatch())).intValue();
        int q = sampling.neumannSteps();
        double mu = Math.max(settings.regularisation(), 1e-12);
        StochasticWcMhgdConfig config = new StochasticWcMhgdConfig(sampling.lowerIterations(), sampling.lowerStepSize(),
                sampling.upperStepSize(), settings.chebyshevWeight(), sampling.lowerBatch(), sampling.jacobianBatch(),
                upperBatch, q, sampling.neumannStepSize(), Math.max(1, sampling.neumannBatch() / q), mu,
                sampling.iterations(), 0, StochasticWcMhgdConfig.DEFAULT_BATCH_TIMEOUT);
        StochasticWcMhgd algorithm = new StochasticWcMhgd(counted, config);

        WcMhgdState state = algorithm.initialState(preference);
        ParetoPoint point = null;
        long start = System.nanoTime();
        try (GeneratedBatchSource source = new GeneratedBatchSource(SampleWeightSamples.of(splits, seed),
                splits.size(), rows)) {
            for (int k = 0; ; k++) {
                boolean last = k == sampling.iterations();
                if (k % sampling.selectEvery() == 0 || last) {
                    log.accept(ModelSelection.describe(selection.score(k, "iterate", state.lower(), state.x(),
                            (System.nanoTime() - start) / 1e9)));
                }
                if (last) break;
                StochasticWcMhgd.Iteration step = algorithm.iterate(state, source);
                source.iterationDone(k, step.used());
                WcMhgd.Iteration iteration = step.iteration();
                if (k + 1 == sampling.iterations()) point = iteration.paretoPoint(runName, counted.calls());
                state = iteration.next();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double[][] w = selection.meanWeights(state.x());
        return new HyperCleaningRun.Outcome(selection.bestTest(), selection.bestIteration(), w[0], w[1], point, seconds,
                selection.curve());
    }
}
