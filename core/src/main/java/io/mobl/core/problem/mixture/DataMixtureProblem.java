package io.mobl.core.problem.mixture;

import io.mobl.core.linalg.Vectors;
import io.mobl.core.model.Batch;
import io.mobl.core.model.MultiHeadNetwork;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Data-mixture curation (the WC-Penalty poster's task, scaled to a CPU) as a {@link BilevelProblem}. With N source
 * data sets and S validation criteria:
 * <pre>
 *   x ∈ ℝ^N, the mixture logits; w = softmax(x) the share of each source in the training mixture
 *   g(x, y) = Σ_i w_i L_i(y) + (μ/2)‖y‖²,    L_i(y) = (1/n_i) Σ_{j ∈ source i} ℓ(y; a_j, b_j)
 *   f_s(x, y) = (1/m_s) Σ_{j ∈ validation s} ℓ(y; a_j, b_j)
 * </pre>
 * y is one multinomial logistic regression (a {@link MultiHeadNetwork} with one head). With μ = 0 the lower level
 * is convex but not strongly convex: the softmax loss is unchanged when the same vector is added to every class's
 * weights, so ∇²_yy g is singular on every input — the setting WC-Penalty is built for. WC-MHGD's theory (and its
 * CG or Neumann solve) needs strong convexity, so it runs with a small μ &gt; 0.
 *
 * <p>The mixed derivatives go through the softmax Jacobian ∂w_i/∂x_k = w_i(δ_ik − w_k):
 * ∇_x g = w∘(L − ⟨w, L⟩) and ∇²_xy g·v = w∘(d − ⟨w, d⟩) with d_i = ⟨∇L_i(y), v⟩, one forward R-pass over the
 * concatenated sources. f_s does not depend on x, so ∇_x f_s = 0.
 */
public final class DataMixtureProblem implements BilevelProblem {
    private final MultiHeadNetwork network;
    private final List<String> sourceNames;
    private final Batch train;
    private final int[] offsets;
    private final List<Batch> validations;
    private final double regularisation;

    /**
     * @param network        a single-head model
     * @param sourceNames    N ≥ 2 names, in the order of {@code sources}
     * @param sources        the N source data sets (each non-empty)
     * @param validations    the S ≥ 1 validation sets behind f_s
     * @param regularisation μ ≥ 0
     */
    public DataMixtureProblem(MultiHeadNetwork network, List<String> sourceNames, List<Batch> sources,
                              List<Batch> validations, double regularisation) {
        if (network.heads() != 1) throw new InvalidInputException("network.heads", network.heads(), "1 (one model on the mixture)");
        if (sources.size() < 2) throw new InvalidInputException("sources", sources.size(), "at least 2 sources to mix");
        if (sourceNames.size() != sources.size()) {
            throw new InvalidInputException("source-names", sourceNames.size(), "one name per source (" + sources.size() + ")");
        }
        if (validations.isEmpty()) throw new InvalidInputException("validations", 0, "at least one validation set");
        Checks.nonNegative("regularisation", regularisation);
        this.offsets = new int[sources.size() + 1];
        INDArray[] features = new INDArray[sources.size()];
        int[] labels = new int[sources.stream().mapToInt(Batch::size).sum()];
        for (int i = 0; i < sources.size(); i++) {
            Batch b = sources.get(i);
            if (b.size() == 0) throw new InvalidInputException("sources[" + i + "]", "empty", "at least one sample");
            features[i] = b.features();
            System.arraycopy(b.labels(), 0, labels, offsets[i], b.size());
            offsets[i + 1] = offsets[i] + b.size();
        }
        this.network = network;
        this.sourceNames = List.copyOf(sourceNames);
        this.train = Batch.of(Nd4j.concat(0, features), labels, network.classes());
        this.validations = List.copyOf(validations);
        this.regularisation = regularisation;
    }

