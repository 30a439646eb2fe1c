package io.mobl.core.experiment;

import io.mobl.core.data.HyperCleaningSplit;
import io.mobl.core.model.Batch;
import io.mobl.core.model.Classification;
import io.mobl.core.model.MultiHeadNetwork;
import io.mobl.core.model.Precision;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The FORUM paper's model selection (§5.1): the model y_k is scored on the second validation set of each data set
 * (the mean accuracy over data sets), and the test scores reported are those of the best-scoring iterate. Each scored
 * iterate also leaves a {@link Point} of the curve (selection and test accuracy per data set, mean sample weights),
 * and {@link #stale} tells how many scorings ago the best one was (early stopping).
 */
public final class ModelSelection {
    private final MultiHeadNetwork network;
    private final List<HyperCleaningSplit> splits;
    private final List<Batch> selection = new ArrayList<>();
    private final List<Batch> test = new ArrayList<>();
    private final List<Point> curve = new ArrayList<>();
    private double best = Double.NEGATIVE_INFINITY;
    private List<Classification> bestTest;
    private int bestIteration = -1;
    private String bestModel = "";
    private int sinceBest;

    /**
     * One scored iterate.
     *
     * @param iteration          k
     * @param model              which model of iteration k: "iterate" (y_k) or "average" (the running average of y)
     * @param selectionAccuracy  per data set, the accuracy on its second validation set
     * @param testAccuracy       per data set, the test accuracy (for the curve; selection never reads it)
     * @param meanWeightClean    per data set, the mean σ(x_k) over its clean training samples
     * @param meanWeightCorrupted per data set, the same over its corrupted ones
     * @param seconds            since the run started
     */
    public record Point(int iteration, String model, double[] selectionAccuracy, double[] testAccuracy,
                 double[] meanWeightClean, double[] meanWeightCorrupted, double seconds) {}

    ModelSelection(MultiHeadNetwork network, List<HyperCleaningSplit> splits, Precision precision) {
        this.network = network;
        this.splits = splits;
        for (HyperCleaningSplit split : splits) {
            selection.add(Batch.of(split.selection()).in(precision));
            test.add(Batch.of(split.test()).in(precision));
        }
    }

    /** Scores model y of iteration k (x_k gives the weights of the curve) and keeps it if it is the best so far. */
    Point score(int iteration, String model, INDArray y, INDArray x, double seconds) {
        double[] selected = accuracies(y, selection);
        List<Classification> tested = HyperCleaningRun.scores(network, y, test);
        double mean = 0;
        int counted = 0;
        for (int i = 0; i < selected.length; i++) {
            if (selection.get(i).size() == 0) continue;
            mean += selected[i];
            counted++;
        }
        mean = counted == 0 ? 0 : mean / counted;
        if (mean > best) {
            best = mean;
            bestTest = tested;
            bestIteration = iteration;
            bestModel = model;
            sinceBest = 0;
        } else if (model.equals("iterate")) {
            sinceBest++;
        }
        double[][] w = meanWeights(x);
        Point p = new Point(iteration, model, selected, tested.stream().mapToDouble(Classification::accuracy).toArray(),
                w[0], w[1], seconds);
        curve.add(p);
        return p;
    }

    /** A log line for a point: selection and test accuracy per data set, mean weights, time. */
    static String describe(Point p) {
        return String.format(Locale.ROOT, "k = %d (%s): selection accuracy %s, test %s, mean weight clean %s / corrupted %s, %.0f s",
                p.iteration(), p.model(), format(p.selectionAccuracy()), format(p.testAccuracy()),
                format(p.meanWeightClean()), format(p.meanWeightCorrupted()), p.seconds());
    }

    /** Scorings of y_k since the best one (0 when the latest was the best). */
    int stale() {
        return sinceBest;
    }

    List<Classification> bestTest() { return bestTest; }
    int bestIteration() { return bestIteration; }
    String bestModel() { return bestModel; }
    List<Point> curve() { return List.copyOf(curve); }

    /** Per data set, the mean σ(x) over its clean training samples (row 0) and over its corrupted ones (row 1). */
    double[][] meanWeights(INDArray x) {
        double[][] w = new double[2][splits.size()];
        double[] logits = x.toDoubleVector();
        int offset = 0;
        for (int i = 0; i < splits.size(); i++) {
            boolean[] bad = splits.get(i).corrupted();
            int cleanCount = 0;
            for (int j = 0; j < bad.length; j++) {
                double s = 1 / (1 + Math.exp(-logits[offset + j]));
                if (bad[j]) w[1][i] += s;
                else {
                    w[0][i] += s;
                    cleanCount++;
                }
            }
            w[0][i] /= Math.max(1, cleanCount);
            w[1][i] /= Math.max(1, bad.length - cleanCount);
            offset += bad.length;
        }
        return w;
    }

    private double[] accuracies(INDArray y, List<Batch> sets) {
        double[] a = new double[sets.size()];
        for (int i = 0; i < sets.size(); i++) {
            Batch b = sets.get(i);
            if (b.size() > 0) a[i] = Classification.of(b.labels(), network.predict(y, i, b), b.classes()).accuracy();
        }
        return a;
    }

    private static String format(double[] values) {
        StringBuilder s = new StringBuilder();
        for (double v : values) s.append(s.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", v));
        return "[" + s + "]";
    }
}
