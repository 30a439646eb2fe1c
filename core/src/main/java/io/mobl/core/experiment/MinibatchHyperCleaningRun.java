package io.mobl.core.experiment;

import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.StepReport;
import io.mobl.core.algorithm.baseline.StochasticMoml;
import io.mobl.core.algorithm.baseline.StochasticMomlConfig;
import io.mobl.core.algorithm.forum.ForumConfig;
import io.mobl.core.algorithm.forum.StochasticForum;
import io.mobl.core.algorithm.forum.StochasticForumConfig;
import io.mobl.core.data.HyperCleaningSplit;
import io.mobl.core.data.LabelledImages;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.model.MultiHeadNetwork;
import io.mobl.core.model.Precision;
import io.mobl.core.problem.hypercleaning.SampleWeightHyperCleaningProblem;
import io.mobl.core.problem.hypercleaning.SampleWeightSamples;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.CountingStochasticProblem;
import io.mobl.core.stochastic.GeneratedBatchSource;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.ParetoPoint;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One seeded run of the FORUM paper's §5.1 as the paper runs it, on minibatches: stochastic FORUM
 * ({@link StochasticForum}) or stochastic MOML ({@link StochasticMoml}) on {@link SampleWeightHyperCleaningProblem},
 * fed from the seeded in-memory {@link SampleWeightSamples}, driven as pure steps (each step's minibatches are
 * acknowledged to the source when it is done), with the paper's model selection ({@link ModelSelection}) on the
 * second validation sets, optionally of a running average of y as well, and early stopping on them.
 */
public final class MinibatchHyperCleaningRun {
    private MinibatchHyperCleaningRun() {}

    /** The methods this run drives: stochastic FORUM and stochastic MOML. */
    public static final List<String> METHODS = List.of("forum-stochastic", "moml-stochastic");

    /**
     * The minibatch setting of one run.
     *
     * @param lowerBatch      |𝒯_t|, samples per lower-level SGD step from the union of the training sets (the
     *                        paper's 100 per data set is 100·S)
     * @param lowerIterations T (FORUM) or D (MOML), the SGD steps per UL iteration (the paper's 64)
     * @param lowerStepSize   η, their learning rate (0.3)
     * @param constraintBatch |𝒞|, FORUM's samples for q̃ and ∇q̃
     * @param upperBatch      |𝒟_F^s|, validation samples per objective gradient (100)
     * @param weightStepSize  the sample weights' learning rate: FORUM's μ_x, MOML's β (the paper's 10)
     * @param modelStepSize   FORUM's μ_y, the model's UL learning rate (0.3)
     * @param rho             FORUM's ρ (0.5)
     * @param metric          FORUM's QP metric (the paper's: Euclidean)
     * @param iterations      K, UL iterations (1,200)
     * @param selectEvery     the second validation sets score the model every this many iterations
     * @param patience        stop after this many scorings of y_k without a better selection score (0: never)
     * @param averaging       a in (0, 1]: also score ȳ ← ȳ + a(y_k − ȳ), a running average of the model; 0: off
     */
    public record Setting(int lowerBatch, int lowerIterations, double lowerStepSize, int constraintBatch,
                          int upperBatch, double weightStepSize, double modelStepSize, double rho,
                          ForumConfig.Metric metric, int iterations, int selectEvery, int patience, double averaging) {
        public Setting {
            Checks.atLeast("lower-batch", lowerBatch, 1);
            Checks.atLeast("lower-iterations", lowerIterations, 1);
            Checks.positive("lower-step-size", lowerStepSize);
            Checks.atLeast("constraint-batch", constraintBatch, 1);
            Checks.atLeast("upper-batch", upperBatch, 1);
            Checks.positive("weight-step-size", weightStepSize);
            Checks.positive("model-step-size", modelStepSize);
            Checks.positive("rho", rho);
            if (metric == null) throw new InvalidInputException("metric", null, "step-scaled or euclidean");
            Checks.atLeast("iterations", iterations, 1);
            Checks.atLeast("select-every", selectEvery, 1);
            Checks.atLeast("patience", patience, 0);
            if (!(averaging >= 0 && averaging <= 1)) {
                throw new InvalidInputException("averaging", averaging, "a number in [0, 1] (0: no averaged model)");
            }
        }

        /** The paper's §5.1 for S data sets: batches of 100 per data set, T = 64, η = 0.3, μ_x = 10, μ_y = 0.3, ρ = 0.5, K = 1,200. */
        public static Setting paper(int tasks) {
            return new Setting(100 * tasks, 64, 0.3, 100 * tasks, 100, 10, 0.3, 0.5, ForumConfig.Metric.EUCLIDEAN,
                    1200, 5, 0, 0);
        }

        public Setting withIterations(int k, int every, int stopAfter) {
            return new Setting(lowerBatch, lowerIterations, lowerStepSize, constraintBatch, upperBatch, weightStepSize,
                    modelStepSize, rho, metric, k, every, stopAfter, averaging);
        }

        public Setting withLower(int batch, int steps, double step) {
            return new Setting(batch, steps, step, constraintBatch, upperBatch, weightStepSize, modelStepSize, rho,
                    metric, iterations, selectEvery, patience, averaging);
        }

        public Setting withUpper(double weights, double model, double barrier) {
            return new Setting(lowerBatch, lowerIterations, lowerStepSize, constraintBatch, upperBatch, weights, model,
                    barrier, metric, iterations, selectEvery, patience, averaging);
        }

        public Setting withAveraging(double a) {
            return new Setting(lowerBatch, lowerIterations, lowerStepSize, constraintBatch, upperBatch, weightStepSize,
                    modelStepSize, rho, metric, iterations, selectEvery, patience, a);
        }

        /** FORUM's configuration: β_k = (k+1)^(−3/4), lower steps from the current y_k. */
        public StochasticForumConfig forum() {
            return new StochasticForumConfig(new ForumConfig(lowerIterations, lowerStepSize, weightStepSize,
                    modelStepSize, rho, 0.75, false, metric), lowerBatch, constraintBatch, upperBatch,
                    StochasticForumConfig.DEFAULT_BATCH_TIMEOUT);
        }

        public StochasticMomlConfig moml() {
            return new StochasticMomlConfig(lowerIterations, lowerStepSize, weightStepSize, lowerBatch, upperBatch,
                    StochasticForumConfig.DEFAULT_BATCH_TIMEOUT);
        }

        /** "LL batch 200, T 64, η 0.3, |C| 200, |D_F| 100, μ_x 10, μ_y 0.3, ρ 0.5 (euclidean)" for tables. */
        public String describe(String method) {
            String common = String.format(Locale.ROOT, "LL batch %d, T %d, η %s, |D_F| %d", lowerBatch, lowerIterations,
                    lowerStepSize, upperBatch);
            String own = method.equals("moml-stochastic")
                    ? String.format(Locale.ROOT, ", β %s", weightStepSize)
                    : String.format(Locale.ROOT, ", |C| %d, μ_x %s, μ_y %s, ρ %s (%s)", constraintBatch, weightStepSize,
                            modelStepSize, rho, metric.name().toLowerCase(Locale.ROOT));
            String stop = patience > 0 ? ", patience " + patience : "";
            String average = averaging > 0 ? ", averaged model a = " + averaging : "";
            return common + own + stop + average;
        }
    }

