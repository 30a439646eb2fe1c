package io.mobl.core.problem.learning;

import io.mobl.core.data.CsvFormat;
import io.mobl.core.data.IdxFormat;
import io.mobl.core.data.LabelledImages;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.model.Batch;
import io.mobl.core.model.MultiHeadNetwork;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.SampledLowerLevel;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.core.problem.learning.LearningSpec.ModelKind;
import io.mobl.core.problem.learning.LearningSpec.UpperVariable;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A multi-objective bilevel learning problem from a {@link LearningSpec}: a {@link MultiHeadNetwork} y trained on
 * weighted training sources (the lower level), its validation losses on named sources as the objectives. With
 * heads h (one, or one per objective for a shared trunk), each trained on the rows r of its training sources:
 * <pre>
 *   g(x, y)   = Σ_h Σ_{r ∈ h} c_r·b_r(x)·ℓ_h(y; a_r, l_r) + ½(μ + ρ(x))‖y‖²
 *   f_s(x, y) = (1/M_s) Σ_{j ∈ validation s} ℓ_{h(s)}(y; a_j, l_j)
 * </pre>
 * where ℓ is the cross-entropy and, by {@link UpperVariable}:
 * <ul>
 *   <li>sample weights: b_r = σ(x_{i(r)}), x_i one logit per training example i (shared by the heads it trains),
 *       c_r = 1/N_h, ρ = 0;</li>
 *   <li>source weights: b_r = softmax(x)_{k(r)} for row r of source k, c_r = 1/N_k, ρ = 0;</li>
 *   <li>regularisation: b_r = 1, c_r = 1/N_h, ρ(x) = e^x (x of length 1).</li>
 * </ul>
 * Every oracle is exact and batched through the network's R-operator: ∇_y g and ∇²_yy g·v by back-propagation and
 * its R-pass, ∇_x g from the per-row losses and ∇²_xy g·v = ∂_x⟨∇_y g, v⟩ from the per-row directional derivatives
 * ⟨∇ℓ_r, v⟩ (one forward R-pass per head), through ∂b_r/∂x (σ' for sample weights, the softmax Jacobian
 * w∘(· − ⟨w, ·⟩) for source weights, and e^x⟨y, v⟩ for the ℓ2 weight). f_s does not depend on x: ∇_x f_s = 0.
 * It states no smoothness constants: step sizes are estimated ({@link io.mobl.core.problem.ProblemConstants}).
 *
 * <p>The lower level is a finite sum over the M = Σ_h N_h rows, so it can be sampled
 * ({@link SampledLowerLevel}): b rows drawn uniformly with replacement, each weighted M/b times its c_r, give an
 * unbiased g_B.
 */
public final class LearningProblem implements BilevelProblem, SampledLowerLevel {
    private final LearningSpec spec;
    private final MultiHeadNetwork network;
    private final List<Head> heads;
    private final List<Batch> validations;
    private final int[] objectiveHeads;
    private final int upperDimension;
    private final INDArray initialUpper;
    private final INDArray initialLower;
    private final int[] sourceSizes; // N_k of each training source

    /**
     * The rows one head trains on.
     *
     * @param batch   their features and labels (in the network's precision)
     * @param index   per row: its entry of x (the example for sample weights, the source for source weights)
     * @param scale   per row: c_r (1/N_h or 1/N_k), times M/b in a sampled lower level
     * @param source  per row: its training source k
     * @param features per row, the raw features (kept to draw minibatches)
     * @param labels  per row, the label
     */
    private record Head(Batch batch, int[] index, double[] scale, int[] source, double[][] features, int[] labels) {}

    private LearningProblem(LearningSpec spec, MultiHeadNetwork network, List<Head> heads, List<Batch> validations,
                            int[] objectiveHeads, int upperDimension, INDArray initialUpper, INDArray initialLower,
                            int[] sourceSizes) {
        this.spec = spec;
        this.network = network;
        this.heads = List.copyOf(heads);
        this.validations = List.copyOf(validations);
        this.objectiveHeads = objectiveHeads;
        this.upperDimension = upperDimension;
        this.initialUpper = initialUpper;
        this.initialLower = initialLower;
        this.sourceSizes = sourceSizes;
    }

