package io.mobl.core.model;

import io.mobl.protocol.InvalidInputException;

/**
 * Test-set scores of a classifier, as fractions in [0, 1].
 *
 * @param accuracy the share of correct predictions
 * @param macroF1  the unweighted mean over classes of F1 = 2·TP / (2·TP + FP + FN); a class that is neither
 *                 present nor predicted is left out of the mean (its F1 is undefined), as scikit-learn's
 *                 {@code labels} present in the data do
 */
public record Classification(double accuracy, double macroF1) {

    public static Classification of(int[] truth, int[] predicted, int classes) {
        if (truth.length != predicted.length || truth.length == 0) {
            throw new InvalidInputException("predicted", "length " + predicted.length,
                    "one prediction per label (" + truth.length + "), at least one");
        }
        long[] tp = new long[classes];
        long[] fp = new long[classes];
        long[] fn = new long[classes];
        long correct = 0;
        for (int j = 0; j < truth.length; j++) {
            if (truth[j] == predicted[j]) {
                correct++;
                tp[truth[j]]++;
            } else {
                fp[predicted[j]]++;
                fn[truth[j]]++;
            }
        }
        double f1Sum = 0;
        int counted = 0;
        for (int c = 0; c < classes; c++) {
            long denominator = 2 * tp[c] + fp[c] + fn[c];
            if (denominator == 0) continue;
            f1Sum += 2.0 * tp[c] / denominator;
            counted++;
        }
        return new Classification((double) correct / truth.length, counted == 0 ? 0 : f1Sum / counted);
    }
}
