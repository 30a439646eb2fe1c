package io.mobl.core.problem.hypercleaning;

import io.mobl.core.data.HyperCleaningSplit;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.model.Batch;
import io.mobl.core.model.MultiHeadNetwork;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Multi-objective data hyper-cleaning (FORUM paper, §5.1) as a {@link BilevelProblem}. With S tasks (data sets):
 * <pre>
 *   x = [x_1; …; x_S], one weight logit per training sample (p = Σ N_i); the sample weight is σ(x_ij)
 *   g(x, y) = Σ_i (1/N_i) Σ_j σ(x_ij) ℓ(y; head i, a_ij, b_ij) + (μ/2)‖y‖²     (noisy training sets)
 *   f_s(x, y) = (1/M_s) Σ_j ℓ(y; head s, validation sample j of task s)       (clean validation sets)
 * </pre>
 * y holds the {@link MultiHeadNetwork}'s parameters (a shared trunk and one head per task). The small ℓ2 term
 * μ keeps g strongly convex in y for logistic regression (no hidden layer), as WC-MHGD's theory asks; for the
 * MLP it is only a weight decay. f_s does not depend on x, so ∇_x f_s = 0 and all of the hypergradient comes
 * through the lower level: ∇²_xy g·v has entries σ'(x_ij)/N_i · ⟨∇_y ℓ_ij, v⟩, one forward R-pass per task. ∇_x g
 * (for FORUM, which needs no second derivatives) has entries σ'(x_ij)/N_i · ℓ_ij(y), one forward pass per task.
 */
public final class HyperCleaningProblem implements BilevelProblem {
    private final MultiHeadNetwork network;
    private final List<Task> tasks;
    private final List<Batch> trainBatches;
    private final double regularisation;
    private final INDArray initialLower;
    private final int[] offsets;
    private final int upperDimension;

    /**
     * One data set of the problem.
     *
     * @param name       shown in tables ("mnist")
     * @param train      the noisy training set (N_i samples), weighted by σ(x_i)
     * @param validation the clean validation set behind f_i
     */
    public record Task(String name, Batch train, Batch validation) {}

    /**
     * @param network        one head per task; its {@link io.mobl.core.model.Precision} is that of the batch
     *                       products (the tasks' batches are held in it), every vector here stays float64
     * @param tasks          S ≥ 1 tasks
     * @param regularisation μ ≥ 0
     * @param initialLower   y_0, length q
     */
    public HyperCleaningProblem(MultiHeadNetwork network, List<Task> tasks, double regularisation, INDArray initialLower) {
        if (tasks.isEmpty() || tasks.size() != network.heads()) {
            throw new InvalidInputException("tasks", tasks.size(), "one task per network head (" + network.heads() + ")");
        }
        Checks.nonNegative("regularisation", regularisation);
        if (initialLower.length() != network.parameterCount()) {
            throw new InvalidInputException("initial-lower", "length " + initialLower.length(),
                    "length " + network.parameterCount());
        }
        this.network = network;
        List<Task> converted = new ArrayList<>(tasks.size());
        for (Task t : tasks) {
            converted.add(new Task(t.name(), t.train().in(network.precision()), t.validation().in(network.precision())));
        }
        this.tasks = List.copyOf(converted);
        this.trainBatches = this.tasks.stream().map(Task::train).toList();
        this.regularisation = regularisation;
        this.initialLower = initialLower.dup();
        this.offsets = new int[tasks.size() + 1];
        for (int i = 0; i < tasks.size(); i++) offsets[i + 1] = offsets[i] + tasks.get(i).train().size();
        this.upperDimension = offsets[tasks.size()];
    }

    /** The problem over the training and first validation sets of each split, network initialised from a seed. */
    public static HyperCleaningProblem of(MultiHeadNetwork network, List<String> names, List<HyperCleaningSplit> splits,
                                          double regularisation, long seed) {
        List<Task> tasks = new ArrayList<>(splits.size());
        for (int i = 0; i < splits.size(); i++) {
            tasks.add(new Task(names.get(i), Batch.of(splits.get(i).train()), Batch.of(splits.get(i).validation())));
        }
        return new HyperCleaningProblem(network, tasks, regularisation, network.initialParameters(seed));
    }

    public MultiHeadNetwork network() { return network; }
    public List<Task> tasks() { return tasks; }
    public double regularisation() { return regularisation; }

    /** Task i's sample weight logits within x. */
    public INDArray taskUpper(INDArray x, int task) {
        return x.get(NDArrayIndex.interval(offsets[task], offsets[task + 1]));
    }

    /** σ(x_i), task i's sample weights in [0, 1]. */
    public INDArray sampleWeights(INDArray x, int task) {
        return Transforms.sigmoid(taskUpper(x, task), true);
    }

    @Override public int upperDimension() { return upperDimension; }
    @Override public int lowerDimension() { return network.parameterCount(); }
    @Override public int objectiveCount() { return tasks.size(); }

