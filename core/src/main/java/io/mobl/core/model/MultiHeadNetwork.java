package io.mobl.core.model;

import io.mobl.core.linalg.Vectors;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.nio.DoubleBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hard parameter sharing as in the FORUM paper's hyper-cleaning experiment: a shared trunk of ReLU layers
 * (784-512-256 there) and one linear C-way softmax head per task, trained with cross-entropy. With no hidden
 * layers every head is a multinomial logistic regression on the raw input, so the same code is both models.
 *
 * <p>Oracles are exact and batched: gradients by back-propagation, Hessian-vector products by Pearlmutter's
 * R-operator (a forward pass of directional derivatives, then back-propagation of them; ReLU's second
 * derivative is zero almost everywhere, so the result is the exact Hessian of the piecewise-smooth loss), and
 * per-sample directional derivatives ⟨∇ℓ_j, v⟩ from the forward R-pass alone. Every step is a matrix product
 * over the whole batch; there is no loop over samples.
 *
 * <p>How it runs (the FORUM setting is a few milliseconds of products per gradient, so everything around them
 * counts): the products are OpenBLAS gemm calls on native memory ({@link Dense}), each layer's weight gradient
 * written straight into its slice of the flat gradient, and the elementwise work (bias, ReLU, softmax, residual)
 * is one Java loop each over blocks that a call borrows from a pool of workspaces rather than allocating. The
 * {@link Precision} picks float64 or float32 for that arithmetic; θ, v and the results stay float64 vectors.
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
    private final Precision precision;
    private final Activation activation;
    private final ConcurrentLinkedQueue<Workspace> workspaces = new ConcurrentLinkedQueue<>();

    /**
     * @param inputs  d, the input size (784 for 28×28 images)
     * @param hidden  the trunk's layer widths ({} for multinomial logistic regression)
     * @param classes C ≥ 2
     * @param heads   the number of tasks, each with its own head (≥ 1)
     */
    public MultiHeadNetwork(int inputs, int[] hidden, int classes, int heads) {
        this(inputs, hidden, classes, heads, Precision.FLOAT64);
    }

    /** As {@link #MultiHeadNetwork(int, int[], int, int)}, computing its batch products in {@code precision}. */
    public MultiHeadNetwork(int inputs, int[] hidden, int classes, int heads, Precision precision) {
        this(inputs, hidden, classes, heads, precision, Activation.RELU);
    }

    /** As {@link #MultiHeadNetwork(int, int[], int, int, Precision)} with another trunk nonlinearity. */
    public MultiHeadNetwork(int inputs, int[] hidden, int classes, int heads, Precision precision, Activation activation) {
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
        if (offset > Integer.MAX_VALUE) {
            throw new InvalidInputException("hidden", Arrays.toString(hidden), "at most 2³¹ − 1 parameters in all, not " + offset);
        }
        this.parameterCount = offset;
        this.precision = precision;
        this.activation = java.util.Objects.requireNonNull(activation, "activation");
    }

    /** One multinomial logistic regression per task. */
    public static MultiHeadNetwork logistic(int inputs, int classes, int tasks) {
        return new MultiHeadNetwork(inputs, new int[0], classes, tasks);
    }

    public int inputs() { return inputs; }
    public int[] hidden() { return hidden.clone(); }
    public int classes() { return classes; }
    public int heads() { return heads; }
    public Precision precision() { return precision; }
    public Activation activation() { return activation; }

    /** The same architecture (and parameter layout) computing in {@code other}. */
    public MultiHeadNetwork withPrecision(Precision other) {
        return other == precision ? this : new MultiHeadNetwork(inputs, hidden, classes, heads, other, activation);
    }

    public int parameterCount() {
        return Math.toIntExact(parameterCount);
    }

    /** "784-512-256 + 2×10" style ("784-64 tanh + 1×10" for another activation than ReLU). */
    public String describe() {
        StringBuilder s = new StringBuilder().append(inputs);
        for (int h : hidden) s.append('-').append(h);
        if (activation != Activation.RELU && hidden.length > 0) s.append(' ').append(activation.label());
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
        checkTheta(theta, head, batch);
        Workspace ws = acquire(batch.size());
        try {
            forward(ws, ws.parameters(theta), head, ws.features(batch), batch);
            return Vectors.of(Arrays.copyOf(ws.losses, batch.size()));
        } finally {
            release(ws);
        }
    }

    /** Σ_j w_j ℓ_j(θ). */
    public double weightedLoss(INDArray theta, int head, Batch batch, INDArray weights) {
        checkTheta(theta, head, batch);
        checkWeights(batch, weights);
        Workspace ws = acquire(batch.size());
        try {
            forward(ws, ws.parameters(theta), head, ws.features(batch), batch);
            return weightedSum(ws.losses, 0, Vectors.readable(weights), batch.size());
        } finally {
            release(ws);
        }
    }

    /** The predicted class of each sample under head {@code head}. */
    public int[] predict(INDArray theta, int head, Batch batch) {
        checkTheta(theta, head, batch);
        Workspace ws = acquire(batch.size());
        try {
            forward(ws, ws.parameters(theta), head, ws.features(batch), batch);
            return Arrays.copyOf(ws.predicted, batch.size());
        } finally {
            release(ws);
        }
    }

    /** ∇_θ Σ_j w_j ℓ_j(θ), length q (zero on the other heads), with the weighted loss. */
    public Evaluation gradient(INDArray theta, int head, Batch batch, INDArray weights) {
        INDArray out = Vectors.uninitialized(parameterCount);
        double value = pass(theta, null, only(head, batch), only(head, weights), out, false);
        return new Evaluation(value, out);
    }

    /** ∇_θ Σ_j w_j ℓ_j(θ) alone: the lower level's descent needs no loss value. */
    public INDArray weightedGradient(INDArray theta, int head, Batch batch, INDArray weights) {
        INDArray out = Vectors.uninitialized(parameterCount);
        pass(theta, null, only(head, batch), only(head, weights), out, false);
        return out;
    }

    /**
     * out ← out + ∇_θ Σ_j w_j ℓ_j(θ), in place. {@code out} must be a contiguous float64 vector of length q,
     * distinct from θ. Returns Σ_j w_j ℓ_j(θ).
     */
    public double addGradient(INDArray theta, int head, Batch batch, INDArray weights, INDArray out) {
        return pass(theta, null, only(head, batch), only(head, weights), out, true);
    }

    /**
     * out ← out + Σ_h ∇_θ Σ_j w_hj ℓ_j(θ; head h, batches[h]), one batch and weight vector per head, in place: the
     * lower level's sum over tasks in one call. The heads' shares of the shared trunk's gradient are summed where
     * they are made (gemm with β = 1), and in float32 θ is converted and the result added back once for all heads.
     * Returns Σ_h Σ_j w_hj ℓ_hj.
     */
    public double addGradients(INDArray theta, List<Batch> batches, List<INDArray> weights, INDArray out) {
        return pass(theta, null, perHead("batches", batches).toArray(new Batch[0]),
                perHead("weights", weights).toArray(new INDArray[0]), out, true);
    }

    /** ∇²_θθ Σ_j w_j ℓ_j(θ)·v, length q: the R-operator applied to {@link #gradient}. */
    public INDArray hessianVector(INDArray theta, int head, Batch batch, INDArray weights, INDArray v) {
        checkLength("v", v);
        INDArray out = Vectors.uninitialized(parameterCount);
        pass(theta, v, only(head, batch), only(head, weights), out, false);
        return out;
    }

    /** out ← out + ∇²_θθ Σ_j w_j ℓ_j(θ)·v, in place, as {@link #addGradient}. Returns out. */
    public INDArray addHessianVector(INDArray theta, int head, Batch batch, INDArray weights, INDArray v, INDArray out) {
        checkLength("v", v);
        pass(theta, v, only(head, batch), only(head, weights), out, true);
        return out;
    }

    /**
     * out ← out + Σ_h ∇²_θθ Σ_j w_hj ℓ_hj(θ)·v, one batch and weight vector per head, as {@link #addGradients};
     * heads that {@link #ignores} v are skipped (their product is exactly zero). Returns out.
     */
    public INDArray addHessianVectors(INDArray theta, List<Batch> batches, List<INDArray> weights, INDArray v, INDArray out) {
        checkLength("v", v);
        Batch[] b = perHead("batches", batches).toArray(new Batch[0]);
        for (int h = 0; h < heads; h++) if (ignores(v, h)) b[h] = null;
        pass(theta, v, b, perHead("weights", weights).toArray(new INDArray[0]), out, true);
        return out;
    }

    /**
     * T steps of gradient descent on the weighted training loss plus (μ/2)‖θ‖²,
     * θ_{t+1} = θ_t − η(Σ_h ∇_θ Σ_j w_thj ℓ_thj(θ_t) + μθ_t), step t on its own batches (one per head, null where
     * a head has none in that step), all in the network's {@link Precision}: θ is converted once each way, each
     * step's gradient is made in one buffer of the working precision (one trunk pass over all heads' rows stacked,
     * {@link #stackedGradient}) and applied by OpenBLAS axpy. A float32 run so makes no float64 copy per step, which is most of a step's work
     * outside the products. In float64 every step is {@link #addGradients} followed by the same update.
     *
     * @param batches one list per step, one batch (or null) per head
     * @param weights the same shape as batches, one weight per sample
     * @return θ_T, a new float64 vector
     */
    public INDArray descend(INDArray theta, List<List<Batch>> batches, List<List<INDArray>> weights,
                            double regularisation, double stepSize) {
        checkLength("parameters", theta);
        if (batches.size() != weights.size()) {
            throw new InvalidInputException("weights", weights.size() + " steps", "one per step of batches (" + batches.size() + ")");
        }
        int rows = 1;
        for (int t = 0; t < batches.size(); t++) {
            List<Batch> step = perHead("batches[" + t + "]", batches.get(t));
            List<INDArray> w = perHead("weights[" + t + "]", weights.get(t));
            int stepRows = 0;
            for (int h = 0; h < heads; h++) {
                if (step.get(h) == null) continue;
                checkBatch(step.get(h));
                checkWeights(step.get(h), w.get(h));
                stepRows += step.get(h).size();
            }
            rows = Math.max(rows, stepRows);
        }
        INDArray result = theta.dup();
        Workspace ws = acquire(rows);
        try {
            // the iterate in the working precision: float64 works on the result itself, float32 on its own copy
            Dense parameters = precision == Precision.FLOAT64 ? Dense.wrap(result, Precision.FLOAT64) : ws.parameters(theta);
            Dense gradient = ws.descentGradient();
            int trunk = (int) headOffsets[0];
            Batch[] step = new Batch[heads];
            DoubleBuffer[] w = new DoubleBuffer[heads];
            for (int t = 0; t < batches.size(); t++) {
                boolean any = false;
                for (int h = 0; h < heads; h++) {
                    step[h] = batches.get(t).get(h);
                    w[h] = step[h] == null ? null : Vectors.readable(weights.get(t).get(h));
                    any |= step[h] != null;
                }
                if (any) stackedGradient(ws, parameters, step, w, gradient, false, false);
                if (regularisation != 0) Dense.scale(1 - stepSize * regularisation, parameters, 0, (int) parameterCount);
                if (!any) continue;
                Dense.axpy(-stepSize, gradient, parameters, 0, trunk);
                for (int h = 0; h < heads; h++) {
                    if (step[h] != null) Dense.axpy(-stepSize, gradient, parameters, (int) headOffsets[h], headSize());
                }
            }
            if (precision != Precision.FLOAT64) Dense.wrap(result, Precision.FLOAT64).copyFrom(parameters, 0, 0, (int) parameterCount);
            return result;
        } finally {
            release(ws);
        }
    }

    /**
     * The gradient (v null) or Hessian-vector product (v given) of the heads with a batch, summed into out
     * (add) or written over it (the heads without a batch then get zeros). Returns the weighted loss.
     */
    private double pass(INDArray theta, INDArray v, Batch[] batches, INDArray[] weights, INDArray out, boolean add) {
        checkLength("parameters", theta);
        checkLength("out", out);
        int rows = 0;
        int stacked = 0;
        for (int h = 0; h < heads; h++) {
            if (batches[h] == null) continue;
            checkBatch(batches[h]);
            checkWeights(batches[h], weights[h]);
            rows = Math.max(rows, batches[h].size());
            stacked += batches[h].size();
        }
        Workspace ws = acquire(v == null ? stacked : rows);
        try {
            Dense parameters = ws.parameters(theta);
            Dense target = ws.target(out);
            boolean single = target == ws.gradient32; // float32: the result is made apart and added at the end
            boolean noneRan = stacked == 0;
            double value = 0;
            if (v == null) {
                DoubleBuffer[] w = new DoubleBuffer[heads];
                for (int h = 0; h < heads; h++) if (batches[h] != null) w[h] = Vectors.readable(weights[h]);
                if (!noneRan) value = stackedGradient(ws, parameters, batches, w, target, !single && add, !single && add);
            } else {
                Dense direction = ws.direction(v);
                boolean first = true;
                for (int h = 0; h < heads; h++) {
                    Batch batch = batches[h];
                    if (batch == null) continue;
                    Dense features = ws.features(batch);
                    forward(ws, parameters, h, features, batch);
                    forwardR(ws, parameters, direction, h, features, batch.size());
                    backwardR(ws, parameters, direction, h, features, batch, Vectors.readable(weights[h]), target,
                            single ? !first : add || !first, !single && add);
                    first = false;
                }
            }
            ws.finish(out, target, batches, add, noneRan);
            return value;
        } finally {
            release(ws);
        }
    }

    /**
     * g ← (g +) Σ_h ∇_θ Σ_j w_hj ℓ_hj for the heads with a batch, by one trunk pass over all their rows stacked (the
     * trunk is shared, so its products are one gemm of Σ_h n_h rows instead of one per head, and its gradient is
     * summed over the heads by that gemm), each head on its own rows. The trunk's slice of g is added to when
     * addTrunk, the heads' slices when addHead. Returns Σ_h Σ_j w_hj ℓ_hj.
     */
    private double stackedGradient(Workspace ws, Dense theta, Batch[] batches, DoubleBuffer[] weights, Dense g,
                                   boolean addTrunk, boolean addHead) {
        Dense features = ws.stacked(batches);
        int n = 0;
        for (Batch b : batches) if (b != null) n += b.size();
        forwardTrunk(ws, theta, features, n);
        Dense lastA = lastActivations(ws, features);
        double value = 0;
        int row = 0;
        for (int h = 0; h < heads; h++) {
            Batch batch = batches[h];
            if (batch == null) continue;
            forwardHead(ws, theta, h, lastA, row, batch);
            value += weightedSum(ws.losses, row, weights[h], batch.size());
            backwardHead(ws, theta, h, lastA, row, batch, weights[h], g, addHead);
            row += batch.size();
        }
        backwardTrunk(ws, theta, features, n, g, addTrunk);
        return value;
    }

    private Batch[] only(int head, Batch batch) {
        checkHead(head);
        Batch[] b = new Batch[heads];
        b[head] = batch;
        return b;
    }

    private INDArray[] only(int head, INDArray weights) {
        INDArray[] w = new INDArray[heads];
        w[head] = weights;
        return w;
    }

    private <T> List<T> perHead(String field, List<T> values) {
        if (values.size() != heads) throw new InvalidInputException(field, values.size() + " entries", "one per head (" + heads + ")");
        return values;
    }

    /** ⟨∇_θ ℓ_j(θ), v⟩ for every sample j, length n: one forward R-pass. */
    public INDArray directionalDerivatives(INDArray theta, int head, Batch batch, INDArray v) {
        checkTheta(theta, head, batch);
        checkLength("v", v);
        int n = batch.size();
        Workspace ws = acquire(n);
        try {
            Dense parameters = ws.parameters(theta);
            Dense features = ws.features(batch);
            forward(ws, parameters, head, features, batch);
            forwardR(ws, parameters, ws.direction(v), head, features, n);
            double[] d = new double[n];
            int[] labels = batch.labels();
            for (int j = 0; j < n; j++) {
                int row = j * classes;
                double s = -ws.rOut.get(row + labels[j]);
                for (int c = 0; c < classes; c++) s += ws.out.get(row + c) * ws.rOut.get(row + c);
                d[j] = s;
            }
            return Vectors.of(d);
        } finally {
            release(ws);
        }
    }

    /**
     * Whether v is zero on everything head {@code head}'s loss depends on (the trunk and that head). Then its
     * Hessian-vector product and directional derivatives are exactly zero and need no pass: with one logistic
     * regression per task, the CG and Neumann vectors of objective s live on head s alone, so this halves their
     * cost at S = 2.
     */
    public boolean ignores(INDArray v, int head) {
        checkLength("v", v);
        DoubleBuffer entries = Vectors.readable(v);
        int trunkEnd = (int) headOffsets[0];
        for (int i = 0; i < trunkEnd; i++) if (entries.get(i) != 0) return false;
        int from = (int) headOffsets[head];
        int to = from + headSize();
        for (int i = from; i < to; i++) if (entries.get(i) != 0) return false;
        return true;
    }

    // ---- passes ----------------------------------------------------------------------------------------------
    // Matrices are row-major with samples as rows; a layer's weights W_l (in×out) sit at trunkOffsets[l] in θ, its
    // bias right after. Every product is one gemm into workspace memory or straight into the gradient's slice.

    /**
     * A_l = relu(A_{l−1}·W_l + 1b_lᵀ) into ws.activations, the logits into ws.out, then softmax in place (P), with
     * each sample's loss log Σ_c exp(z_c) − z_{label} and its arg-max class.
     */
    private void forward(Workspace ws, Dense theta, int head, Dense features, Batch batch) {
        forwardTrunk(ws, theta, features, batch.size());
        forwardHead(ws, theta, head, lastActivations(ws, features), 0, batch);
    }

    /**
     * The trunk on n rows: A_l = σ(A_{l−1}·W_l + 1b_lᵀ) into ws.activations, one gemm (β = 0) and one pass that adds
     * the bias and applies σ per layer. The rows may be several heads' batches stacked: the trunk is shared.
     */
    private void forwardTrunk(Workspace ws, Dense theta, Dense features, int n) {
        Dense previous = features;
        int in = inputs;
        for (int l = 0; l < hidden.length; l++) {
            int width = hidden[l];
            Dense a = ws.activations[l];
            Dense.gemm(false, false, n, width, in, 1, previous, 0, in, theta, (int) trunkOffsets[l], width, 0, a, 0, width);
            Dense.addBiasActivate(a, n, width, theta, trunkBiasOffset(l), activation == Activation.RELU, ws.scratch(0));
            previous = a;
            in = width;
        }
    }

    /**
     * Head {@code head} on the batch whose rows start at row {@code row} of {@code previous} (the trunk's output, or
     * the features with no hidden layer, {@link #lastActivations}): its logits into ws.out from that row on, then softmax in place (P), with each sample's
     * loss log Σ_c exp(z_c) − z_{label} in ws.losses and its arg-max class in ws.predicted, from entry row on.
     */
    private void forwardHead(Workspace ws, Dense theta, int head, Dense previous, int row, Batch batch) {
        int n = batch.size();
        int in = lastWidth();
        Dense z = ws.out;
        int at = row * classes;
        biasRows(z, at, n, classes, theta, headBiasOffset(head));
        Dense.gemm(false, false, n, classes, in, 1, previous, row * in, in, theta, (int) headOffsets[head], classes, 1,
                z, at, classes);
        int[] labels = batch.labels();
        for (int j = 0; j < n; j++) {
            int first = at + j * classes;
            double max = z.get(first);
            int arg = 0;
            for (int c = 1; c < classes; c++) {
                double value = z.get(first + c);
                if (value > max) {
                    max = value;
                    arg = c;
                }
            }
            double labelLogit = z.get(first + labels[j]);
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                double e = Math.exp(z.get(first + c) - max);
                z.put(first + c, e);
                sum += e;
            }
            for (int c = 0; c < classes; c++) z.put(first + c, z.get(first + c) / sum);
            ws.losses[row + j] = Math.log(sum) + max - labelLogit;
            ws.predicted[row + j] = arg;
        }
    }

    /**
     * R{A_l} = (A_{l−1}·V_l + 1v_lᵀ + R{A_{l−1}}·W_l) ⊙ 1[A_l > 0] into ws.rActivations (R{A_0} = 0: the input has
     * no direction) and R{logits} into ws.rOut.
     */
    private void forwardR(Workspace ws, Dense theta, Dense v, int head, Dense features, int n) {
        Dense previous = features;
        Dense rPrevious = null;
        int in = inputs;
        for (int l = 0; l < hidden.length; l++) {
            int width = hidden[l];
            Dense r = ws.rActivations()[l];
            biasRows(r, 0, n, width, v, trunkBiasOffset(l));
            Dense.gemm(false, false, n, width, in, 1, previous, 0, in, v, (int) trunkOffsets[l], width, 1, r, 0, width);
            if (rPrevious != null) {
                Dense.gemm(false, false, n, width, in, 1, rPrevious, 0, in, theta, (int) trunkOffsets[l], width, 1, r, 0, width);
            }
            Dense a = ws.activations[l];
            derivative(r, null, a, null, n * width);
            previous = a;
            rPrevious = r;
            in = width;
        }
        Dense rz = ws.rOut();
        biasRows(rz, 0, n, classes, v, headBiasOffset(head));
        Dense.gemm(false, false, n, classes, in, 1, previous, 0, in, v, (int) headOffsets[head], classes, 1, rz, 0, classes);
        if (rPrevious != null) {
            Dense.gemm(false, false, n, classes, in, 1, rPrevious, 0, in, theta, (int) headOffsets[head], classes, 1, rz, 0, classes);
        }
    }

    /**
     * Back-propagation of δ = diag(w)(P − Y) into g: the head's slice gets A_Lᵀδ and Σ_j δ_j, each trunk layer
     * A_{l−1}ᵀ·∂Z_l and Σ_j ∂Z_l. With {@code add} the products land with β = 1 (g += …), else they overwrite.
     */
    private void backward(Workspace ws, Dense theta, int head, Dense features, Batch batch, DoubleBuffer weights,
                          Dense g, boolean addTrunk, boolean addHead) {
        backwardHead(ws, theta, head, lastActivations(ws, features), 0, batch, weights, g, addHead);
        backwardTrunk(ws, theta, features, batch.size(), g, addTrunk);
    }

    /**
     * The head's part of back-propagation for the batch at rows [row, row + n) of the trunk's output: δ = diag(w)(P − Y)
     * in ws.out, A_Lᵀδ and Σ_j δ_j into the head's slice of g (added with addHead), and δ·W_hᵀ, the gradient of the
     * trunk's output, into the same rows of the first back-propagated block.
     */
    private void backwardHead(Workspace ws, Dense theta, int head, Dense lastA, int row, Batch batch,
                              DoubleBuffer weights, Dense g, boolean addHead) {
        int n = batch.size();
        Dense delta = ws.out;
        int at = row * classes;
        residual(delta, at, null, batch, weights);
        int last = lastWidth();
        int headW = (int) headOffsets[head];
        Dense.gemm(true, false, last, classes, n, 1, lastA, row * last, last, delta, at, classes, addHead ? 1 : 0, g,
                headW, classes);
        columnSums(delta, at, n, classes, g, headBiasOffset(head), addHead);
        if (hidden.length == 0) return;
        Dense.gemm(false, true, n, last, classes, 1, delta, at, classes, theta, headW, classes, 0, ws.back()[0],
                row * last, last);
    }

    /**
     * The trunk's part of back-propagation on n rows (several heads' batches stacked, each head's share of the
     * first back-propagated block made by {@link #backwardHead}): each layer A_{l−1}ᵀ·∂Z_l and Σ_j ∂Z_l into g, with
     * β = 1 when addTrunk.
     */
    private void backwardTrunk(Workspace ws, Dense theta, Dense features, int n, Dense g, boolean addTrunk) {
        if (hidden.length == 0) return;
        double beta = addTrunk ? 1 : 0;
        Dense[] back = ws.back();
        int current = 0;
        for (int l = hidden.length - 1; l >= 0; l--) {
            int width = hidden[l];
            int in = layerInputs(l);
            Dense dz = back[current];
            if (activation == Activation.RELU) {
                Dense.maskAndSumColumns(dz, ws.activations[l], n, width, g, trunkBiasOffset(l), addTrunk, ws.scratch(0),
                        ws.scratch(1));
            } else {
                derivative(dz, null, ws.activations[l], null, n * width);
                columnSums(dz, 0, n, width, g, trunkBiasOffset(l), addTrunk);
            }
            Dense previous = l == 0 ? features : ws.activations[l - 1];
            Dense.gemm(true, false, in, width, n, 1, previous, 0, in, dz, 0, width, beta, g, (int) trunkOffsets[l], width);
            if (l > 0) {
                Dense.gemm(false, true, n, in, width, 1, dz, 0, width, theta, (int) trunkOffsets[l], width, 0, back[1 - current], 0, in);
                current = 1 - current;
            }
        }
    }

    /**
     * The R-operator of {@link #backward}: with R{δ} = diag(w)·P ⊙ (R{z} − rowsum(P ⊙ R{z})), the head gets
     * A_Lᵀ R{δ} + R{A_L}ᵀ δ, each layer A_{l−1}ᵀ R{∂Z_l} + R{A_{l−1}}ᵀ ∂Z_l, and R{∂A} = R{∂Z}·Wᵀ + ∂Z·Vᵀ carries
     * the direction back (ReLU's mask has no direction: its derivative is zero almost everywhere).
     */
    private void backwardR(Workspace ws, Dense theta, Dense v, int head, Dense features, Batch batch,
                           DoubleBuffer weights, Dense g, boolean addTrunk, boolean addHead) {
        int n = batch.size();
        Dense delta = ws.out;
        Dense rDelta = ws.rOut();
        residual(delta, 0, rDelta, batch, weights);
        int last = lastWidth();
        int headW = (int) headOffsets[head];
        Dense lastA = hidden.length == 0 ? features : ws.activations[hidden.length - 1];
        Dense.gemm(true, false, last, classes, n, 1, lastA, 0, last, rDelta, 0, classes, addHead ? 1 : 0, g, headW, classes);
        if (hidden.length > 0) {
            Dense rLastA = ws.rActivations()[hidden.length - 1];
            Dense.gemm(true, false, last, classes, n, 1, rLastA, 0, last, delta, 0, classes, 1, g, headW, classes);
        }
        columnSums(rDelta, 0, n, classes, g, headBiasOffset(head), addHead);
        if (hidden.length == 0) return;
        double beta = addTrunk ? 1 : 0;
        Dense[] back = ws.back();
        Dense[] rBack = ws.rBack();
        Dense.gemm(false, true, n, last, classes, 1, delta, 0, classes, theta, headW, classes, 0, back[0], 0, last);
        Dense.gemm(false, true, n, last, classes, 1, rDelta, 0, classes, theta, headW, classes, 0, rBack[0], 0, last);
        Dense.gemm(false, true, n, last, classes, 1, delta, 0, classes, v, headW, classes, 1, rBack[0], 0, last);
        int current = 0;
        for (int l = hidden.length - 1; l >= 0; l--) {
            int width = hidden[l];
            int in = layerInputs(l);
            Dense dz = back[current];
            Dense rdz = rBack[current];
            derivative(dz, rdz, ws.activations[l], ws.rActivations()[l], n * width);
            Dense previous = l == 0 ? features : ws.activations[l - 1];
            int w = (int) trunkOffsets[l];
            Dense.gemm(true, false, in, width, n, 1, previous, 0, in, rdz, 0, width, beta, g, w, width);
            if (l > 0) Dense.gemm(true, false, in, width, n, 1, ws.rActivations()[l - 1], 0, in, dz, 0, width, 1, g, w, width);
            columnSums(rdz, 0, n, width, g, trunkBiasOffset(l), addTrunk);
            if (l > 0) {
                int next = 1 - current;
                Dense.gemm(false, true, n, in, width, 1, dz, 0, width, theta, w, width, 0, back[next], 0, in);
                Dense.gemm(false, true, n, in, width, 1, rdz, 0, width, theta, w, width, 0, rBack[next], 0, in);
                Dense.gemm(false, true, n, in, width, 1, dz, 0, width, v, w, width, 1, rBack[next], 0, in);
                current = next;
            }
        }
    }

    /**
     * P (in {@code p}, the batch's rows from entry at on) becomes δ = diag(w)(P − Y); where {@code r} holds R{z} (from
     * entry 0), it becomes R{δ} first (it needs P).
     */
    private void residual(Dense p, int at, Dense r, Batch batch, DoubleBuffer weights) {
        int[] labels = batch.labels();
        for (int j = 0; j < batch.size(); j++) {
            int row = at + j * classes;
            double w = weights.get(j);
            if (r != null) {
                double mean = 0;
                for (int c = 0; c < classes; c++) mean += p.get(row + c) * r.get(row + c);
                for (int c = 0; c < classes; c++) r.put(row + c, w * p.get(row + c) * (r.get(row + c) - mean));
            }
            for (int c = 0; c < classes; c++) p.put(row + c, w * p.get(row + c));
            p.put(row + labels[j], p.get(row + labels[j]) - w);
        }
    }

    /** Every one of the n rows of an n×width block starting at entry at ← the bias at θ[from, from + width). */
    private static void biasRows(Dense block, int at, int n, int width, Dense theta, int from) {
        for (int c = 0; c < width; c++) block.put(at + c, theta.get(from + c));
        for (int j = 1; j < n; j++) block.copyFrom(block, at, at + j * width, width);
    }

    /** What the heads read: the last trunk layer's activations, or the features themselves with no hidden layer. */
    private Dense lastActivations(Workspace ws, Dense features) {
        return hidden.length == 0 ? features : ws.activations[hidden.length - 1];
    }

    /**
     * Through the activation of a layer whose activations are a, over the first count entries, in place:
     * d ← d ⊙ σ'(z) (a gradient, or a forward direction R{z} becoming R{a}); and where r is given (the backward
     * R-pass, with R{a} in ra) first r ← r ⊙ σ'(z) + d ⊙ σ''(z)R{z}, with the d before it was multiplied. For ReLU
     * σ' = 1[a &gt; 0] and σ'' = 0; for tanh σ' = 1 − a² and σ''(z)R{z} = −2a·R{a}.
     */
    private void derivative(Dense d, Dense r, Dense a, Dense ra, int count) {
        if (activation == Activation.RELU) {
            for (int i = 0; i < count; i++) {
                if (!(a.get(i) > 0)) {
                    d.put(i, 0);
                    if (r != null) r.put(i, 0);
                }
            }
            return;
        }
        for (int i = 0; i < count; i++) {
            double ai = a.get(i);
            double slope = 1 - ai * ai;
            double di = d.get(i);
            if (r != null) r.put(i, r.get(i) * slope - 2 * ai * di * ra.get(i));
            d.put(i, di * slope);
        }
    }

    /**
     * g[from + c] ← (g[from + c] if add) + Σ_j block[j, c] over the n rows from entry at, summed row by row (the
     * block's own order in memory).
     */
    private static void columnSums(Dense block, int at, int n, int width, Dense g, int from, boolean add) {
        double[] sums = new double[width];
        if (add) for (int c = 0; c < width; c++) sums[c] = g.get(from + c);
        for (int j = 0, i = at; j < n; j++) {
            for (int c = 0; c < width; c++) sums[c] += block.get(i++);
        }
        for (int c = 0; c < width; c++) g.put(from + c, sums[c]);
    }

    private static double weightedSum(double[] losses, int from, DoubleBuffer weights, int n) {
        double s = 0;
        for (int j = 0; j < n; j++) s += weights.get(j) * losses[from + j];
        return s;
    }

    // ---- workspaces ------------------------------------------------------------------------------------------

    private Workspace acquire(int rows) {
        Workspace ws = workspaces.poll();
        return ws != null && ws.rows >= rows ? ws : new Workspace(Math.max(rows, ws == null ? 0 : ws.rows));
    }

    private void release(Workspace ws) {
        workspaces.offer(ws);
    }

    /**
     * The memory of one oracle call, made once and reused by later calls (one per concurrent caller: the problem
     * is evaluated from several threads at once): activations, logits and the back-propagated blocks for up to
     * {@code rows} samples, and in float32 the parameters, direction and gradient in that precision.
     */
    private final class Workspace {
        final int rows;
        final Dense[] activations = new Dense[hidden.length];
        final Dense out;
        private Dense[] back; // the back-propagated blocks: made on the first backward pass (predictions need none)
        final double[] losses;
        final int[] predicted;
        final Dense gradient32; // float32 only: the gradient before it is added into the float64 result
        private final Dense parameters32;
        private Dense direction32;
        private Dense features32;
        private Dense stackedFeatures;
        private float[][] scratch;
        private Dense[] rActivations;
        private Dense rOut;
        private Dense[] rBack;
        private Dense gradient64; // float64 descent only: one step's gradient

        Workspace(int rows) {
            this.rows = rows;
            for (int l = 0; l < hidden.length; l++) activations[l] = Dense.allocate(precision, rows * hidden[l]);
            out = Dense.allocate(precision, rows * classes);
            losses = new double[rows];
            predicted = new int[rows];
            boolean single = precision == Precision.FLOAT32;
            gradient32 = single ? Dense.allocate(precision, (int) parameterCount) : null;
            parameters32 = single ? Dense.allocate(precision, (int) parameterCount) : null;
        }

        /**
         * Plain arrays of rows × the widest hidden layer (two of them) through which float32 elementwise passes read
         * and write their native blocks in bulk.
         */
        float[] scratch(int which) {
            if (scratch == null) {
                int widest = Arrays.stream(hidden).max().orElse(0);
                scratch = precision == Precision.FLOAT32 ? new float[][] {new float[rows * widest], new float[rows * widest]}
                        : new float[][] {new float[0], new float[0]};
            }
            return scratch[which];
        }

        /** The gradient of one descent step in the working precision (float32: the pass's own gradient buffer). */
        Dense descentGradient() {
            if (gradient32 != null) return gradient32;
            if (gradient64 == null) gradient64 = Dense.allocate(precision, (int) parameterCount);
            return gradient64;
        }

        Dense[] rActivations() {
            if (rActivations == null) {
                rActivations = new Dense[hidden.length];
                for (int l = 0; l < hidden.length; l++) rActivations[l] = Dense.allocate(precision, rows * hidden[l]);
            }
            return rActivations;
        }

        Dense rOut() {
            if (rOut == null) rOut = Dense.allocate(precision, rows * classes);
            return rOut;
        }

        Dense[] back() {
            if (back == null) back = twoWidest();
            return back;
        }

        Dense[] rBack() {
            if (rBack == null) rBack = twoWidest();
            return rBack;
        }

        /** Two blocks of rows × the widest hidden layer, used in turn as a layer's input and output gradients. */
        private Dense[] twoWidest() {
            int widest = Arrays.stream(hidden).max().orElse(0);
            return hidden.length == 0 ? new Dense[0]
                    : new Dense[] {Dense.allocate(precision, rows * widest), Dense.allocate(precision, rows * widest)};
        }

        /** θ in the working precision: float64 is read in place, float32 is converted into this workspace. */
        Dense parameters(INDArray theta) {
            return convert(theta, parameters32);
        }

        Dense direction(INDArray v) {
            if (precision == Precision.FLOAT32 && direction32 == null) direction32 = Dense.allocate(precision, (int) parameterCount);
            return convert(v, direction32);
        }

        private Dense convert(INDArray vector, Dense single) {
            Dense doubles = Dense.wrap(vector, Precision.FLOAT64);
            if (doubles == null) doubles = new Dense.F64(Vectors.readable(vector));
            if (single == null) return doubles;
            single.copyFrom(doubles, 0, 0, (int) parameterCount);
            return single;
        }

        /**
         * The features of the heads with a batch, stacked head after head in one block (the block of the one head
         * with a batch, in place, when only one has).
         */
        Dense stacked(Batch[] batches) {
            Batch only = null;
            int count = 0;
            for (Batch b : batches) {
                if (b == null) continue;
                only = b;
                count++;
            }
            if (count == 1) return features(only);
            if (stackedFeatures == null) stackedFeatures = Dense.allocate(precision, rows * inputs);
            int at = 0;
            for (Batch b : batches) {
                if (b == null) continue;
                int length = b.size() * inputs;
                stackedFeatures.copyFrom(features(b), 0, at, length);
                at += length;
            }
            return stackedFeatures;
        }

        /** The batch's n×d features in the working precision: in place when they already are, else converted. */
        Dense features(Batch batch) {
            INDArray x = batch.features();
            Dense same = Dense.wrap(x, precision);
            if (same != null) return same;
            INDArray source = x.dataType() == precision.dataType() ? x.dup('c') : x.castTo(precision.dataType()).dup('c');
            if (precision == Precision.FLOAT64) return Dense.wrap(source, precision);
            if (features32 == null) features32 = Dense.allocate(precision, rows * inputs);
            features32.copyFrom(Dense.wrap(source, precision), 0, 0, (int) source.length());
            return features32;
        }

        /** Where a pass writes its result: the float64 output itself, or the float32 gradient to be added into it. */
        Dense target(INDArray out) {
            if (precision == Precision.FLOAT32) return gradient32;
            Dense target = Dense.wrap(out, Precision.FLOAT64);
            if (target == null) throw new InvalidInputException("out", out.dataType() + " " + Arrays.toString(out.shape()),
                    "a contiguous float64 vector");
            return target;
        }

        /**
         * After the heads with a batch have run into {@code target}: a float32 result is added (or copied) into out
         * over the trunk and those heads; unless adding, the other heads' slices of out (and the trunk, when no
         * head ran) are zeroed.
         */
        void finish(INDArray out, Dense target, Batch[] batches, boolean add, boolean noneRan) {
            Dense result = Dense.wrap(out, Precision.FLOAT64);
            int trunk = (int) headOffsets[0];
            if (target == gradient32 && !noneRan) {
                merge(result, target, 0, trunk, add);
                for (int h = 0; h < heads; h++) if (batches[h] != null) merge(result, target, (int) headOffsets[h], headSize(), add);
            }
            if (!add) {
                if (noneRan) result.fill(0, trunk, 0);
                for (int h = 0; h < heads; h++) if (batches[h] == null) result.fill((int) headOffsets[h], headSize(), 0);
            }
        }

        private void merge(Dense result, Dense single, int from, int count, boolean add) {
            if (!add) {
                result.copyFrom(single, from, from, count);
                return;
            }
            for (int i = from; i < from + count; i++) result.put(i, result.get(i) + single.get(i));
        }
    }

    // ---- layout ----------------------------------------------------------------------------------------------

    private int layerInputs(int l) {
        return l == 0 ? inputs : hidden[l - 1];
    }

    private int lastWidth() {
        return hidden.length == 0 ? inputs : hidden[hidden.length - 1];
    }

    private int trunkBiasOffset(int l) {
        return (int) (trunkOffsets[l] + (long) layerInputs(l) * hidden[l]);
    }

    private int headBiasOffset(int h) {
        return (int) (headOffsets[h] + (long) lastWidth() * classes);
    }

    private int headSize() {
        return lastWidth() * classes + classes;
    }

    private void checkTheta(INDArray theta, int head, Batch batch) {
        checkLength("parameters", theta);
        checkHead(head);
        checkBatch(batch);
    }

    private void checkHead(int head) {
        if (head < 0 || head >= heads) throw new InvalidInputException("head", head, "a head index in 0.." + (heads - 1));
    }

    private void checkBatch(Batch batch) {
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

    /**
     * A weighted loss and its gradient.
     *
     * @param value    Σ_j w_j ℓ_j(θ) (NaN where only the gradient was asked for)
     * @param gradient its gradient in θ, length q
     */
    public record Evaluation(double value, INDArray gradient) {}
}
