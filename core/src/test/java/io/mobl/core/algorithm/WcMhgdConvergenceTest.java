package io.mobl.core.algorithm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.hypergradient.HypergradientMethod;
import io.mobl.core.hypergradient.NeumannSeries;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.problem.quadratic.QuadraticProblem;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class WcMhgdConvergenceTest {
    private static final QuadraticProblem PROBLEM = QuadraticProblems.dense(21, 4, 6, 2, 2, 0.5);
    private static final ChebyshevReference REFERENCE = new ChebyshevReference(PROBLEM);

    private static WcMhgdConfig config(HypergradientMethod method, int iterations) {
        return WcMhgdConfig.defaults(PROBLEM, method, 30, 1.0, iterations, 0);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cg", "ns"})
    void reachesTheExactWeightedChebyshevSolutionForSeveralPreferences(String option) {
        HypergradientMethod method = option.equals("cg") ? new ConjugateGradient(6) : new NeumannSeries();
        for (double r1 : new double[] {0.2, interiorPreference(), 0.8}) {
            double[] preference = {r1, 1 - r1};
            Solution solution = SynchronousSolver.solve(PROBLEM, config(method, 1000), preference, "test", RunListener.NONE);
            INDArray exact = REFERENCE.solve(preference);
            assertThat(Vectors.norm(solution.x().sub(exact)))
                    .as("distance to the WC solution for r = %s with %s", r1, option)
                    .isLessThanOrEqualTo(1e-6);
        }
    }

    @Test
    void anInteriorPreferenceEqualisesTheWeightedObjectives() {
        double r1 = interiorPreference();
        double[] preference = {r1, 1 - r1};
        Solution solution = SynchronousSolver.solve(PROBLEM, config(new ConjugateGradient(6), 1000), preference, "t",
                RunListener.NONE);
        double[] phi = solution.point().objectives();
        // Where the preference ray meets the front, both weighted objectives are equal (both constraints active).
        assertThat(Math.abs(preference[0] * phi[0] - preference[1] * phi[1])).isLessThan(1e-6);
    }

    /**
     * A preference whose WC solution is not one objective's own minimiser: r_1/r_2 strictly between
     * φ_2/φ_1 at the two individual minimisers.
     */
    private static double interiorPreference() {
        INDArray first = REFERENCE.weightedMinimiser(new double[] {1, 0});
        INDArray second = REFERENCE.weightedMinimiser(new double[] {0, 1});
        double low = PROBLEM.objective(1, second) / PROBLEM.objective(0, second);
        double high = PROBLEM.objective(1, first) / PROBLEM.objective(0, first);
        double ratio = 0.5 * (low + high);
        return ratio / (1 + ratio);
    }

    @Test
    void stationarityGapDecreasesAtLeastLikeOneOverK() {
        // Theorem 5.5 bounds the average gap (1/K) Σ_k ‖d̄_k‖² by C/K: the partial sums Σ_{k<K} gap_k stay bounded.
        List<Double> gaps = new ArrayList<>();
        RunListener listener = new RunListener() {
            @Override public void onIteration(IterateTelemetry t) { gaps.add(t.stationarity()); }
        };
        SynchronousSolver.solve(PROBLEM, config(new ConjugateGradient(6), 800), new double[] {0.3, 0.7}, "t", listener);
        double[] partial = new double[gaps.size() + 1];
        for (int k = 0; k < gaps.size(); k++) partial[k + 1] = partial[k] + gaps.get(k);
        int k0 = 50;
        double constant = partial[k0];
        for (int k = k0; k <= 800; k *= 2) {
            double average = partial[k] / k;
            assertThat(average).as("average gap over %s iterations", k).isLessThanOrEqualTo(2 * constant / k);
        }
        assertThat(gaps.get(800)).isLessThan(gaps.get(0) * 1e-6);
    }

    @Test
    void stopsAtTheToleranceAndReportsThePointItMeasured() {
        List<IterateTelemetry> seen = new ArrayList<>();
        RunListener listener = new RunListener() {
            @Override public void onIteration(IterateTelemetry t) { seen.add(t); }
        };
        Solution solution = SynchronousSolver.solve(PROBLEM, config(new ConjugateGradient(6), 5000).withTolerance(1e-8),
                new double[] {0.5, 0.5}, "t", listener);
        assertThat(solution.point().iterations()).isLessThan(5000).isEqualTo(seen.size() - 1);
        assertThat(solution.point().stationarity()).isLessThanOrEqualTo(1e-8);
        assertThat(seen.get(seen.size() - 2).stationarity()).isGreaterThan(1e-8);
        // oracle calls: per evaluation D Gc(g) + S Gc(f) + S JV(g)
        assertThat(solution.point().oracleCalls().lowerGradients()).isEqualTo(30L * seen.size());
        assertThat(solution.point().oracleCalls().upperGradients()).isEqualTo(2L * seen.size());
        assertThat(solution.point().oracleCalls().jacobianVectorProducts()).isEqualTo(2L * seen.size());
    }

    @Test
    void rejectsAPreferenceOutsideTheOpenSimplex() {
        assertThatThrownBy(() -> SynchronousSolver.solve(PROBLEM, config(new NeumannSeries(), 1), new double[] {1, 0}, "t",
                RunListener.NONE)).isInstanceOf(InvalidInputException.class).hasMessageContaining("preference[1]");
        assertThatThrownBy(() -> SynchronousSolver.solve(PROBLEM, config(new NeumannSeries(), 1), new double[] {0.5, 0.6},
                "t", RunListener.NONE)).isInstanceOf(InvalidInputException.class).hasMessageContaining("summing to 1");
    }

    @Test
    void aDivergingStepIsRejectedWithADiagnostic() {
        WcMhgdConfig tooLarge = new WcMhgdConfig(5, 10.0, 1.0, 1.0, new ConjugateGradient(3), 500, 0);
        assertThatThrownBy(() -> SynchronousSolver.solve(PROBLEM, tooLarge, new double[] {0.5, 0.5}, "t", RunListener.NONE))
                .isInstanceOf(NonFiniteValueException.class).hasMessageContaining("iteration");
    }
}