    /**
     * Reads every source of the spec from its file and builds the problem.
     *
     * @param baseDirectory where relative data paths are resolved from (the problem file's directory)
     */
    public static LearningProblem load(LearningSpec spec, Path baseDirectory) {
        Map<String, LabelledImages> data = new LinkedHashMap<>();
        for (Map.Entry<String, LearningSpec.Data> e : spec.sources().entrySet()) {
            String name = e.getKey();
            LabelledImages set;
            if (e.getValue() instanceof LearningSpec.Csv csv) {
                set = CsvFormat.read(name, baseDirectory.resolve(csv.file()), csv.layout(), spec.classes());
            } else {
                LearningSpec.Idx idx = (LearningSpec.Idx) e.getValue();
                Path images = existing("sources." + name + ".images", baseDirectory.resolve(idx.images()));
                Path labels = existing("sources." + name + ".labels", baseDirectory.resolve(idx.labels()));
                set = IdxFormat.read(name, images, labels, spec.classes());
            }
            data.put(name, set);
        }
        return of(spec, data);
    }

    /**
     * The problem on data already loaded, one set per source of the spec (by name).
     *
     * @throws InvalidInputException naming the source whose data is missing, empty, of another feature dimension than
     *                               the first source's, or with labels outside 0..C−1
     */
    public static LearningProblem of(LearningSpec spec, Map<String, LabelledImages> data) {
        int dimension = -1;
        String first = null;
        for (String name : spec.sources().keySet()) {
            LabelledImages set = data.get(name);
            if (set == null) throw new InvalidInputException("sources." + name, "no data", "the examples of every source");
            if (set.size() == 0) throw new InvalidInputException("sources." + name, "no examples", "at least one example");
            if (set.classes() > spec.classes()) {
                throw new InvalidInputException("sources." + name + ".labels", "class " + (set.classes() - 1),
                        "labels in 0.." + (spec.classes() - 1) + " (classes = " + spec.classes() + ")");
            }
            if (dimension < 0) {
                dimension = set.dimension();
                first = name;
            } else if (set.dimension() != dimension) {
                throw new InvalidInputException("sources." + name, set.dimension() + " features",
                        dimension + " features per example, as sources." + first + " has");
            }
        }
        LearningSpec.Model m = spec.model();
        MultiHeadNetwork network = new MultiHeadNetwork(dimension, m.hidden(), spec.classes(), spec.heads(),
                spec.precision(), m.activation());
        List<String> train = spec.train();
        int[] sourceSizes = new int[train.size()];
        int[] offsets = new int[train.size() + 1];
        for (int k = 0; k < train.size(); k++) {
            sourceSizes[k] = data.get(train.get(k)).size();
            offsets[k + 1] = offsets[k] + sourceSizes[k];
        }
        List<Head> heads = new ArrayList<>();
        for (int h = 0; h < spec.heads(); h++) {
            List<String> own = spec.heads() == 1 ? train : spec.trainOf(h);
            int rows = own.stream().mapToInt(name -> data.get(name).size()).sum();
            double[][] features = new double[rows][];
            int[] labels = new int[rows];
            int[] index = new int[rows];
            int[] source = new int[rows];
            double[] scale = new double[rows];
            int r = 0;
            for (String name : own) {
                int k = train.indexOf(name);
                LabelledImages set = data.get(name);
                for (int i = 0; i < set.size(); i++, r++) {
                    features[r] = set.pixels()[i];
                    labels[r] = set.labels()[i];
                    source[r] = k;
                    index[r] = spec.upper() == UpperVariable.SOURCE_WEIGHTS ? k : offsets[k] + i;
                    scale[r] = spec.upper() == UpperVariable.SOURCE_WEIGHTS ? 1.0 / sourceSizes[k] : 1.0 / rows;
                }
            }
            heads.add(new Head(batch(features, labels, spec.classes(), network), index, scale, source, features, labels));
        }
        List<Batch> validations = new ArrayList<>();
        int[] objectiveHeads = new int[spec.objectives().size()];
        for (int s = 0; s < objectiveHeads.length; s++) {
            LabelledImages set = data.get(spec.objectives().get(s).source());
            validations.add(batch(set.pixels(), set.labels(), spec.classes(), network));
            objectiveHeads[s] = spec.heads() == 1 ? 0 : s;
        }
        int p = switch (spec.upper()) {
            case SAMPLE_WEIGHTS -> offsets[train.size()];
            case SOURCE_WEIGHTS -> train.size();
            case REGULARISATION -> 1;
        };
        INDArray x0 = spec.upper() == UpperVariable.REGULARISATION ? Vectors.of(Math.log(spec.initialRegularisation()))
                : Vectors.zeros(p);
        return new LearningProblem(spec, network, heads, validations, objectiveHeads, p, x0,
                network.initialParameters(spec.seed()), sourceSizes);
    }

