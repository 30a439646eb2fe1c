package io.mobl.core.algorithm;

import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.quadratic.QuadraticObjective;
import io.mobl.core.problem.quadratic.QuadraticProblem;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.ArrayRealVector;
import org.hipparchus.linear.LUDecomposition;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.RealVector;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The exact weighted-Chebyshev solution argmin_x max_s r_s φ_s(x) of a two-objective quadratic problem, computed
 * independently of WC-MHGD: x(λ) = argmin Σ λ_s r_s φ_s is a linear solve (the φ_s are convex quadratics in x),
 * and the minimax point is x(λ*) where r_1φ_1 = r_2φ_2, found by bisection on λ_1 (or an end point when one
 * objective's minimiser already has the larger weighted value).
 */
final class ChebyshevReference {
    private final QuadraticProblem problem;
    private final RealMatrix p; // y*(x) = P x

    ChebyshevReference(QuadraticProblem problem) {
        this.problem = problem;
        int n = problem.upperDimension();
        double[][] columns = new double[problem.lowerDimension()][n];
        for (int j = 0; j < n; j++) {
            double[] e = new double[n];
            e[j] = 1;
            double[] col = problem.lowerSolution(Vectors.of(e)).toDoubleVector();
            for (int i = 0; i < col.length; i++) columns[i][j] = col[i];
        }
        this.p = new Array2DRowRealMatrix(columns, false);
    }

    INDArray weightedMinimiser(double[] w) {
        int n = problem.upperDimension();
        RealMatrix ptp = p.transpose().multiply(p);
        RealMatrix lhs = new Array2DRowRealMatrix(n, n);
        RealVector rhs = new ArrayRealVector(n);
        for (int s = 0; s < w.length; s++) {
            QuadraticObjective o = problem.objectives().get(s);
            lhs = lhs.add(ptp.scalarMultiply(w[s]));
            for (int i = 0; i < n; i++) lhs.addToEntry(i, i, w[s] * o.a());
            rhs = rhs.add(p.transpose().operate(new ArrayRealVector(o.c().toDoubleVector())).mapMultiply(w[s]));
            rhs = rhs.add(new ArrayRealVector(o.d().toDoubleVector()).mapMultiply(w[s] * o.a()));
        }
        return Vectors.of(new LUDecomposition(lhs).getSolver().solve(rhs).toArray());
    }

    private double gap(double lambda, double[] r) {
        INDArray x = weightedMinimiser(new double[] {lambda * r[0], (1 - lambda) * r[1]});
        return r[0] * problem.objective(0, x) - r[1] * problem.objective(1, x);
    }

    INDArray solve(double[] r) {
        if (gap(1, r) >= 0) return weightedMinimiser(new double[] {1, 0});
        if (gap(0, r) <= 0) return weightedMinimiser(new double[] {0, 1});
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 200 && hi - lo > 1e-16; i++) {
            double mid = 0.5 * (lo + hi);
            if (gap(mid, r) > 0) lo = mid; else hi = mid;
        }
        double lambda = 0.5 * (lo + hi);
        return weightedMinimiser(new double[] {lambda * r[0], (1 - lambda) * r[1]});
    }
}
