package io.mobl.core.model;

import io.mobl.core.linalg.Vectors;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Hard parameter sharing as in the FORUM paper's hyper-cleaning experiment: a shared trunk of ReLU layers
 * (784-512-256 there) and one linear C-way softmax head per task, trained with cross-entropy. With no hidden
 * layers every head is a multinomial logistic regression on the raw input, so the same code is both models.
 *
 * <p>Oracles are exact and batched: gradients by back-propagation, Hessian-vector products by Pearlmutter's
 * R-operator (a forward pass of directional derivatives, then back-propagation of them; ReLU's second
 * derivative is zero almost everywhere, so the result is the exact Hessian of the piecewise-smooth loss), and
 * per-sample directional derivatives ⟨∇ℓ_j, v⟩ from the forward R-pass alone. Every step is a matrix product
 * over the whole batch (ND4J, float64); there is no loop over samples.
 *
 * <p>Parameters live in one flat vector θ: for each trunk layer W_l (in×out, row-major) then b_l, then for each
 * head W_h (last×C) then b_h. A layer computes Z = A·W + 1bᵀ with samples as rows.
 */
public final class MultiHeadNetwork {
    private final int inputs;
    private final int[] hidden;
    private final int classes;
    private final int heads;
    private final long[] trunkOffsets; // W_l at trunkOffsets[l], b_l right after
    private final long[] headOffsets;
    private final long parameterCount;

    /**
     * @param inputs  d, the input size (784 for 28×28 images)
     * @param hidden  the trunk's layer widths ({} for multinomial logistic regression)
     * @param classes C ≥ 2
     * @param heads   the number of tasks, each with its own head (≥ 1)
     */
    public MultiHeadNetwork(int inputs, int[] hidden, int classes, int heads) {
        Checks.atLeast("inputs", inputs, 1);
        Checks.atLeast("classes", classes, 2);
        Checks.atLeast("heads", heads, 1);
        for (int i = 0; i < hidden.length; i++) Checks.atLeast("hidden[" + i + "]", hidden[i], 1);
        this.inputs = inputs;
        this.hidden = hidden.clone();
        this.classes = classes;
        this.heads = heads;
        this.trunkOffsets = new long[hidden.length];
        long offset = 0;
        int in = inputs;
        for (int l = 0; l < hidden.length; l++) {
            trunkOffsets[l] = offset;
            offset += (long) in * hidden[l] + hidden[l];
            in = hidden[l];
        }
        this.headOffsets = new long[heads];
        for (int h = 0; h < heads; h++) {
            headOffsets[h] = offset;
            offset += (long) in * classes + classes;
        }
        this.parameterCount = offset;
    }

    /** One multinomial logistic regression per task. */
    public static MultiHeadNetwork logistic(int inputs, int classes, int tasks) {
        return new MultiHeadNetwork(inputs, new int[0], classes, tasks);
    }

    public int inputs() { return inputs; }
    public int[] hidden() { return hidden.clone(); }
    public int classes() { return classes; }
    public int heads() { return heads; }

    public int parameterCount() {
        return Math.toIntExact(parameterCount);
    }

    /** "784-512-256 + 2×10" style. */
    public String describe() {
        StringBuilder s = new StringBuilder().append(inputs);
        for (int h : hidden) s.append('-').append(h);
        return s.append(" + ").append(heads).append('×').append(classes).toString();
    }