    private static Path existing(String field, Path file) {
        if (!java.nio.file.Files.isRegularFile(file)) throw new InvalidInputException(field, file, "an existing IDX file");
        return file;
    }

    private static Batch batch(double[][] features, int[] labels, int classes, MultiHeadNetwork network) {
        Vectors.useFloat64();
        return Batch.of(Nd4j.create(features), labels, classes).in(network.precision());
    }

    public LearningSpec spec() { return spec; }
    public MultiHeadNetwork network() { return network; }

    @Override public int upperDimension() { return upperDimension; }
    @Override public int lowerDimension() { return network.parameterCount(); }
    @Override public int objectiveCount() { return validations.size(); }
    @Override public INDArray initialUpper() { return initialUpper.dup(); }
    @Override public INDArray initialLower() { return initialLower.dup(); }

    /**
     * Where the weighted training loss is most curved: every sample weight near 1 (x = 8: σ = 0.9997), or each
     * source alone (x = 8·e_k), or the ℓ2 weight at {@value #RIDGE_RANGE}× its start. For the ℓ2 weight, whose range
     * has no bound, a run that takes it further may need a smaller α; the divergence guard says so.
     */
    @Override
    public List<INDArray> curvatureProbes() {
        return switch (spec.upper()) {
            case SAMPLE_WEIGHTS -> List.of(Vectors.of(filled(upperDimension, 8)));
            case SOURCE_WEIGHTS -> {
                List<INDArray> probes = new ArrayList<>();
                for (int k = 0; k < upperDimension; k++) {
                    double[] x = new double[upperDimension];
                    x[k] = 8;
                    probes.add(Vectors.of(x));
                }
                yield probes;
            }
            case REGULARISATION -> List.of(Vectors.of(Math.log(spec.initialRegularisation() * RIDGE_RANGE)));
        };
    }

    /** How far the ℓ2 weight's curvature probe lies above its start. */
    static final double RIDGE_RANGE = 100;

    private static double[] filled(int n, double value) {
        double[] v = new double[n];
        java.util.Arrays.fill(v, value);
        return v;
    }

    /** The validation accuracy of objective s's head at y, in [0, 1]. */
    public double accuracy(int objective, INDArray y) {
        Batch validation = validations.get(objective);
        int[] predicted = network.predict(y, objectiveHeads[objective], validation);
        int correct = 0;
        for (int j = 0; j < predicted.length; j++) if (predicted[j] == validation.labels()[j]) correct++;
        return (double) correct / predicted.length;
    }

    @Override
    public UpperEvaluation upper(int objective, INDArray x, INDArray y) {
        Batch validation = validations.get(objective);
        INDArray weights = Nd4j.valueArrayOf(validation.size(), 1.0 / validation.size());
        MultiHeadNetwork.Evaluation e = network.gradient(y, objectiveHeads[objective], validation, weights);
        return new UpperEvaluation(e.value(), Vectors.zeros(upperDimension), e.gradient());
    }

