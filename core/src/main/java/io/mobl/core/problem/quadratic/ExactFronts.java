package io.mobl.core.problem.quadratic;

import io.mobl.core.linalg.Vectors;
import io.mobl.core.metrics.PreferenceGrid;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.CountingProblem;
import io.mobl.core.problem.FirstOrderView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.ArrayRealVector;
import org.hipparchus.linear.CholeskyDecomposition;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.RealVector;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The true Pareto front of the built-in problems, where it is known in closed form: both families are convex in
 * the upper variable once the lower level is solved exactly, so every Pareto-optimal point minimises Σ w_s φ_s
 * for some w in the simplex, and each such minimiser is one linear solve. The front is sampled at the vertices
 * of the simplex and at a grid of interior weights.
 */
public final class ExactFronts {
    /** Largest p for which the dense closed form (p lower-level solves) is attempted. */
    public static final int MAX_UPPER_DIMENSION = 400;

    private ExactFronts() {}

    /**
     * @param problem a built-in problem (possibly wrapped for counting or as first-order only)
     * @param count   interior weights to sample (plus the S vertices)
     * @return the objective vectors of the sampled Pareto-optimal points, or empty when the front is not known
     */
    public static Optional<double[][]> of(BilevelProblem problem, int count) {
        BilevelProblem base = unwrap(problem);
        int s = base.objectiveCount();
        List<double[]> weights = new ArrayList<>();
        for (int i = 0; i < s; i++) {
            double[] e = new double[s];
            e[i] = 1;
            weights.add(e);
        }
        if (s >= 2) weights.addAll(List.of(PreferenceGrid.of(s, count)));
        if (base instanceof RankDeficientProblem rd) {
            double[][] front = new double[weights.size()][];
            for (int k = 0; k < front.length; k++) {
                INDArray[] z = rd.weightedMinimiser(weights.get(k));
                front[k] = objectives(rd, z[0], z[1]);
            }
            return Optional.of(front);
        }
        if (base instanceof QuadraticProblem qp && qp.upperDimension() <= MAX_UPPER_DIMENSION) {
            double[][] front = new double[weights.size()][];
            RealMatrix p = lowerSolutionMap(qp);
            for (int k = 0; k < front.length; k++) {
                INDArray x = weightedMinimiser(qp, p, weights.get(k));
                front[k] = objectives(qp, x, qp.lowerSolution(x));
            }
            return Optional.of(front);
        }
        return Optional.empty();
    }

    /** The true objective vector Φ(x) = F(x, y*(x)) when y*(x) is known in closed form (the quadratic family). */
    public static Optional<double[]> trueObjectives(BilevelProblem problem, INDArray x) {
        if (unwrap(problem) instanceof QuadraticProblem qp) return Optional.of(objectives(qp, x, qp.lowerSolution(x)));
        return Optional.empty();
    }

    /** The exact hypergradients ∇φ_s(x) when they are known in closed form (the quadratic family). */
    public static Optional<List<INDArray>> trueHypergradients(BilevelProblem problem, INDArray x) {
        if (!(unwrap(problem) instanceof QuadraticProblem qp)) return Optional.empty();
        List<INDArray> list = new ArrayList<>();
        for (int s = 0; s < qp.objectiveCount(); s++) list.add(qp.hypergradient(s, x));
        return Optional.of(list);
    }

    private static BilevelProblem unwrap(BilevelProblem problem) {
        BilevelProblem p = problem;
        while (true) {
            if (p instanceof CountingProblem c) p = c.delegate();
            else if (p instanceof FirstOrderView f) p = f.delegate();
            else return p;
        }
    }

    private static double[] objectives(BilevelProblem problem, INDArray x, INDArray y) {
        double[] values = new double[problem.objectiveCount()];
        for (int s = 0; s < values.length; s++) values[s] = problem.upper(s, x, y).value();
        return values;
    }

    /** P with y*(x) = Px, column by column. */
    private static RealMatrix lowerSolutionMap(QuadraticProblem problem) {
        int n = problem.upperDimension();
        RealMatrix p = new Array2DRowRealMatrix(problem.lowerDimension(), n);
        for (int j = 0; j < n; j++) {
            double[] e = new double[n];
            e[j] = 1;
            p.setColumn(j, problem.lowerSolution(Vectors.of(e)).toDoubleVector());
        }
        return p;
    }

    /** argmin_x Σ w_s [½‖Px − c_s‖² + ½a_s‖x − d_s‖²]. */
    private static INDArray weightedMinimiser(QuadraticProblem problem, RealMatrix p, double[] w) {
        int n = problem.upperDimension();
        RealMatrix ptp = p.transpose().multiply(p);
        RealMatrix lhs = new Array2DRowRealMatrix(n, n);
        RealVector rhs = new ArrayRealVector(n);
        for (int s = 0; s < w.length; s++) {
            if (w[s] == 0) continue;
            QuadraticObjective o = problem.objectives().get(s);
            lhs = lhs.add(ptp.scalarMultiply(w[s]));
            for (int i = 0; i < n; i++) lhs.addToEntry(i, i, w[s] * o.a());
            rhs = rhs.add(p.transpose().operate(new ArrayRealVector(o.c().toDoubleVector())).mapMultiply(w[s]));
            rhs = rhs.add(new ArrayRealVector(o.d().toDoubleVector()).mapMultiply(w[s] * o.a()));
        }
        return Vectors.of(new CholeskyDecomposition(lhs, 1e-10, 1e-14).getSolver().solve(rhs).toArray());
    }
}
