package io.mobl.core.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.quadratic.QuadraticProblem;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import io.mobl.core.problem.quadratic.RankDeficientProblem;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.EigenDecompositionSymmetric;
import org.hipparchus.linear.MatrixUtils;
import org.hipparchus.linear.RealMatrix;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The estimated constants against the closed forms of problems whose constants are known. */
class ProblemConstantsTest {
    private static final QuadraticProblem QUADRATIC = QuadraticProblems.dense(3, 5, 7, 2, 10, 0.5);

    @Test
    void powerIterationFindsTheLargestEigenvalueInAbsoluteValue() {
        double[] diagonal = {1, -7, 3, 0.5};
        PowerIteration.Estimate e = PowerIteration.largest(v -> v.mul(Vectors.of(diagonal)), 4, 1, 500, 1e-12);
        assertThat(e.value()).isCloseTo(7, within(1e-6));
        assertThat(e.converged()).isTrue();
    }

    @Test
    void estimatesOfAQuadraticProblemMatchItsEigenvalues() {
        RealMatrix a = dense(v -> QUADRATIC.hessianVector(null, null, v), QUADRATIC.lowerDimension());
        double[] eigenvalues = new EigenDecompositionSymmetric(a).getEigenvalues(); // descending
        // ∇²φ_s = a_s I + BᵀA⁻²B for this family; its largest eigenvalue over s is L_φ
        RealMatrix b = dense(v -> QUADRATIC.jacobianVector(null, null, v), QUADRATIC.lowerDimension()).transpose().scalarMultiply(-1);
        RealMatrix inverse = MatrixUtils.inverse(a);
        RealMatrix curvature = b.transpose().multiply(inverse).multiply(inverse).multiply(b)
                .add(MatrixUtils.createRealIdentityMatrix(QUADRATIC.upperDimension()).scalarMultiply(0.5));
        double upper = new EigenDecompositionSymmetric(curvature).getEigenvalues()[0];

        ProblemConstants estimated = ProblemConstants.of(new Unstated(QUADRATIC));
        assertThat(estimated.lowerLipschitz().value()).isCloseTo(eigenvalues[0], within(1e-3 * eigenvalues[0]));
        assertThat(estimated.lowerLipschitz().stated()).isFalse();
        assertThat(estimated.lowerStrongConvexity().value())
                .isCloseTo(eigenvalues[eigenvalues.length - 1], within(1e-3 * eigenvalues[0]));
        assertThat(estimated.upperLipschitz().value()).isCloseTo(upper, within(1e-3 * upper));
        assertThat(estimated.lowerLevelSingular()).isFalse();
        assertThat(estimated.cost().hessianVectorProducts()).isPositive();
        // the problem's own (stated) constants are bounds, never below the truth; they cost nothing
        ProblemConstants stated = ProblemConstants.of(QUADRATIC);
        assertThat(stated.lowerLipschitz().stated()).isTrue();
        assertThat(stated.upperLipschitz().value()).isGreaterThanOrEqualTo(upper * (1 - 1e-9));
        assertThat(stated.cost().total()).isZero();
    }

    @Test
    void aRankDeficientLowerLevelIsSeenAsSingularWithItsLargestEigenvalue() {
        RankDeficientProblem problem = RankDeficientProblem.random(2, 4, 8, 4, 2, 0.5);
        ProblemConstants constants = ProblemConstants.of(problem);
        assertThat(constants.lowerLipschitz().value()).isCloseTo(problem.lowerLipschitz(), within(1e-3));
        assertThat(constants.lowerStrongConvexity().value()).isZero();
        assertThat(constants.lowerLevelSingular()).isTrue();
        assertThat(constants.smoothness()).isEmpty();
    }

    @Test
    void jointLipschitzConstantsOfAQuadraticAreTheNormsOfItsHessiansInZ() {
        // ∇²_zz g = [[0, −Bᵀ], [−B, A]], ∇²_zz f_s = diag(a_s I, I): L_z = ‖[[0, −Bᵀ], [−B, A]]‖, L_F = max(a, 1) = 1
        int p = QUADRATIC.upperDimension();
        int q = QUADRATIC.lowerDimension();
        RealMatrix a = dense(v -> QUADRATIC.hessianVector(null, null, v), q);
        RealMatrix bt = dense(v -> QUADRATIC.jacobianVector(null, null, v), q); // p×q: −Bᵀ
        RealMatrix h = new Array2DRowRealMatrix(p + q, p + q);
        h.setSubMatrix(bt.getData(), 0, p);
        h.setSubMatrix(bt.transpose().getData(), p, 0);
        h.setSubMatrix(a.getData(), p, p);
        double[] eig = new EigenDecompositionSymmetric(h).getEigenvalues();
        double norm = Math.max(Math.abs(eig[0]), Math.abs(eig[eig.length - 1]));
        ProblemConstants constants = ProblemConstants.of(QUADRATIC);
        assertThat(constants.jointLowerLipschitz().value()).isCloseTo(norm, within(1e-3 * norm));
        assertThat(constants.jointUpperLipschitz().value()).isCloseTo(1.0, within(1e-3));
    }

    /** The matrix of a linear map from its products with the unit vectors (columns). */
    static RealMatrix dense(java.util.function.UnaryOperator<INDArray> map, int columns) {
        double[][] cols = new double[columns][];
        for (int j = 0; j < columns; j++) {
            double[] e = new double[columns];
            e[j] = 1;
            cols[j] = map.apply(Vectors.of(e)).toDoubleVector();
        }
        return new Array2DRowRealMatrix(cols).transpose();
    }
}