    @Override
    public UpperEvaluation upper(int objective, INDArray x, INDArray y) {
        Batch validation = tasks.get(objective).validation();
        INDArray weights = Nd4j.valueArrayOf(validation.size(), 1.0 / validation.size());
        MultiHeadNetwork.Evaluation e = network.gradient(y, objective, validation, weights);
        return new UpperEvaluation(e.value(), Vectors.zeros(upperDimension), e.gradient());
    }

    @Override
    public double lowerValue(INDArray x, INDArray y) {
        double value = 0.5 * regularisation * Vectors.squaredNorm(y);
        for (int i = 0; i < tasks.size(); i++) {
            value += network.weightedLoss(y, i, tasks.get(i).train(), trainWeights(x, i));
        }
        return value;
    }

    @Override
    public INDArray lowerGradient(INDArray x, INDArray y) {
        return lowerGradientInto(x, y, Vectors.uninitialized(network.parameterCount()));
    }

    /** The D steps in one {@link MultiHeadNetwork#descend} call: y stays in the network's precision between steps. */
    @Override
    public INDArray lowerDescent(INDArray x, INDArray start, int iterations, double stepSize) {
        List<INDArray> weights = trainWeights(x);
        return network.descend(start, java.util.Collections.nCopies(iterations, trainBatches),
                java.util.Collections.nCopies(iterations, weights), regularisation, stepSize);
    }

    /** out ← μy, then every task's weighted gradient added in place in one network call (trunk shares summed by gemm). */
    @Override
    public INDArray lowerGradientInto(INDArray x, INDArray y, INDArray out) {
        scaled(regularisation, y, out);
        network.addGradients(y, trainBatches, trainWeights(x), out);
        return out;
    }

    /**
     * ∇_x g: ∂g/∂x_ij = σ'(x_ij)/N_i · ℓ_ij(y), the per-sample training losses under task i's head scaled by the
     * sigmoid's slope. FORUM needs it for its value-function constraint (it moves x along ∇_x g(x, y) − ∇_x g(x, ỹ^T):
     * a sample's weight falls when the current model fits it worse than the lower level's approximate optimum).
     */
    @Override
    public INDArray lowerGradientX(INDArray x, INDArray y) {
        List<INDArray> parts = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            Batch train = tasks.get(i).train();
            INDArray s = sampleWeights(x, i);
            INDArray slope = s.mul(s.rsub(1.0)).divi(train.size()); // σ'(x) / N_i
            parts.add(network.sampleLosses(y, i, train).muli(slope));
        }
        return parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(new INDArray[0]));
    }

    @Override
    public INDArray hessianVector(INDArray x, INDArray y, INDArray v) {
        return hessianVectorInto(x, y, v, Vectors.uninitialized(network.parameterCount()));
    }

    @Override
    public INDArray hessianVectorInto(INDArray x, INDArray y, INDArray v, INDArray out) {
        scaled(regularisation, v, out);
        return network.addHessianVectors(y, trainBatches, trainWeights(x), v, out);
    }

    /** out ← a·v, one pass over native memory. */
    private static void scaled(double a, INDArray v, INDArray out) {
        DoubleBuffer from = Vectors.readable(v);
        DoubleBuffer to = Vectors.writable(out);
        for (int i = 0, n = (int) out.length(); i < n; i++) to.put(i, a * from.get(i));
    }

    @Override
    public INDArray jacobianVector(INDArray x, INDArray y, INDArray v) {
        List<INDArray> parts = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            Batch train = tasks.get(i).train();
            if (network.ignores(v, i)) {
                parts.add(Vectors.zeros(train.size()));
                continue;
            }
            INDArray s = sampleWeights(x, i);
            INDArray slope = s.mul(s.rsub(1.0)).divi(train.size()); // σ'(x) / N_i
            parts.add(network.directionalDerivatives(y, i, train, v).muli(slope));
        }
        return parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(new INDArray[0]));
    }

    @Override
    public INDArray initialUpper() {
        return Vectors.zeros(upperDimension);
    }

    @Override
    public INDArray initialLower() {
        return initialLower.dup();
    }

    private List<INDArray> trainWeights(INDArray x) {
        List<INDArray> weights = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) weights.add(trainWeights(x, i));
        return weights;
    }

    /** σ(x_i) / N_i, computed in one Java loop (a handful of ND4J calls cost more than the loop at N_i = 100). */
    private INDArray trainWeights(INDArray x, int task) {
        int n = tasks.get(task).train().size();
        DoubleBuffer logits = Vectors.readable(x);
        INDArray weights = Vectors.uninitialized(n);
        DoubleBuffer w = Vectors.writable(weights);
        for (int j = 0; j < n; j++) w.put(j, 1.0 / (1.0 + Math.exp(-logits.get(offsets[task] + j))) / n);
        return weights;
    }
}
