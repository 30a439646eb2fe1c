package io.mobl.core.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.SynchronousSolver;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.quadratic.QuadraticProblem;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.OracleCalls;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Second-order oracles from gradients only, against a problem whose exact ones are known. */
class FiniteDifferenceOraclesTest {
    private static final QuadraticProblem EXACT = QuadraticProblems.dense(5, 6, 9, 2, 10, 0.5);
    /** What a user's problem with gradients only looks like: no HV(g), no JV(g). */
    private static final BilevelProblem GRADIENTS_ONLY = new FirstOrderView(EXACT);

    @Test
    void productsMatchTheExactOnesWithinTheRoundingBoundOfAQuadratic() {
        FiniteDifferenceOracles differenced = FiniteDifferenceOracles.of(GRADIENTS_ONLY);
        SplittableRandom random = new SplittableRandom(3);
        for (int trial = 0; trial < 5; trial++) {
            INDArray x = gaussian(random, 6, 3);
            INDArray y = gaussian(random, 9, 3);
            INDArray v = gaussian(random, 9, 10);
            // g is quadratic in y (M₃ = 0): only the rounding term ‖v‖·ε_g/h remains, ε_g ≈ 1e-15·‖∇g‖
            double bound = Vectors.norm(v) * 1e-15 * (1 + Vectors.norm(EXACT.lowerGradient(x, y))) / (1e-5 * Math.max(1, Vectors.norm(y)));
            assertThat(Vectors.norm(differenced.hessianVector(x, y, v).sub(EXACT.hessianVector(x, y, v))))
                    .isLessThanOrEqualTo(10 * bound);
            assertThat(Vectors.norm(differenced.jacobianVector(x, y, v).sub(EXACT.jacobianVector(x, y, v))))
                    .isLessThanOrEqualTo(10 * bound);
        }
        assertThat(differenced.oracles()).containsAll(java.util.EnumSet.allOf(Oracle.class));
    }

    @Test
    void wcMhgdRunsOnAProblemWithGradientsOnlyAndLandsWhereTheExactRunLands() {
        WcMhgdConfig config = WcMhgdConfig.defaults(EXACT, new ConjugateGradient(10), 50, 1.0, 200, 0);
        double[] preference = {0.4, 0.6};
        Solution exact = SynchronousSolver.solve(EXACT, config, preference, "exact", RunListener.NONE);
        CountingProblem user = new CountingProblem(GRADIENTS_ONLY); // counts what the user's code evaluates
        Solution differenced = SynchronousSolver.solve(FiniteDifferenceOracles.of(user), config, preference,
                "differenced", RunListener.NONE);
        assertThat(Vectors.norm(differenced.x().sub(exact.x()))).isLessThan(1e-6);
        // every product was made of two gradients and counted so: the run's counts are exactly the gradients the
        // user's problem evaluated, with no HV(g) or JV(g)
        OracleCalls calls = differenced.point().oracleCalls();
        assertThat(calls).isEqualTo(user.calls());
        assertThat(calls.hessianVectorProducts()).isZero();
        assertThat(calls.jacobianVectorProducts()).isZero();
        OracleCalls reference = exact.point().oracleCalls();
        assertThat(calls.lowerGradients()).isGreaterThan(reference.lowerGradients()
                + 2 * reference.jacobianVectorProducts()); // the JVPs alone cost that; the HVPs come on top
        assertThat(calls.upperGradients()).isEqualTo(reference.upperGradients());
    }

    @Test
    void aProblemWithoutLowerGradientsCannotBeDifferenced() {
        BilevelProblem upperOnly = new Unstated(EXACT) {
            @Override public java.util.Set<Oracle> oracles() { return java.util.EnumSet.of(Oracle.UPPER_GRADIENT); }
        };
        assertThatThrownBy(() -> FiniteDifferenceOracles.of(upperOnly)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("Gc(g)");
    }

    private static INDArray gaussian(SplittableRandom random, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = scale * random.nextGaussian();
        return Vectors.of(v);
    }
}
