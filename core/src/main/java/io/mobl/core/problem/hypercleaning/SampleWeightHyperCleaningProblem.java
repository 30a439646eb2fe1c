package io.mobl.core.problem.hypercleaning;

import io.mobl.core.linalg.Vectors;
import io.mobl.core.model.Batch;
import io.mobl.core.model.MultiHeadNetwork;
import io.mobl.core.model.Precision;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.core.stochastic.SampleBatch;
import io.mobl.core.stochastic.StochasticBilevelProblem;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Multi-objective data hyper-cleaning with one weight per training sample (FORUM §5.1, {@link HyperCleaningProblem})
 * in the stochastic setting, as the FORUM paper itself runs it (SGD on batches of 100): the same x (one weight logit
 * per training sample, all tasks' samples concatenated) and y (the {@link MultiHeadNetwork}), with the lower level
 * known through samples. A lower sample ζ is one training image of task i with its noisy label; its sample id is its
 * index k in x, so the task follows from the id. With N = Σ N_i and ζ drawn uniformly from the union of the tasks'
 * training sets,
 * <pre>
 *   G(x, y; ζ)       = (N/N_i) σ(x_k) ℓ(y; head i, a_ζ, b_ζ) + (μ/2)‖y‖²        E_ζ G = g of HyperCleaningProblem exactly
 *   F^{(s)}(x, y; ξ) = ℓ(y; head s, a_ξ, b_ξ)                                    ξ: a clean validation image of task s
 * </pre>
 * The factor N/N_i makes the expectation the deterministic g (each task's mean loss, not each sample's share of the
 * union), so the step sizes and β of the deterministic experiment keep their meaning. The batch-mean oracles over n
 * samples use the weights w_ζ = (N/N_i) σ(x_k)/n, grouped by head into one network call:
 * <pre>
 *   ∇_y G     = Σ_ζ w_ζ ∇ℓ_ζ + μy          ∇²_yy G·v = Σ_ζ w_ζ ∇²ℓ_ζ·v + μv
 *   ∇_x G     = entry k: Σ_{ζ with id k} (N/N_i) σ'(x_k)/n · ℓ_ζ(y)           (FORUM's constraint gradient)
 *   ∇²_xy G·v = entry k: Σ_{ζ with id k} (N/N_i) σ'(x_k)/n · ⟨∇ℓ_ζ, v⟩, zero off the batch's ids (one R-pass per task)
 *   ∇_x F^{(s)} = 0
 * </pre>
 * On a batch that is the whole training set once, every oracle is {@link HyperCleaningProblem}'s.
 */
public final class SampleWeightHyperCleaningProblem implements StochasticBilevelProblem {
    private final MultiHeadNetwork network;
    private final double regularisation;
    private final INDArray initialLower;
    private final int[] offsets;
    private final int total;
    private final ConvertedBatches<TaskRows[]> converted = new ConvertedBatches<>();

    /**
     * @param network        one head per task
     * @param trainSizes     N_1 … N_S, the training samples of each task (x has Σ N_i entries, task after task)
     * @param regularisation μ ≥ 0
     * @param initialLower   y_0, length q
     */
    public SampleWeightHyperCleaningProblem(MultiHeadNetwork network, int[] trainSizes, double regularisation,
                                            INDArray initialLower) {
        if (trainSizes.length == 0 || trainSizes.length != network.heads()) {
            throw new InvalidInputException("train-sizes", trainSizes.length, "one size per network head (" + network.heads() + ")");
        }
        io.mobl.protocol.Checks.nonNegative("regularisation", regularisation);
        if (initialLower.length() != network.parameterCount()) {
            throw new InvalidInputException("initial-lower", "length " + initialLower.length(),
                    "length " + network.parameterCount() + " (" + network.describe() + ")");
        }
        this.network = network;
        this.regularisation = regularisation;
        this.initialLower = initialLower.dup();
        this.offsets = new int[trainSizes.length + 1];
        for (int i = 0; i < trainSizes.length; i++) {
            if (trainSizes[i] < 1) throw new InvalidInputException("train-sizes[" + i + "]", trainSizes[i], "at least one sample");
            offsets[i + 1] = offsets[i] + trainSizes[i];
        }
        this.total = offsets[trainSizes.length];
    }