    public MultiHeadNetwork network() { return network; }
    public List<String> sourceNames() { return sourceNames; }
    public List<Batch> validations() { return validations; }
    public double regularisation() { return regularisation; }

    /** w = softmax(x), the mixture weights (length N, on the simplex). */
    public static double[] mixtureWeights(INDArray x) {
        double[] logits = x.toDoubleVector();
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) max = Math.max(max, l);
        double[] w = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.exp(logits[i] - max);
            sum += w[i];
        }
        for (int i = 0; i < w.length; i++) w[i] /= sum;
        return w;
    }

    /** L_i(y), the mean training loss on each source. */
    public double[] sourceLosses(INDArray y) {
        return perSourceMeans(network.sampleLosses(y, 0, train));
    }

    @Override public int upperDimension() { return sourceNames.size(); }
    @Override public int lowerDimension() { return network.parameterCount(); }
    @Override public int objectiveCount() { return validations.size(); }

    @Override
    public UpperEvaluation upper(int objective, INDArray x, INDArray y) {
        Batch validation = validations.get(objective);
        INDArray weights = Nd4j.valueArrayOf(validation.size(), 1.0 / validation.size());
        MultiHeadNetwork.Evaluation e = network.gradient(y, 0, validation, weights);
        return new UpperEvaluation(e.value(), Vectors.zeros(upperDimension()), e.gradient());
    }

    @Override
    public double lowerValue(INDArray x, INDArray y) {
        return network.weightedLoss(y, 0, train, sampleWeights(x)) + 0.5 * regularisation * Vectors.squaredNorm(y);
    }

    @Override
    public INDArray lowerGradient(INDArray x, INDArray y) {
        return network.weightedGradient(y, 0, train, sampleWeights(x)).addi(y.mul(regularisation));
    }

    @Override
    public INDArray lowerGradientX(INDArray x, INDArray y) {
        return softmaxTranspose(mixtureWeights(x), sourceLosses(y));
    }

    @Override
    public INDArray hessianVector(INDArray x, INDArray y, INDArray v) {
        return network.hessianVector(y, 0, train, sampleWeights(x), v).addi(v.mul(regularisation));
    }

    @Override
    public INDArray jacobianVector(INDArray x, INDArray y, INDArray v) {
        double[] d = perSourceMeans(network.directionalDerivatives(y, 0, train, v));
        return softmaxTranspose(mixtureWeights(x), d);
    }

    /** x_0 = 0: the uniform mixture. */
    @Override
    public INDArray initialUpper() {
        return Vectors.zeros(upperDimension());
    }

    /** y_0 = 0: every class equally likely, the same start for every method and seed. */
    @Override
    public INDArray initialLower() {
        return Vectors.zeros(lowerDimension());
    }

    /** J_softmax(x)ᵀ a = w∘(a − ⟨w, a⟩). */
    private static INDArray softmaxTranspose(double[] w, double[] a) {
        double mean = 0;
        for (int i = 0; i < w.length; i++) mean += w[i] * a[i];
        double[] out = new double[w.length];
        for (int i = 0; i < w.length; i++) out[i] = w[i] * (a[i] - mean);
        return Vectors.of(out);
    }

    /** w_i / n_i for every training sample of source i. */
    private INDArray sampleWeights(INDArray x) {
        double[] w = mixtureWeights(x);
        double[] perSample = new double[train.size()];
        for (int i = 0; i < w.length; i++) {
            java.util.Arrays.fill(perSample, offsets[i], offsets[i + 1], w[i] / (offsets[i + 1] - offsets[i]));
        }
        return Vectors.of(perSample);
    }

    private double[] perSourceMeans(INDArray perSample) {
        double[] all = perSample.toDoubleVector();
        double[] means = new double[sourceNames.size()];
        for (int i = 0; i < means.length; i++) {
            double sum = 0;
            for (int j = offsets[i]; j < offsets[i + 1]; j++) sum += all[j];
            means[i] = sum / (offsets[i + 1] - offsets[i]);
        }
        return means;
    }
}
