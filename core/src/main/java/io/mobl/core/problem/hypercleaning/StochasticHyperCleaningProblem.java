package io.mobl.core.problem.hypercleaning;

import io.mobl.core.linalg.Vectors;
import io.mobl.core.model.Batch;
import io.mobl.core.model.MultiHeadNetwork;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.core.stochastic.SampleBatch;
import io.mobl.core.stochastic.StochasticBilevelProblem;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The WC-MHGD paper's stochastic data hyper-cleaning experiment (§6 b) as a {@link StochasticBilevelProblem}: one
 * training set corrupted at S rates p_1 … p_S, one lower-level model per rate, and a single regularisation
 * parameter shared by all of them as the upper-level variable. With ℓ the cross-entropy of the network's head s:
 * <pre>
 *   x ∈ ℝ (p = 1), the log of the ℓ2 weight: the models are regularised by (e^x / 2)‖y‖²
 *   G(x, y; ζ)       = Σ_s ℓ(y; head s, a_ζ, b_ζ^{(s)}) + (e^x / 2)‖y‖²     ζ: a training image with its S noisy labels
 *   F^{(s)}(x, y; ξ) = ℓ(y; head s, a_ξ, b_ξ)                               ξ: a clean validation image
 * </pre>
 * so φ_s is the validation loss of the model trained on the labels corrupted at rate p_s. A lower sample carries
 * one image and its label under every rate (labelDim = S, class indices), an upper sample one image and its clean
 * label (labelDim = 1); the sample ids are the images' positions in their set. e^x keeps G e^x-strongly convex for
 * logistic regression (no hidden layer) and positive without a constraint.
 *
 * <p>Any {@link MultiHeadNetwork} with S heads serves: with no hidden layer its heads are S separate multinomial
 * logistic regressions (the paper's per-rate models); with hidden layers the trunk is shared by the rates and only
 * the heads are per rate. Every oracle is the batch mean the interface asks for, computed with the network's
 * batched oracles (no loop over samples):
 * <pre>
 *   ∇_y G        = Σ_s ∇_y mean ℓ_s + e^x y         ∇²_yy G·v = Σ_s ∇²mean ℓ_s·v + e^x v
 *   ∇²_xy G·v    = e^x ⟨y, v⟩ (a scalar: only the regulariser couples x and y)
 *   ∇_x F^{(s)}  = 0, so all of a hypergradient comes through the lower level: ∇̂φ_s = −e^x ⟨y, v_s⟩
 * </pre>
 */
public final class StochasticHyperCleaningProblem implements StochasticBilevelProblem {
    private final MultiHeadNetwork network;
    private final double initialLogRegularisation;
    private final INDArray initialLower;
    private final ConvertedBatches<Batch[]> converted = new ConvertedBatches<>();

    /**
     * @param network                  one head per corruption rate (S = its heads)
     * @param initialLogRegularisation x_0, the log of the initial ℓ2 weight
     * @param initialLower             y_0, length q
     */
    public StochasticHyperCleaningProblem(MultiHeadNetwork network, double initialLogRegularisation,
                                          INDArray initialLower) {
        Checks.finite("initial-log-regularisation", initialLogRegularisation);
        if (initialLower.length() != network.parameterCount()) {
            throw new InvalidInputException("initial-lower", "length " + initialLower.length(),
                    "length " + network.parameterCount() + " (" + network.describe() + ")");
        }
        this.network = network;
        this.initialLogRegularisation = initialLogRegularisation;
        this.initialLower = initialLower.dup();
    }

    public MultiHeadNetwork network() { return network; }

    /** e^x, the ℓ2 weight of the lower level at x. */
    public static double regularisation(INDArray x) {
        return Math.exp(x.getDouble(0));
    }

    @Override public int upperDimension() { return 1; }
    @Override public int lowerDimension() { return network.parameterCount(); }
    @Override public int objectiveCount() { return network.heads(); }
    @Override public int featureDimension(int objective) { return network.inputs(); }

    /** S noisy class indices per training image; one clean class index per validation image. */
    @Override
    public int labelDimension(int objective) {
        return objective == Minibatch.LOWER ? network.heads() : 1;
    }

    @Override
    public UpperEvaluation upper(int objective, INDArray x, INDArray y, SampleBatch batch) {
        Batch data = batches(batch, objective)[0];
        MultiHeadNetwork.Evaluation e = network.gradient(y, objective, data, mean(data));
        return new UpperEvaluation(e.value(), Vectors.zeros(1), e.gradient());
    }

    /** G(x, y; batch), the batch mean of the lower-level loss (what {@link #lowerGradient} differentiates). */
    public double lowerValue(INDArray x, INDArray y, SampleBatch batch) {
        double value = 0.5 * regularisation(x) * Vectors.squaredNorm(y);
        Batch[] lower = batches(batch, Minibatch.LOWER);
        for (int s = 0; s < objectiveCount(); s++) {
            Batch data = lower[s];
            value += network.weightedLoss(y, s, data, mean(data));
        }
        return value;
    }

    @Override
    public INDArray lowerGradient(INDArray x, INDArray y, SampleBatch batch) {
        INDArray gradient = y.mul(regularisation(x));
        Batch[] lower = batches(batch, Minibatch.LOWER);
        for (int s = 0; s < objectiveCount(); s++) {
            Batch data = lower[s];
            gradient.addi(network.weightedGradient(y, s, data, mean(data)));
        }
        return gradient;
    }

    @Override
    public INDArray hessianVector(INDArray x, INDArray y, INDArray v, SampleBatch batch) {
        INDArray product = v.mul(regularisation(x));
        Batch[] lower = batches(batch, Minibatch.LOWER);
        for (int s = 0; s < objectiveCount(); s++) {
            if (network.ignores(v, s)) continue;
            Batch data = lower[s];
            product.addi(network.hessianVector(y, s, data, mean(data), v));
        }
        return product;
    }

    /** e^x ⟨y, v⟩: the regulariser is the same for every sample, so the batch does not enter (only its role is checked). */
    @Override
    public INDArray jacobianVector(INDArray x, INDArray y, INDArray v, SampleBatch batch) {
        if (batch.objective() != Minibatch.LOWER) {
            throw new InvalidInputException("sample batch.objective", batch.objective(), "-1 (lower-level data)");
        }
        return Vectors.of(regularisation(x) * Vectors.dot(y, v));
    }

    @Override
    public INDArray initialUpper() {
        return Vectors.of(initialLogRegularisation);
    }

    @Override
    public INDArray initialLower() {
        return initialLower.dup();
    }

    /**
     * The rows of a sample batch as the network's {@link Batch}es, one per label column: the noisy labels of each
     * rate for lower-level data (S batches sharing one feature matrix), the clean label for an objective's (one).
     * Labels must be class indices; anything else is named with its minibatch. The last few conversions are kept
     * (by the batch's identity): Alg. 3 multiplies by each ℬ_j once per objective.
     */
    Batch[] batches(SampleBatch batch, int role) {
        ConvertedBatches.checkRole(batch, role);
        Batch[] kept = converted.kept(batch);
        if (kept != null) return kept;
        int n = batch.rows();
        int d = network.inputs();
        int classes = network.classes();
        int columns = labelDimension(role);
        double[] features = new double[n * d];
        int[][] labels = new int[columns][n];
        int row = 0;
        for (Minibatch m : batch.parts()) {
            check(role, m);
            System.arraycopy(m.features(), 0, features, row * d, m.rows() * d);
            for (int i = 0; i < m.rows(); i++, row++) {
                for (int c = 0; c < columns; c++) {
                    double label = m.label(i, c);
                    if (label != Math.rint(label) || label < 0 || label >= classes) {
                        throw new InvalidInputException("minibatch " + m.batchId() + ".labels[" + i + "][" + c + "]",
                                label, "a class index in 0.." + (classes - 1));
                    }
                    labels[c][row] = (int) label;
                }
            }
        }
        INDArray matrix = Nd4j.create(features, new long[] {n, d}, DataType.DOUBLE);
        Batch[] result = new Batch[columns];
        for (int c = 0; c < columns; c++) result[c] = Batch.of(matrix, labels[c], classes);
        return converted.keep(batch, result);
    }


    private static INDArray mean(Batch data) {
        return Nd4j.valueArrayOf(data.size(), 1.0 / data.size());
    }
}
