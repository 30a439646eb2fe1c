package io.mobl.core.experiment;

import io.mobl.core.algorithm.StochasticWcMhgd;
import io.mobl.core.algorithm.WcMhgd;
import io.mobl.core.algorithm.WcMhgdState;
import io.mobl.core.data.HyperCleaningSplit;
import io.mobl.core.data.LabelledImages;
import io.mobl.core.model.Batch;
import io.mobl.core.model.Classification;
import io.mobl.core.model.MultiHeadNetwork;
import io.mobl.core.problem.hypercleaning.CorruptionRateSamples;
import io.mobl.core.problem.hypercleaning.StochasticHyperCleaningProblem;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.GeneratedBatchSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One seeded stochastic hyper-cleaning run: split the data set once per corruption rate with one seed (same images,
 * labels corrupted at each rate), feed {@link StochasticWcMhgd} (Alg. 2) from an in-memory seeded source, run K outer
 * iterations from x_0 = log of the initial ℓ2 weight, and score the final models: each rate's validation loss on
 * the whole validation set (φ_s at the end, not a batch estimate) and its test accuracy and macro-F1.
 */
public final class StochasticHyperCleaningRun {
    private StochasticHyperCleaningRun() {}

    /**
     * What one run found, per corruption rate s.
     *
     * @param test            the final model's test scores
     * @param validationLoss  φ_s at the end: the mean cross-entropy on the whole validation set
     * @param regularisation  e^{x_K}, the shared ℓ2 weight found
     * @param trajectory      e^{x_k} for k = 0 … K
     * @param seconds         wall-clock time of the iterations (data preparation and scoring excluded)
     */
    public record Outcome(List<Classification> test, double[] validationLoss, double regularisation,
                          double[] trajectory, double seconds) {}

    /**
     * The training images with their S noisy labels and the clean validation images behind every objective, in the
     * order the in-memory run draws them: what {@code mobl produce --format records} writes for this seed.
     */
    public static CorruptionRateSamples samples(StochasticHyperCleaningSettings settings, LabelledImages data, long seed) {
        return CorruptionRateSamples.of(splits(settings, data, seed), seed);
    }

    /** The splits at each rate, all made with one seed, so they share images and sets. */
    public static List<HyperCleaningSplit> splits(StochasticHyperCleaningSettings settings, LabelledImages data,
                                                  long seed) {
        HyperCleaningSplit.Sizes base = settings.sizes().fitTo(data.size());
        List<HyperCleaningSplit> splits = new ArrayList<>(settings.objectives());
        for (double rate : settings.corruptionRates()) {
            HyperCleaningSplit.Sizes sizes = new HyperCleaningSplit.Sizes(base.train(), base.validation(),
                    base.selection(), base.test(), rate);
            splits.add(HyperCleaningSplit.of(data, sizes, seed * 31 + 7));
        }
        return splits;
    }

    /**
     * @param data       the whole data set (MNIST)
     * @param preference r, one entry per corruption rate
     * @param progress   told each finished iteration
     */
    public static Outcome run(StochasticHyperCleaningSettings settings, LabelledImages data, double[] preference,
                              long seed, IntConsumer progress) {
        return run(settings, data, preference, seed, progress, null);
    }

    /**
     * As {@link #run(StochasticHyperCleaningSettings, LabelledImages, double[], long, IntConsumer)}, the training
     * and validation minibatches taken from the source {@code source} opens for the run's problem (e.g. Kafka topics
     * that {@code mobl produce --format records} filled with {@link #samples} of the same seed); null: the seeded
     * in-memory source. The final models are scored on this process's split of {@code data} either way.
     */
    public static Outcome run(StochasticHyperCleaningSettings settings, LabelledImages data, double[] preference,
                              long seed, IntConsumer progress,
                              java.util.function.Function<StochasticHyperCleaningProblem, BatchSource> source) {
        List<HyperCleaningSplit> splits = splits(settings, data, seed);
        CorruptionRateSamples samples = CorruptionRateSamples.of(splits, seed);
        MultiHeadNetwork network = settings.network(data.dimension(), data.classes());
        StochasticHyperCleaningProblem problem = new StochasticHyperCleaningProblem(network,
                Math.log(settings.initialRegularisation()), network.initialParameters(seed));
        StochasticWcMhgd algorithm = new StochasticWcMhgd(problem, settings.config());

        WcMhgdState state = algorithm.initialState(preference);
        double[] trajectory = new double[settings.iterations() + 1];
        INDArray y = state.lower();
        long start = System.nanoTime();
        try (BatchSource batches = source != null ? source.apply(problem)
                : new GeneratedBatchSource(samples, settings.objectives(), settings.minibatchRows())) {
            for (int k = 0; ; k++) {
                trajectory[k] = StochasticHyperCleaningProblem.regularisation(state.x());
                if (k == settings.iterations()) break;
                StochasticWcMhgd.Iteration done = algorithm.iterate(state, batches);
                batches.iterationDone(k, done.used());
                WcMhgd.Iteration iteration = done.iteration();
                state = iteration.next();
                y = state.lower();
                progress.accept(k + 1);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        Batch validation = Batch.of(splits.get(0).validation());
        Batch test = Batch.of(splits.get(0).test());
        INDArray mean = Nd4j.valueArrayOf(validation.size(), 1.0 / validation.size());
        double[] losses = new double[settings.objectives()];
        List<Classification> scores = new ArrayList<>(settings.objectives());
        for (int s = 0; s < settings.objectives(); s++) {
            losses[s] = network.weightedLoss(y, s, validation, mean);
            scores.add(Classification.of(test.labels(), network.predict(y, s, test), test.classes()));
        }
        return new Outcome(scores, losses, trajectory[settings.iterations()], trajectory, seconds);
    }
}
