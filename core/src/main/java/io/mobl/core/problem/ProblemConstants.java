package io.mobl.core.problem;

import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.lower.LowerLevelDescent;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.OracleCalls;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The smoothness constants the algorithms' step sizes are derived from, as the problem states them
 * ({@link BilevelProblem#smoothness()}) or, where it does not, estimated by {@link PowerIteration} at the start
 * of a run. Each constant is computed once, when first asked for, so an algorithm pays only for what it uses.
 *
 * <p>The estimates are taken at x_0 and at ŷ, the lower level after {@value #WARM_UP} gradient steps from y_0 with
 * α = 1/L(y_0) (the region the first iterations explore); they are local, which is why every run also watches for
 * divergence ({@code io.mobl.core.algorithm.DivergenceGuard}).
 * <ul>
 *   <li>L (Assumption 5.2: ∇_y g is L-Lipschitz in y): the largest eigenvalue of ∇²_yy g, by power iteration on
 *       Hessian-vector products (central differences of ∇_y g when the problem has none), the largest of the values
 *       at y_0 and at ŷ, at x_0 and at the problem's {@link BilevelProblem#curvatureProbes()}.</li>
 *   <li>μ_g (Assumption 5.1): L − λ_max(L·I − ∇²_yy g(x_0, ŷ)), 0 when it is below 10⁻⁶·L (not strongly convex as
 *       far as the estimate can tell).</li>
 *   <li>L_φ (the Lipschitz constant of the hypergradients ∇φ_s): the largest eigenvalue over s of ∇²φ_s(x_0),
 *       by power iteration on central differences of the implicit hypergradient Ψ = ∇_x f_s − ∇²_xy g(∇²_yy g)⁻¹∇_y f_s
 *       (Eq. (2), CG solves) along (u, Yu), Y = ∂y*(x)/∂x = −(∇²_yy g)⁻¹∇²_yx g: the curve the lower level's solution
 *       follows as x moves. Exact at y = y*(x_0); at ŷ it is the curvature the first iterations see.</li>
 *   <li>L_z (FORUM's Assumption 2: ∇g is L_z-Lipschitz in z = (x, y)) and L_F (its Assumption 1, for every ∇f_s in
 *       z): power iteration on central differences of (∇_x g, ∇_y g) and of (∇_x f_s, ∇_y f_s) in z at (x_0, y_0).</li>
 * </ul>
 * The oracle calls of the estimates are counted apart ({@link #cost()}), not in any run's counts.
 */
public final class ProblemConstants {
    /** Lower-level gradient steps to ŷ. */
    public static final int WARM_UP = 50;
    /** CG steps of each linear solve in the L_φ estimate. */
    static final int SOLVE_STEPS = 50;
    /** Products and relative tolerance of the L_φ estimate (each product makes two solves): 10 % is enough for a step. */
    static final int UPPER_PRODUCTS = 25;
    static final double UPPER_TOLERANCE = 1e-2;
    private static final long SEED = 0x5EEDL;
    /** Curvature below this fraction of L counts as none. */
    public static final double FLAT = 1e-6;

    private final Supplier<BilevelProblem> source;
    private final Optional<Smoothness> stated;
    private BilevelProblem problem;
    private CountingProblem counted;
    private BilevelProblem second; // with second-order oracles (differenced when the problem has none)
    private Constant lowerLipschitz;
    private Constant lowerStrongConvexity;
    private double smallestCurvature = Double.NaN; // λ_min(∇²_yy g(x_0, ŷ)) as estimated; may be < 0
    private Constant upperLipschitz;
    private Constant jointLowerLipschitz;
    private Constant jointUpperLipschitz;
    private INDArray warmLower;

    /**
     * One constant and where it came from.
     *
     * @param symbol "L", "μ_g", "L_φ", "L_z" or "L_F"
     * @param value  ≥ 0
     * @param stated true when the problem states it, false when it was estimated here
     */
    public record Constant(String symbol, double value, boolean stated) {
        /** "L = 10 (stated)", "L_φ = 3.52 (estimated)". */
        public String describe() {
            return String.format(Locale.ROOT, "%s = %.4g (%s)", symbol, value, stated ? "stated" : "estimated");
        }
    }

    private ProblemConstants(Supplier<BilevelProblem> source, Optional<Smoothness> stated) {
        this.source = source;
        this.stated = stated;
    }

    /** The constants of {@code problem}: stated where it states them, else estimated when first asked for. */
    public static ProblemConstants of(BilevelProblem problem) {
        return new ProblemConstants(() -> problem, problem.smoothness());
    }

    /**
     * The constants of a stochastic problem: stated where it states them, else estimated on the deterministic view
     * {@code view} makes (e.g. a {@link io.mobl.core.stochastic.SampledView} on its first batches), made only then.
     */
    public static ProblemConstants of(Optional<Smoothness> stated, Supplier<BilevelProblem> view) {
        return new ProblemConstants(view, stated);
    }

    /** The problem the estimates are made on (made now if it was not yet). */
    public synchronized BilevelProblem problem() {
        if (problem == null) {
            problem = source.get();
            counted = new CountingProblem(problem);
            second = problem.oracles().containsAll(EnumSet.of(Oracle.HESSIAN_VECTOR, Oracle.JACOBIAN_VECTOR))
                    ? counted : FiniteDifferenceOracles.of(counted);
        }
        return problem;
    }

    /** L, the Lipschitz constant of ∇_y g in y. */
    public synchronized Constant lowerLipschitz() {
        if (lowerLipschitz == null) {
            lowerLipschitz = stated.map(s -> new Constant("L", s.lowerLipschitz(), true)).orElseGet(() -> {
                INDArray x = problem().initialUpper();
                double atStart = hessianNorm(x, problem().initialLower());
                double largest = Math.max(atStart, hessianNorm(x, warmLower(atStart)));
                for (INDArray probe : problem().curvatureProbes()) {
                    largest = Math.max(largest, Math.max(hessianNorm(probe, problem().initialLower()),
                            hessianNorm(probe, warmLower(atStart))));
                }
                return new Constant("L", positive("L", largest), false);
            });
        }
        return lowerLipschitz;
    }

    /** μ_g, the strong-convexity modulus of g in y; 0 when the problem is not (or not measurably) strongly convex. */
    public synchronized Constant lowerStrongConvexity() {
        if (lowerStrongConvexity == null) {
            lowerStrongConvexity = stated.map(s -> new Constant("μ_g", s.lowerStrongConvexity(), true)).orElseGet(() -> {
                double l = lowerLipschitz().value();
                INDArray x = problem().initialUpper();
                INDArray y = warmLower(l);
                UnaryOperator<INDArray> shifted = v -> Vectors.axpy(-1, second.hessianVector(x, y, v), v.mul(l));
                double top = PowerIteration.largest(shifted, problem().lowerDimension(), SEED + 1, 200, 1e-6).value();
                smallestCurvature = l - top;
                return new Constant("μ_g", smallestCurvature > FLAT * l ? smallestCurvature : 0, false);
            });
        }
        return lowerStrongConvexity;
    }

    /**
     * Whether ∇²_yy g is singular at the start: its smallest eigenvalue is within {@value #FLAT}·L of 0 (a lower
     * level that is convex but not strongly convex, whose minimisers form a set). Then ∇²_yy g·v = ∇_y f has no
     * solution in general and WC-MHGD's Option 1 (CG) is not defined; a lower level with negative curvature (a
     * network) is not singular in this sense, and CG stops at its first direction of negative curvature. False when
     * the problem states its constants (μ_g &gt; 0).
     */
    public synchronized boolean lowerLevelSingular() {
        if (stated.isPresent()) return false;
        lowerStrongConvexity();
        return Math.abs(smallestCurvature) <= FLAT * lowerLipschitz().value();
    }

    /** L_φ, the Lipschitz constant of the hypergradients (the largest over the objectives). */
    public synchronized Constant upperLipschitz() {
        if (upperLipschitz == null) {
            upperLipschitz = stated.map(s -> new Constant("L_φ", s.upperLipschitz(), true)).orElseGet(() -> {
                INDArray x = problem().initialUpper();
                INDArray y = warmLower(lowerLipschitz().value());
                double largest = 0;
                for (int s = 0; s < problem().objectiveCount(); s++) {
                    UnaryOperator<INDArray> curvature = hypergradientDerivative(s, x, y);
                    largest = Math.max(largest, PowerIteration.largest(curvature, problem().upperDimension(), SEED + 2 + s,
                            UPPER_PRODUCTS, UPPER_TOLERANCE).value());
                }
                return new Constant("L_φ", positive("L_φ", largest), false);
            });
        }
        return upperLipschitz;
    }

    /** L_z, the Lipschitz constant of ∇g = (∇_x g, ∇_y g) in z = (x, y) (FORUM's L_f). */
    public synchronized Constant jointLowerLipschitz() {
        if (jointLowerLipschitz == null) {
            INDArray z = join(problem().initialUpper(), problem().initialLower());
            UnaryOperator<INDArray> field = at -> {
                INDArray[] xy = split(at);
                return join(counted.lowerGradientX(xy[0], xy[1]), counted.lowerGradient(xy[0], xy[1]));
            };
            double value = PowerIteration.largest(PowerIteration.centralDifference(field, z, PowerIteration.differenceStep(z)),
                    (int) z.length(), SEED + 100).value();
            jointLowerLipschitz = new Constant("L_z", positive("L_z", value), false);
        }
        return jointLowerLipschitz;
    }

    /** L_F, the largest Lipschitz constant of ∇f_s = (∇_x f_s, ∇_y f_s) in z = (x, y) over the objectives. */
    public synchronized Constant jointUpperLipschitz() {
        if (jointUpperLipschitz == null) {
            INDArray z = join(problem().initialUpper(), problem().initialLower());
            double largest = 0;
            for (int s = 0; s < problem().objectiveCount(); s++) {
                int objective = s;
                UnaryOperator<INDArray> field = at -> {
                    INDArray[] xy = split(at);
                    UpperEvaluation f = counted.upper(objective, xy[0], xy[1]);
                    return join(f.gradientX(), f.gradientY());
                };
                largest = Math.max(largest, PowerIteration.largest(
                        PowerIteration.centralDifference(field, z, PowerIteration.differenceStep(z)), (int) z.length(),
                        SEED + 200 + s).value());
            }
            jointUpperLipschitz = new Constant("L_F", positive("L_F", largest), false);
        }
        return jointUpperLipschitz;
    }

    /** L, μ_g and L_φ as Assumptions 5.1–5.2 state them, when μ_g &gt; 0. */
    public Optional<Smoothness> smoothness() {
        if (stated.isPresent()) return stated;
        double mu = lowerStrongConvexity().value();
        return mu > 0 ? Optional.of(new Smoothness(lowerLipschitz().value(), mu, upperLipschitz().value()))
                : Optional.empty();
    }

    /** The oracle calls the estimates made so far (none when everything was stated). */
    public synchronized OracleCalls cost() {
        return counted == null ? OracleCalls.NONE : counted.calls();
    }

    private double hessianNorm(INDArray x, INDArray y) {
        return PowerIteration.largest(v -> second.hessianVector(x, y, v), problem().lowerDimension(), SEED).value();
    }

    /** ŷ: {@value #WARM_UP} steps of α = 1/L from y_0 (made once). */
    private INDArray warmLower(double lipschitz) {
        if (warmLower == null) {
            warmLower = LowerLevelDescent.descend(counted, problem().initialUpper(), problem().initialLower(), WARM_UP,
                    1 / positive("L", lipschitz), false).solution();
            if (!Vectors.allFinite(warmLower)) {
                throw new InvalidInputException("lower-step-size", "1/L = " + 1 / lipschitz,
                        "a step that keeps the lower level finite; the estimate of L failed on this problem, give "
                                + "--lower-step-size");
            }
        }
        return warmLower;
    }

    /**
     * u ↦ ∇²φ_s·u, the derivative of the implicit hypergradient ∇φ_s = ∇_x f_s − J v* (Eq. (2); J = ∇²_xy g,
     * H = ∇²_yy g, v* = H⁻¹∇_y f_s) along the curve (x + tu, y + tw) that the lower level's solution follows,
     * w = −H⁻¹Jᵀu:
     * <pre>
     *   ∇²φ_s·u = a_x − b_x − J H⁻¹(a_y − b_y)
     * </pre>
     * with (a_x, a_y) the derivative of ∇f_s along (u, w), b_x that of J·v* and b_y that of H·v* (v* held fixed):
     * every term is a central difference of an oracle at fixed vectors, so only the two solves for w and for the
     * last H⁻¹ are made by CG, at (x, y) itself. Jᵀu = ∇²_yx g·u is a central difference of ∇_y g in x. Exact at
     * y = y*(x), third derivatives of g included.
     */
    private UnaryOperator<INDArray> hypergradientDerivative(int objective, INDArray x, INDArray y) {
        ConjugateGradient solver = new ConjugateGradient(SOLVE_STEPS);
        INDArray zeroLower = Vectors.zeros(problem().lowerDimension());
        INDArray solved = solver.solve(second, x, y, counted.upper(objective, x, y).gradientY(), zeroLower);
        return u -> {
            double hx = PowerIteration.differenceStep(x) / Math.max(Vectors.norm(u), Double.MIN_NORMAL);
            INDArray mixed = Vectors.scaleInPlace(1 / (2 * hx), Vectors.subtract(
                    counted.lowerGradient(Vectors.axpy(hx, u, x), y), counted.lowerGradient(Vectors.axpy(-hx, u, x), y)));
            INDArray w = solver.solve(second, x, y, mixed, zeroLower).negi();
            double length = Math.sqrt(Vectors.squaredNorm(u) + Vectors.squaredNorm(w));
            double h = PowerIteration.differenceStep(join(x, y)) / Math.max(length, Double.MIN_NORMAL);
            INDArray xp = Vectors.axpy(h, u, x);
            INDArray yp = Vectors.axpy(h, w, y);
            INDArray xm = Vectors.axpy(-h, u, x);
            INDArray ym = Vectors.axpy(-h, w, y);
            UpperEvaluation fp = counted.upper(objective, xp, yp);
            UpperEvaluation fm = counted.upper(objective, xm, ym);
            double scale = 1 / (2 * h);
            INDArray ax = Vectors.scaleInPlace(scale, Vectors.subtract(fp.gradientX(), fm.gradientX()));
            INDArray ay = Vectors.scaleInPlace(scale, Vectors.subtract(fp.gradientY(), fm.gradientY()));
            INDArray bx = Vectors.scaleInPlace(scale, Vectors.subtract(second.jacobianVector(xp, yp, solved),
                    second.jacobianVector(xm, ym, solved)));
            INDArray by = Vectors.scaleInPlace(scale, Vectors.subtract(second.hessianVector(xp, yp, solved),
                    second.hessianVector(xm, ym, solved)));
            INDArray response = solver.solve(second, x, y, Vectors.axpyInPlace(-1, by, ay), zeroLower);
            return Vectors.axpyInPlace(-1, second.jacobianVector(x, y, response), Vectors.axpyInPlace(-1, bx, ax));
        };
    }

    private static double positive(String symbol, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new InvalidInputException(symbol, value, "a finite positive estimate; this problem's derivatives "
                    + "vanish or are not finite at its start, so give the step sizes explicitly");
        }
        return value;
    }

    private INDArray join(INDArray x, INDArray y) {
        double[] z = new double[(int) (x.length() + y.length())];
        System.arraycopy(x.toDoubleVector(), 0, z, 0, (int) x.length());
        System.arraycopy(y.toDoubleVector(), 0, z, (int) x.length(), (int) y.length());
        return Vectors.of(z);
    }

    private INDArray[] split(INDArray z) {
        double[] all = z.toDoubleVector();
        int p = problem().upperDimension();
        return new INDArray[] {Vectors.of(java.util.Arrays.copyOfRange(all, 0, p)),
                Vectors.of(java.util.Arrays.copyOfRange(all, p, all.length))};
    }
}
