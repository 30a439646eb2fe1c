package io.mobl.core.stochastic;

import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import java.util.SplittableRandom;

/**
 * The data of a {@link StochasticQuadraticProblem}: seeded minibatches of lower-level samples [e | δ | w] and of
 * each objective's samples [e | e'] (see there), unlabelled, float64. Batch {@code (role, batchId)} is drawn from
 * its own generator seeded by (seed, role, batchId), so any batch can be produced alone, in any order, in any
 * process, and is the same bit for bit; different batches are independent.
 *
 * <p>Batch ids are {@code lower-<batchId>} and {@code upper-<s>-<batchId>}; the samples of batch b with n rows are
 * numbered b·n … b·n + n − 1 (a stream of equal-sized batches numbers its samples consecutively).
 */
public final class StochasticQuadraticGenerator implements MinibatchGenerator {
    private final StochasticQuadraticSpec spec;
    private final double hessianHalfWidth;

    /** @param strongConvexity μ of the mean problem's A; δ is uniform in [−hμ, hμ] */
    StochasticQuadraticGenerator(StochasticQuadraticSpec spec, double strongConvexity) {
        this.spec = spec;
        this.hessianHalfWidth = spec.hessianNoise() * strongConvexity;
    }

    public StochasticQuadraticSpec spec() {
        return spec;
    }

    /** Lower-level batch {@code batchId} (≥ 0) of {@code rows} samples. */
    public Minibatch lowerBatch(long batchId, int rows) {
        check(batchId, rows);
        int p = spec.upperDimension();
        int q = spec.lowerDimension();
        int d = spec.lowerFeatureDimension();
        SplittableRandom random = random(Minibatch.LOWER, batchId);
        double[] features = new double[rows * d];
        for (int i = 0, at = 0; i < rows; i++) {
            for (int j = 0; j < q; j++) features[at++] = spec.lowerNoise() * random.nextGaussian();
            for (int j = 0; j < q; j++) features[at++] = hessianHalfWidth * (2 * random.nextDouble() - 1);
            for (int j = 0; j < p; j++) features[at++] = spec.couplingNoise() * random.nextGaussian();
        }
        return new Minibatch("lower-" + batchId, Minibatch.LOWER, Minibatch.Dtype.FLOAT64, rows, d, 0, features,
                new double[0], sampleIds(batchId, rows));
    }

    /** Batch {@code batchId} (≥ 0) of {@code rows} samples of upper objective {@code objective}. */
    public Minibatch upperBatch(int objective, long batchId, int rows) {
        if (objective < 0 || objective >= spec.objectives()) {
            throw new InvalidInputException("objective", objective, "an upper objective in 0.." + (spec.objectives() - 1));
        }
        check(batchId, rows);
        int d = spec.upperFeatureDimension();
        SplittableRandom random = random(objective, batchId);
        double[] features = new double[rows * d];
        for (int i = 0; i < features.length; i++) features[i] = spec.upperNoise() * random.nextGaussian();
        return new Minibatch("upper-" + objective + "-" + batchId, objective, Minibatch.Dtype.FLOAT64, rows, d, 0,
                features, new double[0], sampleIds(batchId, rows));
    }

    @Override
    public Minibatch batch(int objective, long index, int rows) {
        return objective == Minibatch.LOWER ? lowerBatch(index, rows) : upperBatch(objective, index, rows);
    }

    private SplittableRandom random(int objective, long batchId) {
        // SplittableRandom mixes its seed; distinct (seed, role, batch) give distinct, independent streams
        long key = spec.seed() * 0x9E3779B97F4A7C15L + (objective + 2L) * 0xBF58476D1CE4E5B9L
                + batchId * 0x94D049BB133111EBL;
        return new SplittableRandom(new SplittableRandom(key).nextLong() ^ batchId);
    }

    private static void check(long batchId, int rows) {
        if (batchId < 0) throw new InvalidInputException("batchId", batchId, "an index >= 0");
        Checks.atLeast("rows", rows, 1);
    }

    private static long[] sampleIds(long batchId, int rows) {
        long[] ids = new long[rows];
        for (int i = 0; i < rows; i++) ids[i] = batchId * rows + i;
        return ids;
    }
}
