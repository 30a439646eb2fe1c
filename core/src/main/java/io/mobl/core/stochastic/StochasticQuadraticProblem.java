package io.mobl.core.stochastic;

import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.Smoothness;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.core.problem.quadratic.QuadraticObjective;
import io.mobl.core.problem.quadratic.QuadraticProblem;
import io.mobl.protocol.Minibatch;
import java.util.Arrays;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Noisy samples around a {@link QuadraticProblem} (the mean problem, with its exact y*, φ_s and ∇φ_s). A
 * lower-level sample ζ carries features [e | δ | w] (lengths q, q, p), an upper sample ξ of objective s carries
 * [e | e'] (lengths q, p), and
 * <pre>
 *   G(x, y; ζ)     = ½ yᵀ(A + Diag δ) y − yᵀ B Diag(1 + w) x − eᵀy
 *   F^{(s)}(x, y; ξ) = f_s(x, y) + eᵀy + e'ᵀx
 * </pre>
 * with every noise entry of mean zero, so E G = g and E F^{(s)} = f_s, and so are their gradients, Hessian- and
 * Jacobian-vector products: every oracle is unbiased. Its oracles:
 * ∇_y G = (A + Diag δ) y − B((1 + w)∘x) − e, ∇²_yy G·v = (A + Diag δ) v, ∇²_xy G·v = −(1 + w)∘(Bᵀv),
 * ∇_y F = y − c_s + e, ∇_x F = a_s(x − d_s) + e', and G itself with ∇_x G = −(1 + w)∘(Bᵀy) for stochastic FORUM. All are affine in the features, so the oracle of a batch is
 * the oracle at the batch's mean features ({@link SampleBatch#featureMean()}): O(n·d) per call, whatever n.
 */
public final class StochasticQuadraticProblem implements StochasticBilevelProblem {
    private final StochasticQuadraticSpec spec;
    private final QuadraticProblem mean;
    private final Smoothness smoothness;

    StochasticQuadraticProblem(StochasticQuadraticSpec spec, QuadraticProblem mean) {
        this.spec = spec;
        this.mean = mean;
        Smoothness m = mean.smoothness().orElseThrow();
        double spread = spec.hessianNoise() * m.lowerStrongConvexity();
        // every sample's Hessian lies in [μ − hμ, L + hμ]: Assumptions 5.1–5.2 hold per sample with these constants
        this.smoothness = new Smoothness(m.lowerLipschitz() + spread, m.lowerStrongConvexity() - spread,
                m.upperLipschitz());
    }

    public StochasticQuadraticSpec spec() { return spec; }

    /** The mean problem, whose closed forms are the exact answers a stochastic run approaches. */
    public QuadraticProblem mean() { return mean; }

    @Override public int upperDimension() { return mean.upperDimension(); }
    @Override public int lowerDimension() { return mean.lowerDimension(); }
    @Override public int objectiveCount() { return mean.objectiveCount(); }
    @Override public INDArray initialUpper() { return mean.initialUpper(); }
    @Override public INDArray initialLower() { return mean.initialLower(); }
    @Override public Optional<Smoothness> smoothness() { return Optional.of(smoothness); }

    @Override
    public int featureDimension(int objective) {
        return objective == Minibatch.LOWER ? spec.lowerFeatureDimension() : spec.upperFeatureDimension();
    }

    @Override
    public UpperEvaluation upper(int objective, INDArray x, INDArray y, SampleBatch batch) {
        double[] f = batch.featureMean();
        int q = lowerDimension();
        INDArray e = part(f, 0, q);
        INDArray ePrime = part(f, q, q + upperDimension());
        UpperEvaluation exact = mean.upper(objective, x, y);
        double value = exact.value() + Vectors.dot(e, y) + Vectors.dot(ePrime, x);
        return new UpperEvaluation(value, exact.gradientX().addi(ePrime), exact.gradientY().addi(e));
    }

    @Override
    public INDArray lowerGradient(INDArray x, INDArray y, SampleBatch batch) {
        LowerNoise n = lowerNoise(batch);
        INDArray scaledX = x.add(n.w().muli(x));
        return mean.lowerHessian().apply(y).addi(n.delta().muli(y)).subi(mean.coupling().apply(scaledX)).subi(n.e());
    }

    /** The lower level's noise on a batch's mean features: e (q), δ (q) and w (p), in that order. */
    private record LowerNoise(INDArray e, INDArray delta, INDArray w) {}

    private LowerNoise lowerNoise(SampleBatch batch) {
        double[] f = batch.featureMean();
        int q = lowerDimension();
        return new LowerNoise(part(f, 0, q), part(f, q, 2 * q), part(f, 2 * q, 2 * q + upperDimension()));
    }

    /** G(x, y; ζ) = ½ yᵀ(A + Diag δ) y − yᵀ B((1 + w)∘x) − eᵀy on the batch's mean features (stochastic FORUM's q̃). */
    @Override
    public double lowerValue(INDArray x, INDArray y, SampleBatch batch) {
        LowerNoise n = lowerNoise(batch);
        INDArray scaledX = x.add(n.w().muli(x));
        INDArray curvature = mean.lowerHessian().apply(y).addi(n.delta().muli(y));
        return 0.5 * Vectors.dot(y, curvature) - Vectors.dot(y, mean.coupling().apply(scaledX)) - Vectors.dot(n.e(), y);
    }

    /** ∇_x G(x, y; ζ) = −(1 + w)∘(Bᵀy): the Jacobian product with v = y. */
    @Override
    public INDArray lowerGradientX(INDArray x, INDArray y, SampleBatch batch) {
        return jacobianVector(x, y, y, batch);
    }

    @Override
    public INDArray hessianVector(INDArray x, INDArray y, INDArray v, SampleBatch batch) {
        double[] f = batch.featureMean();
        int q = lowerDimension();
        return mean.lowerHessian().apply(v).addi(part(f, q, 2 * q).muli(v));
    }

    @Override
    public INDArray jacobianVector(INDArray x, INDArray y, INDArray v, SampleBatch batch) {
        double[] f = batch.featureMean();
        int q = lowerDimension();
        INDArray onePlusW = part(f, 2 * q, 2 * q + upperDimension()).addi(1.0);
        return mean.coupling().applyTransposed(v).muli(onePlusW).negi();
    }

    /** The objective QuadraticObjective s of the mean problem (targets c_s, d_s and weight a_s). */
    public QuadraticObjective objective(int s) {
        return mean.objectives().get(s);
    }

    private static INDArray part(double[] values, int from, int to) {
        return Vectors.of(Arrays.copyOfRange(values, from, to));
    }
}