    /** The stochastic version of a deterministic problem: same network, tasks' sizes, μ and y_0. */
    public static SampleWeightHyperCleaningProblem of(HyperCleaningProblem deterministic) {
        int[] sizes = deterministic.tasks().stream().mapToInt(t -> t.train().size()).toArray();
        return new SampleWeightHyperCleaningProblem(deterministic.network(), sizes, deterministic.regularisation(),
                deterministic.initialLower());
    }

    public MultiHeadNetwork network() { return network; }

    /** The task whose training sample has index k in x. */
    public int taskOf(long k) {
        int at = Arrays.binarySearch(offsets, (int) k);
        return at >= 0 ? at : -at - 2;
    }

    @Override public int upperDimension() { return total; }
    @Override public int lowerDimension() { return network.parameterCount(); }
    @Override public int objectiveCount() { return network.heads(); }
    @Override public int featureDimension(int objective) { return network.inputs(); }

    /** One class index per sample: the noisy training label for the lower level, the clean one for objective s. */
    @Override public int labelDimension(int objective) { return 1; }

    @Override
    public UpperEvaluation upper(int objective, INDArray x, INDArray y, SampleBatch batch) {
        Batch data = rows(batch, objective)[0].batch;
        INDArray mean = Nd4j.valueArrayOf(data.size(), 1.0 / data.size());
        MultiHeadNetwork.Evaluation e = network.gradient(y, objective, data, mean);
        return new UpperEvaluation(e.value(), Vectors.zeros(total), e.gradient());
    }

