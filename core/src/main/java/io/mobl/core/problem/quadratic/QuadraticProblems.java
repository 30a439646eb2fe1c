package io.mobl.core.problem.quadratic;

import io.mobl.core.linalg.Vectors;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Seeded generators of quadratic problems, from tiny dense ones to p, q = 10⁶ structured ones. */
public final class QuadraticProblems {
    private QuadraticProblems() {}

    /**
     * A structured instance: A = Diag(d) + UUᵀ with d in [1, κ] and U of rank {@code rank} (entries scaled so
     * the low-rank part is O(1)), B = Diag(b) + VWᵀ, targets c_s, d_s drawn around distinct centres so the
     * objectives conflict, a_s = {@code upperWeight}. Memory is O((p + q)·rank).
     *
     * @param seed            every draw comes from this seed
     * @param upperDimension  p
     * @param lowerDimension  q
     * @param objectives      S
     * @param rank            rank of the low-rank parts (0 gives diagonal matrices)
     * @param conditionNumber spread of A's diagonal, κ ≥ 1
     */
    public static QuadraticProblem structured(long seed, int upperDimension, int lowerDimension, int objectives,
                                              int rank, double conditionNumber, double upperWeight) {
        Checks.atLeast("upper-dimension", upperDimension, 1);
        Checks.atLeast("lower-dimension", lowerDimension, 1);
        Checks.atLeast("objectives", objectives, 1);
        Checks.atLeast("rank", rank, 0);
        if (!(conditionNumber >= 1)) throw new InvalidInputException("condition-number", conditionNumber, "a number >= 1");
        SplittableRandom random = new SplittableRandom(seed);
        int m = Math.min(upperDimension, lowerDimension);
        double[] d = new double[lowerDimension];
        for (int i = 0; i < lowerDimension; i++) d[i] = 1 + (conditionNumber - 1) * random.nextDouble();
        double lowRankScale = 1.0 / Math.sqrt(Math.max(1, lowerDimension));
        INDArray u = gaussian(random, lowerDimension, rank, lowRankScale);
        double[] bd = new double[m];
        for (int i = 0; i < m; i++) bd[i] = 0.5 + random.nextDouble();
        INDArray v = gaussian(random, lowerDimension, rank, lowRankScale);
        INDArray w = gaussian(random, upperDimension, rank, 1.0 / Math.sqrt(Math.max(1, upperDimension)));
        SymmetricPositiveMap a = new StructuredMap.SymmetricPositive(Vectors.of(d), u);
        LinearMap b = new StructuredMap(lowerDimension, upperDimension, Vectors.of(bd), v, w);
        List<QuadraticObjective> list = new ArrayList<>();
        for (int s = 0; s < objectives; s++) {
            double centre = 2.0 * s - (objectives - 1);
            list.add(new QuadraticObjective(around(random, lowerDimension, centre), around(random, upperDimension, -centre),
                    upperWeight));
        }
        return new QuadraticProblem(a, b, list);
    }

    /** A small dense instance with A = QΛQᵀ (eigenvalues in [1, κ]) and a dense B: for tests and files. */
    public static QuadraticProblem dense(long seed, int upperDimension, int lowerDimension, int objectives,
                                         double conditionNumber, double upperWeight) {
        SplittableRandom random = new SplittableRandom(seed);
        int q = lowerDimension;
        double[][] g = new double[q][q];
        for (double[] row : g) for (int j = 0; j < q; j++) row[j] = random.nextGaussian();
        double[][] qr = new org.hipparchus.linear.QRDecomposition(new org.hipparchus.linear.Array2DRowRealMatrix(g))
                .getQ().getData();
        double[][] aEntries = new double[q][q];
        double[] eig = new double[q];
        for (int k = 0; k < q; k++) eig[k] = q == 1 ? 1 : 1 + (conditionNumber - 1) * k / (q - 1.0);
        for (int i = 0; i < q; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = 0;
                for (int k = 0; k < q; k++) sum += qr[i][k] * eig[k] * qr[j][k];
                aEntries[i][j] = sum;
                aEntries[j][i] = sum;
            }
        }
        double[][] bEntries = new double[q][upperDimension];
        for (double[] row : bEntries) for (int j = 0; j < upperDimension; j++) row[j] = random.nextGaussian() / Math.sqrt(upperDimension);
        List<QuadraticObjective> list = new ArrayList<>();
        for (int s = 0; s < objectives; s++) {
            double centre = 2.0 * s - (objectives - 1);
            list.add(new QuadraticObjective(around(random, q, centre), around(random, upperDimension, -centre), upperWeight));
        }
        return new QuadraticProblem(new DenseMap.SymmetricPositive("A", aEntries), new DenseMap(bEntries), list);
    }

    private static INDArray gaussian(SplittableRandom random, int rows, int columns, double scale) {
        double[] values = new double[rows * columns];
        for (int i = 0; i < values.length; i++) values[i] = scale * random.nextGaussian();
        return Nd4j.create(values, new long[] {rows, columns}, 'c');
    }

    private static INDArray around(SplittableRandom random, int length, double centre) {
        double[] values = new double[length];
        for (int i = 0; i < length; i++) values[i] = centre + 0.5 * random.nextGaussian();
        return Vectors.of(values);
    }
}