    @Override
    public double lowerValue(INDArray x, INDArray y) {
        double value = 0.5 * ridge(x) * Vectors.squaredNorm(y);
        for (int h = 0; h < heads.size(); h++) value += network.weightedLoss(y, h, heads.get(h).batch(), rowWeights(x, h));
        return value;
    }

    @Override
    public INDArray lowerGradient(INDArray x, INDArray y) {
        return lowerGradientInto(x, y, Vectors.zeros(lowerDimension()));
    }

    @Override
    public INDArray lowerGradientInto(INDArray x, INDArray y, INDArray out) {
        out.assign(y).muli(ridge(x));
        network.addGradients(y, batches(), weights(x), out);
        return out;
    }

    @Override
    public INDArray hessianVector(INDArray x, INDArray y, INDArray v) {
        INDArray out = v.mul(ridge(x));
        return network.addHessianVectors(y, batches(), weights(x), v, out);
    }

    /** ∇_x g: ∂b_r/∂x applied to the per-row losses c_r·ℓ_r, and ½e^x‖y‖² for the ℓ2 weight. */
    @Override
    public INDArray lowerGradientX(INDArray x, INDArray y) {
        List<INDArray> losses = new ArrayList<>();
        for (int h = 0; h < heads.size(); h++) losses.add(network.sampleLosses(y, h, heads.get(h).batch()));
        INDArray out = throughWeights(x, losses);
        if (spec.upper() == UpperVariable.REGULARISATION) out.putScalar(0, out.getDouble(0) + 0.5 * Math.exp(x.getDouble(0)) * Vectors.squaredNorm(y));
        return out;
    }

    /** ∇²_xy g·v = ∂_x⟨∇_y g, v⟩: ∂b_r/∂x applied to c_r⟨∇ℓ_r, v⟩, and e^x⟨y, v⟩ for the ℓ2 weight. */
    @Override
    public INDArray jacobianVector(INDArray x, INDArray y, INDArray v) {
        List<INDArray> derivatives = new ArrayList<>();
        for (int h = 0; h < heads.size(); h++) {
            derivatives.add(network.ignores(v, h) ? Vectors.zeros(heads.get(h).batch().size())
                    : network.directionalDerivatives(y, h, heads.get(h).batch(), v));
        }
        INDArray out = throughWeights(x, derivatives);
        if (spec.upper() == UpperVariable.REGULARISATION) out.putScalar(0, out.getDouble(0) + Math.exp(x.getDouble(0)) * Vectors.dot(y, v));
        return out;
    }

    /**
     * b rows drawn uniformly with replacement from the M rows of all heads, each weighted M/b·c_r: the lower level
     * of that minibatch, unbiased for g (the objectives and x's layout are this problem's).
     */
    @Override
    public LearningProblem lowerSample(SplittableRandom random, int batchSize) {
        Checks.atLeast("batch-size", batchSize, 1);
        int total = heads.stream().mapToInt(h -> h.labels().length).sum();
        List<List<Integer>> chosen = new ArrayList<>();
        for (int h = 0; h < heads.size(); h++) chosen.add(new ArrayList<>());
        for (int n = 0; n < batchSize; n++) {
            int pick = random.nextInt(total);
            int h = 0;
            while (pick >= heads.get(h).labels().length) pick -= heads.get(h++).labels().length;
            chosen.get(h).add(pick);
        }
        List<Head> sampled = new ArrayList<>();
        double factor = (double) total / batchSize;
        for (int h = 0; h < heads.size(); h++) {
            Head full = heads.get(h);
            List<Integer> rows = chosen.get(h);
            int n = rows.size();
            double[][] features = new double[Math.max(n, 1)][];
            int[] labels = new int[Math.max(n, 1)];
            int[] index = new int[Math.max(n, 1)];
            int[] source = new int[Math.max(n, 1)];
            double[] scale = new double[Math.max(n, 1)];
            for (int i = 0; i < n; i++) {
                int r = rows.get(i);
                features[i] = full.features()[r];
                labels[i] = full.labels()[r];
                index[i] = full.index()[r];
                source[i] = full.source()[r];
                scale[i] = factor * full.scale()[r];
            }
            if (n == 0) { // a head no row was drawn for: one row of weight 0 keeps every head's shapes
                features[0] = full.features()[0];
                labels[0] = full.labels()[0];
                index[0] = full.index()[0];
                source[0] = full.source()[0];
                scale[0] = 0;
            }
            sampled.add(new Head(batch(features, labels, spec.classes(), network), index, scale, source, features, labels));
        }
        return new LearningProblem(spec, network, sampled, validations, objectiveHeads, upperDimension, initialUpper,
                initialLower, sourceSizes);
    }

