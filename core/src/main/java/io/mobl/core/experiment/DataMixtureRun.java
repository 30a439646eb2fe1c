package io.mobl.core.experiment;

import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.StepReport;
import io.mobl.core.data.LabelledImages;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.model.Batch;
import io.mobl.core.model.Classification;
import io.mobl.core.model.MultiHeadNetwork;
import io.mobl.core.problem.CountingProblem;
import io.mobl.core.problem.mixture.DataMixtureProblem;
import io.mobl.core.problem.mixture.MixtureSplit;
import io.mobl.protocol.ParetoPoint;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One seeded data-mixture run: split the data set into class-skewed sources and criteria, build the
 * {@link DataMixtureProblem} (μ = 0 for WC-Penalty, μ &gt; 0 for WC-MHGD), run the method from the uniform mixture
 * and report the final mixture, the validation losses and the test accuracy on each criterion's test set.
 */
public final class DataMixtureRun {
    private DataMixtureRun() {}

    /**
     * What one run found.
     *
     * @param mixture          w = softmax(x) at the end, one share per source
     * @param validationLosses f_s at the end
     * @param test             per criterion, the scores of the final model on its test set
     * @param lowerResidual    ‖∇_y g(x, y)‖ of the merely convex lower level (μ = 0) at the end: how far y is from
     *                         a lower-level solution, the same yardstick for both methods
     * @param iterations       the iterations run
     * @param seconds          wall-clock time of the iterations
     * @param point            the last iterate as a Pareto point (run = the method's label, objectives = the
     *                         validation losses f_s, x = the mixture logits), for the front of a preference sweep
     */
    public record Outcome(double[] mixture, double[] validationLosses, List<Classification> test, double lowerResidual,
                          int iterations, double seconds, ParetoPoint point) {}

    /** The problem of a method (its μ) on a split, images pooled as the settings say. */
    public static DataMixtureProblem problem(DataMixtureSettings settings, MixtureSplit split, String method) {
        List<Batch> sources = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < split.sources().size(); i++) {
            sources.add(Batch.of(MixtureSplit.pooled(split.sources().get(i), settings.pool())));
            names.add("source-" + i);
        }
        List<Batch> validations = new ArrayList<>();
        for (LabelledImages v : split.validations()) validations.add(Batch.of(MixtureSplit.pooled(v, settings.pool())));
        LabelledImages first = MixtureSplit.pooled(split.sources().get(0), settings.pool());
        MultiHeadNetwork network = MultiHeadNetwork.logistic(first.dimension(), first.classes(), 1);
        return new DataMixtureProblem(network, names, sources, validations, settings.regularisationFor(method));
    }

    public static Outcome run(DataMixtureSettings settings, LabelledImages data, String method, double[] preference,
                              long seed) {
        MixtureSplit split = MixtureSplit.of(data, settings.sizes(), seed);
        DataMixtureProblem problem = problem(settings, split, method);
        CountingProblem counted = new CountingProblem(problem);
        IterativeAlgorithm<?> algorithm = settings.algorithm(method, counted);
        List<Batch> tests = new ArrayList<>();
        for (LabelledImages t : split.tests()) tests.add(Batch.of(MixtureSplit.pooled(t, settings.pool())));
        return drive(algorithm, problem, counted, settings.iterationsFor(method), preference, tests,
                DataMixtureSettings.label(method));
    }

    /**
     * Runs {@code iterations} steps and scores the last iterate.
     *
     * @param counted the problem the algorithm calls, counting its oracle calls for the Pareto point
     * @param runName the Pareto point's run
     */
    public static <S> Outcome drive(IterativeAlgorithm<S> algorithm, DataMixtureProblem problem, CountingProblem counted,
                                    int iterations, double[] preference, List<Batch> tests, String runName) {
        long start = System.nanoTime();
        S state = algorithm.initialState(preference, problem.initialUpper());
        StepReport last = null;
        for (int k = 0; k <= iterations; k++) {
            IterativeAlgorithm.Step<S> step = algorithm.step(state);
            last = step.report();
            if (k == iterations) break;
            state = step.next();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        INDArray x = last.x();
        INDArray y = last.y();
        List<Classification> scores = new ArrayList<>();
        for (Batch b : tests) {
            if (b.size() > 0) scores.add(Classification.of(b.labels(), problem.network().predict(y, 0, b), b.classes()));
        }
        double residual = Vectors.norm(problem.lowerGradient(x, y).subi(y.mul(problem.regularisation())));
        ParetoPoint point = new ParetoPoint(runName, preference, x.toDoubleVector(), last.objectives(), last.measure(),
                iterations, counted.calls());
        return new Outcome(DataMixtureProblem.mixtureWeights(x), last.objectives(), scores, residual, iterations, seconds,
                point);
    }
}
