package io.mobl.core.experiment;

import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.StepReport;
import io.mobl.core.data.HyperCleaningSplit;
import io.mobl.core.data.LabelledImages;
import io.mobl.core.model.Batch;
import io.mobl.core.model.Classification;
import io.mobl.core.model.MultiHeadNetwork;
import io.mobl.core.model.Precision;
import io.mobl.core.problem.CountingProblem;
import io.mobl.core.problem.hypercleaning.HyperCleaningProblem;
import io.mobl.protocol.ParetoPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One seeded hyper-cleaning run (WC-MHGD with either option, MOML or FORUM): split each data set, build the {@link HyperCleaningProblem}, run
 * K outer iterations from x_0 = 0 (all weights ½), score y_k on the second validation set every few iterations,
 * and report the test scores of the best-scoring model (the paper's model selection).
 */
public final class HyperCleaningRun {
    private HyperCleaningRun() {}

    /**
     * What one run found.
     *
     * @param test             per data set, the test scores of the selected model
     * @param selectedIteration the iteration whose model was selected
     * @param cleanWeight      per data set, the mean σ(x) over clean training samples at the end
     * @param corruptedWeight  per data set, the mean σ(x) over corrupted training samples at the end
     * @param point            the Pareto point at the last iteration (validation losses)
     * @param seconds          wall-clock time of the iterations (data loading excluded)
     * @param curve            every scored iterate, in order (empty where the run keeps none)
     */
    public record Outcome(List<Classification> test, int selectedIteration, double[] cleanWeight,
                          double[] corruptedWeight, ParetoPoint point, double seconds, List<ModelSelection.Point> curve) {
        public Outcome {
            curve = List.copyOf(curve);
        }

        /** Without a curve. */
        public Outcome(List<Classification> test, int selectedIteration, double[] cleanWeight, double[] corruptedWeight,
                       ParetoPoint point, double seconds) {
            this(test, selectedIteration, cleanWeight, corruptedWeight, point, seconds, List.of());
        }
    }

    /** The data sets' splits for one seed. */
    public static List<HyperCleaningSplit> splits(List<LabelledImages> data, HyperCleaningSplit.Sizes sizes, long seed) {
        List<HyperCleaningSplit> splits = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            splits.add(HyperCleaningSplit.of(data.get(i), sizes.fitTo(data.get(i).size()), seed * 31 + i));
        }
        return splits;
    }

    /**
     * @param data       the whole data sets, in the order of settings.datasets()
     * @param option     "cg", "ns" (WC-MHGD's options), "moml" or "forum"
     * @param preference r, one entry per data set
     * @param progress   told each finished iteration
     */
    public static Outcome run(HyperCleaningSettings settings, List<LabelledImages> data, String option,
                              double[] preference, long seed, String runName, IntConsumer progress) {
        return run(settings, data, option, preference, seed, runName, progress, Precision.FLOAT64);
    }

    /** As {@link #run(HyperCleaningSettings, List, String, double[], long, String, IntConsumer)}, the network computing in {@code precision}. */
    public static Outcome run(HyperCleaningSettings settings, List<LabelledImages> data, String option,
                              double[] preference, long seed, String runName, IntConsumer progress, Precision precision) {
        List<HyperCleaningSplit> splits = splits(data, settings.sizes(), seed);
        LabelledImages first = data.get(0);
        MultiHeadNetwork network = settings.network(first.dimension(), first.classes()).withPrecision(precision);
        HyperCleaningProblem problem = HyperCleaningProblem.of(network, settings.datasets(), splits,
                settings.regularisation(), seed);
        CountingProblem counted = new CountingProblem(problem);
        return drive(settings.algorithm(option, counted), counted, problem,
                new ModelSelection(network, splits, precision), settings, preference, runName, progress);
    }

    private static <S> Outcome drive(IterativeAlgorithm<S> algorithm, CountingProblem counted,
                                     HyperCleaningProblem problem, ModelSelection selection,
                                     HyperCleaningSettings settings, double[] preference, String runName,
                                     IntConsumer progress) {
        S state = algorithm.initialState(preference, problem.initialUpper());
        ParetoPoint point = null;
        INDArray lastX = problem.initialUpper();
        long start = System.nanoTime();
        for (int k = 0; k <= settings.iterations(); k++) {
            IterativeAlgorithm.Step<S> step = algorithm.step(state);
            StepReport report = step.report();
            lastX = report.x();
            if (k % settings.selectEvery() == 0 || k == settings.iterations()) {
                selection.score(k, "iterate", report.y(), lastX, (System.nanoTime() - start) / 1e9);
            }
            if (k == settings.iterations()) {
                point = new ParetoPoint(runName, preference, report.x().toDoubleVector(), report.objectives(),
                        report.measure(), k, counted.calls());
                break;
            }
            state = step.next();
            progress.accept(k + 1);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double[][] w = selection.meanWeights(lastX);
        return new Outcome(selection.bestTest(), selection.bestIteration(), w[0], w[1], point, seconds,
                selection.curve());
    }

    static List<Classification> scores(MultiHeadNetwork network, INDArray y, List<Batch> test) {
        List<Classification> scores = new ArrayList<>(test.size());
        for (int i = 0; i < test.size(); i++) {
            Batch b = test.get(i);
            scores.add(Classification.of(b.labels(), network.predict(y, i, b), b.classes()));
        }
        return scores;
    }
}
