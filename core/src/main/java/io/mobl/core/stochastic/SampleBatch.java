package io.mobl.core.stochastic;

import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import java.util.List;

/**
 * One sample batch of Alg. 2/3 (𝒯_t, 𝒟_G, 𝒟_F^s or ℬ_j): n samples of one role, assembled from one or more
 * minibatches as they arrived from a {@link BatchSource}. An oracle evaluated on it is the mean of the per-sample
 * oracles over all n rows, whichever minibatch each row came in.
 *
 * @param objective {@link Minibatch#LOWER} or the upper objective s ≥ 0 every part belongs to
 * @param parts     the minibatches, at least one, all of that role and of one shape (features × labels)
 */
public record SampleBatch(int objective, List<Minibatch> parts) {

    public SampleBatch {
        if (parts == null || parts.isEmpty()) {
            throw new InvalidInputException("sample batch", parts, "at least one minibatch");
        }
        parts = List.copyOf(parts);
        Minibatch first = parts.get(0);
        for (Minibatch m : parts) {
            if (m.objective() != objective) {
                throw new InvalidInputException("minibatch " + m.batchId() + ".objective", m.objective(),
                        objective + " (every part of one sample batch has the same role)");
            }
            if (m.featureDim() != first.featureDim() || m.labelDim() != first.labelDim()) {
                throw new InvalidInputException("minibatch " + m.batchId() + " shape",
                        m.featureDim() + " features, " + m.labelDim() + " labels",
                        first.featureDim() + " features, " + first.labelDim() + " labels, as " + first.batchId());
            }
        }
    }

    public static SampleBatch of(Minibatch... parts) {
        return new SampleBatch(parts.length == 0 ? Minibatch.LOWER : parts[0].objective(), List.of(parts));
    }

    /** n, the samples in the batch (the sum of the parts' rows). */
    public int rows() {
        int n = 0;
        for (Minibatch m : parts) n += m.rows();
        return n;
    }

    public int featureDim() {
        return parts.get(0).featureDim();
    }

    /**
     * The mean feature vector over all n rows (each row weighs 1/n, whichever part it is in): what the oracle of a
     * model that is linear in its features evaluates.
     */
    public double[] featureMean() {
        int d = featureDim();
        double[] sum = new double[d];
        for (Minibatch m : parts) {
            double[] f = m.features();
            for (int i = 0, at = 0; i < m.rows(); i++) {
                for (int j = 0; j < d; j++) sum[j] += f[at++];
            }
        }
        double n = rows();
        for (int j = 0; j < d; j++) sum[j] /= n;
        return sum;
    }
}