    /**
     * @param settings the data sets, split, network and μ (its step sizes and K are not read: setting's are)
     * @param method   one of {@link #METHODS}
     * @param data     the whole data sets, in the order of settings.datasets()
     * @param log      told a line per scored iterate
     */
    public static HyperCleaningRun.Outcome run(HyperCleaningSettings settings, Setting setting, String method,
                                               List<LabelledImages> data, long seed, String runName,
                                               Precision precision, Consumer<String> log) {
        if (!METHODS.contains(method)) throw new InvalidInputException("method", method, "one of " + METHODS);
        List<HyperCleaningSplit> splits = HyperCleaningRun.splits(data, settings.sizes(), seed);
        LabelledImages first = data.get(0);
        MultiHeadNetwork network = settings.network(first.dimension(), first.classes()).withPrecision(precision);
        int[] sizes = splits.stream().mapToInt(s -> s.train().size()).toArray();
        SampleWeightHyperCleaningProblem problem = new SampleWeightHyperCleaningProblem(network, sizes,
                settings.regularisation(), network.initialParameters(seed));
        CountingStochasticProblem counted = new CountingStochasticProblem(problem);
        int rows = BigInteger.valueOf(setting.lowerBatch()).gcd(BigInteger.valueOf(setting.constraintBatch()))
                .gcd(BigInteger.valueOf(setting.upperBatch())).intValue();
        try (GeneratedBatchSource source = new GeneratedBatchSource(SampleWeightSamples.of(splits, seed), splits.size(), rows)) {
            IterativeAlgorithm<?> algorithm = method.equals("forum-stochastic")
                    ? new StochasticForum(counted, source, setting.forum())
                    : new StochasticMoml(counted, source, setting.moml());
            return drive(algorithm, source, counted, problem, network, splits, setting, runName, precision, log);
        }
    }

    private static <S> HyperCleaningRun.Outcome drive(IterativeAlgorithm<S> algorithm, BatchSource source,
                                                      CountingStochasticProblem counted,
                                                      SampleWeightHyperCleaningProblem problem, MultiHeadNetwork network,
                                                      List<HyperCleaningSplit> splits, Setting setting, String runName,
                                                      Precision precision, Consumer<String> log) {
        double[] balanced = new double[splits.size()];
        Arrays.fill(balanced, 1.0 / balanced.length);
        ModelSelection selection = new ModelSelection(network, splits, precision);
        S state = algorithm.initialState(balanced, problem.initialUpper());
        INDArray average = null;
        StepReport last = null;
        long start = System.nanoTime();
        for (int k = 0; k < setting.iterations(); k++) {
            IterativeAlgorithm.Step<S> step = algorithm.step(state);
            source.iterationDone(k, step.used());
            last = step.report();
            INDArray y = last.y();
            if (setting.averaging() > 0) {
                average = average == null ? y.dup() : Vectors.axpyInPlace(setting.averaging(), y.sub(average), average);
            }
            if (k % setting.selectEvery() == 0 || k == setting.iterations() - 1) {
                double seconds = (System.nanoTime() - start) / 1e9;
                log.accept(ModelSelection.describe(selection.score(k, "iterate", y, last.x(), seconds)));
                if (average != null) {
                    log.accept(ModelSelection.describe(selection.score(k, "average", average, last.x(), seconds)));
                }
                if (setting.patience() > 0 && selection.stale() >= setting.patience()) {
                    log.accept("stopped at k = " + k + ": no better selection score in " + setting.patience()
                            + " scorings (best at k = " + selection.bestIteration() + ")");
                    break;
                }
            }
            state = step.next();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double[][] w = selection.meanWeights(last.x());
        ParetoPoint point = new ParetoPoint(runName, balanced, last.x().toDoubleVector(), last.objectives(),
                last.measure(), last.iteration(), counted.calls());
        return new HyperCleaningRun.Outcome(selection.bestTest(), selection.bestIteration(), w[0], w[1], point, seconds,
                selection.curve());
    }
}
