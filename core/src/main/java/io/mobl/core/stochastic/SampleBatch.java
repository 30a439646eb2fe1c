package io.mobl.core.stochastic;

import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

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

    /**
     * A batch of at least {@code rows} samples of one role, from whole minibatches of {@code source} in arrival
     * order, each checked against the problem (role, dimensions) before it is used and appended to {@code used}:
     * how every stochastic algorithm draws, so the same batch sequence gives the same batches on every runtime.
     *
     * @throws NoDataException when one minibatch does not come within {@code timeout}
     */
    public static SampleBatch draw(BatchSource source, StochasticBilevelProblem problem, int objective, int rows,
                                   int iteration, Duration timeout, List<Minibatch> used) {
        List<Minibatch> parts = new ArrayList<>();
        int have = 0;
        while (have < rows) {
            Minibatch m;
            try {
                m = source.next(objective, timeout);
            } catch (TimeoutException e) {
                throw new NoDataException(objective, iteration, timeout, have, rows);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a minibatch at iteration " + iteration, e);
            }
            if (m == null) throw new IllegalStateException("the batch source returned null, which BatchSource forbids");
            problem.check(objective, m);
            parts.add(m);
            used.add(m);
            have += m.rows();
        }
        return new SampleBatch(objective, parts);
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