    /** G(x, y; batch), the batch mean of the lower-level loss (what {@link #lowerGradient} differentiates). */
    @Override
    public double lowerValue(INDArray x, INDArray y, SampleBatch batch) {
        TaskRows[] parts = rows(batch, Minibatch.LOWER);
        double value = regularisation == 0 ? 0 : 0.5 * regularisation * Vectors.squaredNorm(y);
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] != null) value += network.weightedLoss(y, i, parts[i].batch, weights(x, parts[i], batch.rows()));
        }
        return value;
    }

    @Override
    public INDArray lowerGradient(INDArray x, INDArray y, SampleBatch batch) {
        TaskRows[] parts = rows(batch, Minibatch.LOWER);
        INDArray out = y.mul(regularisation);
        network.addGradients(y, batches(parts), weights(x, parts, batch.rows()), out);
        return out;
    }

    /**
     * ∇_x G(x, y; batch): entry k is Σ_{ζ with id k} (N/N_i) σ'(x_k)/n · ℓ_ζ(y), zero off the batch's ids (one forward
     * pass per task). FORUM's value-function constraint needs it (∇_x q̃ = ∇_x G(x, y) − ∇_x G(x, ỹ^T)).
     */
    @Override
    public INDArray lowerGradientX(INDArray x, INDArray y, SampleBatch batch) {
        TaskRows[] parts = rows(batch, Minibatch.LOWER);
        double[] out = new double[total];
        DoubleBuffer logits = Vectors.readable(x);
        int n = batch.rows();
        for (int i = 0; i < parts.length; i++) {
            TaskRows part = parts[i];
            if (part == null) continue;
            DoubleBuffer losses = Vectors.readable(network.sampleLosses(y, i, part.batch));
            double scale = (double) total / (offsets[i + 1] - offsets[i]) / n;
            for (int r = 0; r < part.ids.length; r++) {
                int k = part.ids[r];
                double s = sigmoid(logits.get(k));
                out[k] += scale * s * (1 - s) * losses.get(r);
            }
        }
        return Vectors.of(out);
    }

    /**
     * The T SGD steps in one {@link MultiHeadNetwork#descend} call: y stays in the network's precision between steps
     * (each step's weights w_ζ = (N/N_i)σ(x_k)/n as {@link #lowerGradient}'s, μy included). Each step's batch is read
     * once, so its conversion is not kept, and its native arrays are freed when the descent is done instead of
     * waiting for the garbage collector: T batches per iteration were most of the off-heap memory a long run held.
     */
    @Override
    public INDArray lowerDescent(INDArray x, INDArray y, List<SampleBatch> steps, double stepSize) {
        List<List<Batch>> batches = new ArrayList<>(steps.size());
        List<List<INDArray>> weights = new ArrayList<>(steps.size());
        List<TaskRows[]> fresh = new ArrayList<>(steps.size());
        try {
            for (SampleBatch step : steps) {
                TaskRows[] parts = converted.kept(step);
                if (parts == null) {
                    parts = convert(step, Minibatch.LOWER);
                    fresh.add(parts);
                }
                batches.add(batches(parts));
                weights.add(weights(x, parts, step.rows()));
            }
            return network.descend(y, batches, weights, regularisation, stepSize);
        } finally {
            for (TaskRows[] parts : fresh) {
                for (TaskRows part : parts) if (part != null) part.batch.release();
            }
            for (List<INDArray> w : weights) for (INDArray a : w) if (a != null && a.closeable()) a.close();
        }
    }

    @Override
    public INDArray hessianVector(INDArray x, INDArray y, INDArray v, SampleBatch batch) {
        TaskRows[] parts = rows(batch, Minibatch.LOWER);
        INDArray out = v.mul(regularisation);
        return network.addHessianVectors(y, batches(parts), weights(x, parts, batch.rows()), v, out);
    }

    @Override
    public INDArray jacobianVector(INDArray x, INDArray y, INDArray v, SampleBatch batch) {
        TaskRows[] parts = rows(batch, Minibatch.LOWER);
        double[] out = new double[total];
        DoubleBuffer logits = Vectors.readable(x);
        int n = batch.rows();
        for (int i = 0; i < parts.length; i++) {
            TaskRows part = parts[i];
            if (part == null || network.ignores(v, i)) continue;
            DoubleBuffer d = Vectors.readable(network.directionalDerivatives(y, i, part.batch, v));
            double scale = (double) total / (offsets[i + 1] - offsets[i]) / n;
            for (int r = 0; r < part.ids.length; r++) {
                int k = part.ids[r];
                double s = sigmoid(logits.get(k));
                out[k] += scale * s * (1 - s) * d.get(r);
            }
        }
        return Vectors.of(out);
    }

    @Override
    public INDArray initialUpper() {
        return Vectors.zeros(total);
    }

    @Override
    public INDArray initialLower() {
        return initialLower.dup();
    }

    private static double sigmoid(double t) {
        return 1.0 / (1.0 + Math.exp(-t));
    }

    /** w_ζ = (N/N_i) σ(x_k)/n for one task's rows of an n-sample batch. */
    private INDArray weights(INDArray x, TaskRows part, int n) {
        DoubleBuffer logits = Vectors.readable(x);
        int task = taskOf(part.ids[0]);
        double scale = (double) total / (offsets[task + 1] - offsets[task]) / n;
        INDArray w = Vectors.uninitialized(part.ids.length);
        DoubleBuffer to = Vectors.writable(w);
        for (int r = 0; r < part.ids.length; r++) to.put(r, scale * sigmoid(logits.get(part.ids[r])));
        return w;
    }

    private List<INDArray> weights(INDArray x, TaskRows[] parts, int n) {
        List<INDArray> w = new ArrayList<>(parts.length);
        for (TaskRows part : parts) w.add(part == null ? null : weights(x, part, n));
        return w;
    }

    private static List<Batch> batches(TaskRows[] parts) {
        List<Batch> b = new ArrayList<>(parts.length);
        for (TaskRows part : parts) b.add(part == null ? null : part.batch);
        return b;
    }

    /** One task's rows of a sample batch: the network's batch and each row's index in x (lower) or set (upper). */
    private record TaskRows(Batch batch, int[] ids) {}

    /**
     * The rows of a sample batch as the network's {@link Batch}es: for lower-level data one per task (null where the
     * batch has none of its samples), the task read from each sample id; for objective s's data one, entry 0.
     * Labels must be class indices and lower sample ids indices into x; anything else is named with its minibatch.
     * The last few conversions are kept by the batch's identity: Alg. 3 multiplies by each ℬ_j once per objective.
     */
    private TaskRows[] rows(SampleBatch batch, int role) {
        TaskRows[] kept = converted.kept(batch);
        return kept != null ? kept : converted.keep(batch, convert(batch, role));
    }

    /** The conversion {@link #rows} keeps, made afresh. */
    private TaskRows[] convert(SampleBatch batch, int role) {
        ConvertedBatches.checkRole(batch, role);
        int d = network.inputs();
        int classes = network.classes();
        int groups = role == Minibatch.LOWER ? network.heads() : 1;
        int[] counts = new int[groups];
        for (Minibatch m : batch.parts()) {
            check(role, m);
            for (int r = 0; r < m.rows(); r++) {
                double label = m.label(r, 0);
                if (label != Math.rint(label) || label < 0 || label >= classes) {
                    throw new InvalidInputException("minibatch " + m.batchId() + ".labels[" + r + "]", label,
                            "a class index in 0.." + (classes - 1));
                }
                if (role == Minibatch.LOWER) {
                    long id = m.sampleIds()[r];
                    if (id < 0 || id >= total) {
                        throw new InvalidInputException("minibatch " + m.batchId() + ".sampleIds[" + r + "]", id,
                                "an index into x, 0.." + (total - 1) + " (the training samples of all tasks)");
                    }
                    counts[taskOf(id)]++;
                } else {
                    counts[0]++;
                }
            }
        }
        // the rows are gathered straight into the network's precision: a float32 network's go into its batches'
        // native buffers through one row of floats, with no float64 or heap copy of the batch
        boolean single = network.precision() == Precision.FLOAT32;
        int[][] labels = new int[groups][];
        int[][] ids = new int[groups][];
        int[][] parts = new int[groups][]; // where each group's rows are: part index, row in it
        for (int g = 0; g < groups; g++) {
            labels[g] = new int[counts[g]];
            ids[g] = new int[counts[g]];
            parts[g] = new int[2 * counts[g]];
        }
        int[] filled = new int[groups];
        List<Minibatch> minibatches = batch.parts();
        for (int p = 0; p < minibatches.size(); p++) {
            Minibatch m = minibatches.get(p);
            for (int r = 0; r < m.rows(); r++) {
                long id = m.sampleIds()[r];
                int g = role == Minibatch.LOWER ? taskOf(id) : 0;
                int at = filled[g]++;
                labels[g][at] = (int) m.label(r, 0);
                ids[g][at] = (int) id;
                parts[g][2 * at] = p;
                parts[g][2 * at + 1] = r;
            }
        }
        TaskRows[] result = new TaskRows[groups];
        for (int g = 0; g < groups; g++) {
            if (counts[g] == 0) continue;
            int[] where = parts[g];
            Batch rows;
            if (single) {
                rows = Batch.float32(d, labels[g], classes, buffer -> {
                    float[] row = new float[d];
                    for (int at = 0; at < where.length / 2; at++) {
                        double[] f = minibatches.get(where[2 * at]).features();
                        for (int i = 0, from = where[2 * at + 1] * d; i < d; i++) row[i] = (float) f[from + i];
                        buffer.put(row);
                    }
                });
            } else {
                double[] features = new double[counts[g] * d];
                for (int at = 0; at < where.length / 2; at++) {
                    System.arraycopy(minibatches.get(where[2 * at]).features(), where[2 * at + 1] * d, features, at * d, d);
                }
                rows = Batch.of(features, d, labels[g], classes, network.precision());
            }
            result[g] = new TaskRows(rows, ids[g]);
        }
        return result;
    }
}