    /** He-normal trunk weights (std √(2/in)), Glorot-like heads (std √(1/in)); zero biases. Seeded. */
    public INDArray initialParameters(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] theta = new double[parameterCount()];
        int in = inputs;
        for (int l = 0; l < hidden.length; l++) {
            fill(theta, (int) trunkOffsets[l], in * hidden[l], Math.sqrt(2.0 / in), random);
            in = hidden[l];
        }
        if (hidden.length > 0) {
            for (int h = 0; h < heads; h++) fill(theta, (int) headOffsets[h], in * classes, Math.sqrt(1.0 / in), random);
        }
        return Vectors.of(theta);
    }

    private static void fill(double[] theta, int from, int count, double std, SplittableRandom random) {
        for (int i = 0; i < count; i++) theta[from + i] = std * random.nextGaussian();
    }

    // ---- the oracles -----------------------------------------------------------------------------------------

    /** ℓ_j(θ), the cross-entropy of each sample under head {@code head}; length n. */
    public INDArray sampleLosses(INDArray theta, int head, Batch batch) {
        Forward f = forward(theta, head, batch);
        return f.losses(batch);
    }

    /** Σ_j w_j ℓ_j(θ). */
    public double weightedLoss(INDArray theta, int head, Batch batch, INDArray weights) {
        return Vectors.dot(sampleLosses(theta, head, batch), weights);
    }

    /** The predicted class of each sample under head {@code head}. */
    public int[] predict(INDArray theta, int head, Batch batch) {
        INDArray logits = forward(theta, head, batch).logits;
        return logits.argMax(1).toIntVector();
    }

    /** ∇_θ Σ_j w_j ℓ_j(θ), length q (zero on the other heads), with the weighted loss. */
    public Evaluation gradient(INDArray theta, int head, Batch batch, INDArray weights) {
        return gradient(theta, head, batch, weights, true);
    }

    /** ∇_θ Σ_j w_j ℓ_j(θ) alone: the lower level's descent needs no loss value. */
    public INDArray weightedGradient(INDArray theta, int head, Batch batch, INDArray weights) {
        return gradient(theta, head, batch, weights, false).gradient();
    }

    private Evaluation gradient(INDArray theta, int head, Batch batch, INDArray weights, boolean withValue) {
        checkWeights(batch, weights);
        Forward f = forward(theta, head, batch);
        double value = withValue ? Vectors.dot(f.losses(batch), weights) : Double.NaN;
        INDArray delta = f.probabilities.sub(batch.oneHot()).muliColumnVector(column(weights));
        Pieces g = new Pieces();
        g.head(head, f.last().transpose().mmul(delta), delta.sum(0));
        if (hidden.length == 0) return new Evaluation(value, g.flatten());
        INDArray deltaA = delta.mmul(headWeights(theta, head).transpose());
        for (int l = hidden.length - 1; l >= 0; l--) {
            INDArray deltaZ = deltaA.muli(f.masks.get(l));
            g.trunk(l, f.activations.get(l).transpose().mmul(deltaZ), deltaZ.sum(0));
            if (l > 0) deltaA = deltaZ.mmul(trunkWeights(theta, l).transpose());
        }
        return new Evaluation(value, g.flatten());
    }

    /** ∇²_θθ Σ_j w_j ℓ_j(θ)·v, length q: the R-operator applied to {@link #gradient}. */
    public INDArray hessianVector(INDArray theta, int head, Batch batch, INDArray weights, INDArray v) {
        checkWeights(batch, weights);
        Forward f = forward(theta, head, batch);
        List<INDArray> rActivations = new ArrayList<>(hidden.length + 1);
        INDArray rLogits = forwardR(theta, head, f, v, rActivations);
        INDArray w = column(weights);
        INDArray delta = f.probabilities.sub(batch.oneHot()).muliColumnVector(w);
        INDArray rDelta = softmaxR(f.probabilities, rLogits).muliColumnVector(w);

        Pieces r = new Pieces();
        INDArray last = f.last();
        INDArray rLast = rActivations.get(hidden.length);
        INDArray rHead = last.transpose().mmul(rDelta);
        if (rLast != null) rHead.addi(rLast.transpose().mmul(delta));
        r.head(head, rHead, rDelta.sum(0));
        if (hidden.length == 0) return r.flatten();

        INDArray headW = headWeights(theta, head);
        INDArray deltaA = delta.mmul(headW.transpose());
        INDArray rDeltaA = rDelta.mmul(headW.transpose()).addi(delta.mmul(headWeights(v, head).transpose()));
        for (int l = hidden.length - 1; l >= 0; l--) {
            INDArray mask = f.masks.get(l);
            INDArray deltaZ = deltaA.muli(mask);
            INDArray rDeltaZ = rDeltaA.muli(mask);
            INDArray rW = f.activations.get(l).transpose().mmul(rDeltaZ);
            INDArray rPrevious = rActivations.get(l);
            if (rPrevious != null) rW.addi(rPrevious.transpose().mmul(deltaZ));
            r.trunk(l, rW, rDeltaZ.sum(0));
            if (l > 0) {
                INDArray weightsL = trunkWeights(theta, l);
                deltaA = deltaZ.mmul(weightsL.transpose());
                rDeltaA = rDeltaZ.mmul(weightsL.transpose()).addi(deltaZ.mmul(trunkWeights(v, l).transpose()));
            }
        }
        return r.flatten();
    }

    /** ⟨∇_θ ℓ_j(θ), v⟩ for every sample j, length n: one forward R-pass. */
    public INDArray directionalDerivatives(INDArray theta, int head, Batch batch, INDArray v) {
        Forward f = forward(theta, head, batch);
        INDArray rLogits = forwardR(theta, head, f, v, new ArrayList<>());
        return f.probabilities.sub(batch.oneHot()).muli(rLogits).sum(1);
    }

    /**
     * Whether v is zero on everything head {@code head}'s loss depends on (the trunk and that head). Then its
     * Hessian-vector product and directional derivatives are exactly zero and need no pass: with one logistic
     * regression per task, the CG and Neumann vectors of objective s live on head s alone, so this halves their
     * cost at S = 2.
     */
    public boolean ignores(INDArray v, int head) {
        checkLength("v", v);
        long trunkEnd = headOffsets[0];
        if (trunkEnd > 0 && Vectors.squaredNorm(v.get(NDArrayIndex.interval(0, trunkEnd))) != 0) return false;
        long from = headOffsets[head];
        long to = from + (long) lastWidth() * classes + classes;
        return Vectors.squaredNorm(v.get(NDArrayIndex.interval(from, to))) == 0;
    }

    // ---- passes ----------------------------------------------------------------------------------------------


    private final class Forward {
        final List<INDArray> activations = new ArrayList<>(); // A_0 … A_L
        final List<INDArray> masks = new ArrayList<>();       // 1[Z_l > 0], l = 1..L
        INDArray logits;
        INDArray probabilities;
        INDArray logNormaliser; // log Σ_c exp(logit_c), n

        INDArray last() {
            return activations.get(activations.size() - 1);
        }

        INDArray losses(Batch batch) {
            return logNormaliser.sub(logits.mul(batch.oneHot()).sum(1));
        }
    }

    private Forward forward(INDArray theta, int head, Batch batch) {
        checkTheta(theta, head, batch);
        Forward f = new Forward();
        INDArray a = batch.features();
        f.activations.add(a);
        for (int l = 0; l < hidden.length; l++) {
            INDArray z = a.mmul(trunkWeights(theta, l)).addiRowVector(trunkBias(theta, l));
            f.masks.add(z.gt(0.0).castTo(DataType.DOUBLE));
            a = Transforms.relu(z, false);
            f.activations.add(a);
        }
        f.logits = a.mmul(headWeights(theta, head)).addiRowVector(headBias(theta, head));
        INDArray max = f.logits.max(1);
        INDArray exp = Transforms.exp(f.logits.subColumnVector(max), false);
        INDArray sum = exp.sum(1);
        f.probabilities = exp.diviColumnVector(sum);
        f.logNormaliser = Transforms.log(sum, false).addi(max);
        return f;
    }

    /**
     * R{A_l} for l = 0..L into {@code rActivations} (null for A_0, whose direction is 0) and R{logits}.
     */
    private INDArray forwardR(INDArray theta, int head, Forward f, INDArray v, List<INDArray> rActivations) {
        checkLength("v", v);
        rActivations.add(null);
        INDArray rA = null;
        for (int l = 0; l < hidden.length; l++) {
            INDArray rZ = f.activations.get(l).mmul(trunkWeights(v, l)).addiRowVector(trunkBias(v, l));
            if (rA != null) rZ.addi(rA.mmul(trunkWeights(theta, l)));
            rA = rZ.muli(f.masks.get(l));
            rActivations.add(rA);
        }
        INDArray rLogits = f.last().mmul(headWeights(v, head)).addiRowVector(headBias(v, head));
        if (rA != null) rLogits.addi(rA.mmul(headWeights(theta, head)));
        return rLogits;
    }

    /** R{softmax(z)} = P ⊙ (R{z} − rowsum(P ⊙ R{z})). */
    private static INDArray softmaxR(INDArray p, INDArray rLogits) {
        INDArray mean = p.mul(rLogits).sum(1);
        return rLogits.subColumnVector(mean).muli(p);
    }

    // ---- layout ----------------------------------------------------------------------------------------------

    private int layerInputs(int l) {
        return l == 0 ? inputs : hidden[l - 1];
    }

    private int lastWidth() {
        return hidden.length == 0 ? inputs : hidden[hidden.length - 1];
    }

    private static INDArray block(INDArray theta, long offset, long rows, long cols) {
        return theta.get(NDArrayIndex.interval(offset, offset + rows * cols)).reshape('c', rows, cols);
    }

    private INDArray trunkWeights(INDArray theta, int l) {
        return block(theta, trunkOffsets[l], layerInputs(l), hidden[l]);
    }

    private INDArray trunkBias(INDArray theta, int l) {
        long from = trunkOffsets[l] + (long) layerInputs(l) * hidden[l];
        return block(theta, from, 1, hidden[l]);
    }

    private INDArray headWeights(INDArray theta, int h) {
        return block(theta, headOffsets[h], lastWidth(), classes);
    }

    private INDArray headBias(INDArray theta, int h) {
        return block(theta, headOffsets[h] + (long) lastWidth() * classes, 1, classes);
    }

    /** Collects per-layer pieces of a flat parameter-space vector; the rest is zero. */
    private final class Pieces {
        private final INDArray[] trunk = new INDArray[2 * hidden.length];
        private int headIndex = -1;
        private INDArray headW;
        private INDArray headB;

        void trunk(int l, INDArray w, INDArray b) {
            trunk[2 * l] = w;
            trunk[2 * l + 1] = b;
        }

        void head(int h, INDArray w, INDArray b) {
            headIndex = h;
            headW = w;
            headB = b;
        }

        INDArray flatten() {
            List<INDArray> parts = new ArrayList<>();
            for (int l = 0; l < hidden.length; l++) {
                parts.add(trunk[2 * l] == null ? Nd4j.zeros(DataType.DOUBLE, (long) layerInputs(l) * hidden[l]) : trunk[2 * l]);
                parts.add(trunk[2 * l + 1] == null ? Nd4j.zeros(DataType.DOUBLE, hidden[l]) : trunk[2 * l + 1]);
            }
            long headSize = (long) lastWidth() * classes + classes;
            if (headIndex > 0) parts.add(Nd4j.zeros(DataType.DOUBLE, headIndex * headSize));
            parts.add(headW);
            parts.add(headB);
            long after = (long) (heads - headIndex - 1) * headSize;
            if (after > 0) parts.add(Nd4j.zeros(DataType.DOUBLE, after));
            return Nd4j.toFlattened('c', parts);
        }
    }

    private void checkTheta(INDArray theta, int head, Batch batch) {
        checkLength("parameters", theta);
        if (head < 0 || head >= heads) throw new InvalidInputException("head", head, "a head index in 0.." + (heads - 1));
        if (batch.features().columns() != inputs) {
            throw new InvalidInputException("batch.features", Arrays.toString(batch.features().shape()),
                    inputs + " columns, the network's input size");
        }
        if (batch.classes() != classes) {
            throw new InvalidInputException("batch.classes", batch.classes(), classes + " like the network");
        }
    }

    private void checkLength(String field, INDArray vector) {
        if (vector.length() != parameterCount) {
            throw new InvalidInputException(field, "length " + vector.length(), "length " + parameterCount + " (" + describe() + ")");
        }
    }

    private static void checkWeights(Batch batch, INDArray weights) {
        if (weights.length() != batch.size()) {
            throw new InvalidInputException("weights", "length " + weights.length(), "one weight per sample (" + batch.size() + ")");
        }
    }

    private static INDArray column(INDArray weights) {
        return weights.reshape(weights.length(), 1);
    }

    /**
     * A weighted loss and its gradient.
     *
     * @param value    Σ_j w_j ℓ_j(θ) (NaN where only the gradient was asked for)
     * @param gradient its gradient in θ, length q
     */
    public record Evaluation(double value, INDArray gradient) {}
}