    private List<Batch> batches() {
        List<Batch> out = new ArrayList<>(heads.size());
        for (Head h : heads) out.add(h.batch());
        return out;
    }

    private List<INDArray> weights(INDArray x) {
        List<INDArray> out = new ArrayList<>(heads.size());
        for (int h = 0; h < heads.size(); h++) out.add(rowWeights(x, h));
        return out;
    }

    /** c_r·b_r(x) for the rows of head h. */
    private INDArray rowWeights(INDArray x, int head) {
        Head h = heads.get(head);
        double[] base = base(x);
        double[] w = new double[h.scale().length];
        for (int r = 0; r < w.length; r++) w[r] = h.scale()[r] * (base == null ? 1 : base[h.index()[r]]);
        return Vectors.of(w);
    }

    /** b(x) per entry of x: σ(x_i) for sample weights, softmax(x) for source weights; null (all 1) otherwise. */
    private double[] base(INDArray x) {
        double[] values = x.toDoubleVector();
        return switch (spec.upper()) {
            case SAMPLE_WEIGHTS -> {
                for (int i = 0; i < values.length; i++) values[i] = sigmoid(values[i]);
                yield values;
            }
            case SOURCE_WEIGHTS -> softmax(values);
            case REGULARISATION -> null;
        };
    }

    /**
     * ∂/∂x Σ_h Σ_r c_r b_r(x)·a_{h,r} for per-row values a (losses or directional derivatives): σ'(x_i)·Σ c_r a_r over
     * the rows of example i, or J_softmax(x)ᵀ m with m_k = Σ c_r a_r over the rows of source k; 0 for the ℓ2 weight.
     */
    private INDArray throughWeights(INDArray x, List<INDArray> perRow) {
        double[] out = new double[upperDimension];
        if (spec.upper() == UpperVariable.REGULARISATION) return Vectors.of(out);
        for (int h = 0; h < heads.size(); h++) {
            Head head = heads.get(h);
            double[] a = perRow.get(h).toDoubleVector();
            for (int r = 0; r < a.length; r++) out[head.index()[r]] += head.scale()[r] * a[r];
        }
        double[] values = x.toDoubleVector();
        if (spec.upper() == UpperVariable.SAMPLE_WEIGHTS) {
            for (int i = 0; i < out.length; i++) {
                double s = sigmoid(values[i]);
                out[i] *= s * (1 - s);
            }
            return Vectors.of(out);
        }
        double[] w = softmax(values);
        double mean = 0;
        for (int k = 0; k < w.length; k++) mean += w[k] * out[k];
        for (int k = 0; k < w.length; k++) out[k] = w[k] * (out[k] - mean);
        return Vectors.of(out);
    }

    /** μ + e^x for the ℓ2 weight, μ otherwise. */
    private double ridge(INDArray x) {
        return spec.lowerRegularisation() + (spec.upper() == UpperVariable.REGULARISATION ? Math.exp(x.getDouble(0)) : 0);
    }

    private static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    private static double[] softmax(double[] logits) {
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

    /** N_k of each training source, in the order of {@link LearningSpec#train()}. */
    public int[] sourceSizes() {
        return sourceSizes.clone();
    }

    /** Whether the model is a shared trunk with one head per objective. */
    public boolean sharedTrunk() {
        return spec.model().kind() == ModelKind.SHARED_TRUNK;
    }
}
