package io.mobl.core.algorithm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.core.linalg.Vectors;
import io.mobl.core.stochastic.GeneratedBatchSource;
import io.mobl.core.stochastic.ListBatchSource;
import io.mobl.core.stochastic.NoDataException;
import io.mobl.core.stochastic.StochasticQuadraticGenerator;
import io.mobl.core.stochastic.StochasticQuadraticProblem;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.OracleCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class StochasticWcMhgdTest {
    /** The mean problem is WcMhgdConvergenceTest's: QuadraticProblems.dense(21, 4, 6, 2, 2, 0.5). */
    private static final StochasticQuadraticSpec SPEC = StochasticQuadraticSpec.defaults(21);
    private static final StochasticQuadraticProblem PROBLEM = SPEC.problem();
    private static final ChebyshevReference REFERENCE = new ChebyshevReference(PROBLEM.mean());
    private static final double[] PREFERENCE = {0.65, 0.35};
    private static final int ROWS = 4;

    private static StochasticWcMhgdConfig config(StochasticQuadraticProblem problem, int batch, int iterations) {
        return StochasticWcMhgdConfig.defaults(problem, 5, 12, batch, 1.0, iterations, 0);
    }

    /**
     * Theorem 5.7's α and η with a larger β = 0.2 (the theorem's is ~0.07 here, and its bound is loose), so that
     * the convergence tests need few iterations; Q Neumann terms.
     */
    private static StochasticWcMhgdConfig quick(StochasticQuadraticProblem problem, int batch, int iterations,
                                                int neumannSteps) {
        StochasticWcMhgdConfig c = StochasticWcMhgdConfig.defaults(problem, 5, neumannSteps, batch, 1.0, iterations, 0);
        return new StochasticWcMhgdConfig(c.lowerIterations(), c.lowerStepSize(), 0.2, c.chebyshevWeight(),
                c.lowerBatchSize(), c.jacobianBatchSize(), c.upperBatchSize(), c.neumannSteps(), c.neumannStepSize(),
                c.neumannBatchScale(), c.lowerStrongConvexity(), c.maxIterations(), c.tolerance(), c.batchTimeout());
    }

    /** The distance from x_K to the exact WC solution, with the data of stream {@code stream} of the spec. */
    private static double distance(StochasticQuadraticSpec spec, StochasticWcMhgdConfig config, long stream, int rows) {
        StochasticQuadraticGenerator generator = spec.generator();
        GeneratedBatchSource source = new GeneratedBatchSource(
                (objective, index, n) -> generator.batch(objective, index + (stream << 32), n), spec.objectives(), rows);
        Solution solution = StochasticSolver.solve(spec.problem(), config, source, PREFERENCE, "t", RunListener.NONE);
        return Vectors.norm(solution.x().sub(REFERENCE.solve(PREFERENCE)));
    }

    @Test
    void withoutNoiseItReachesTheExactWeightedChebyshevSolution() {
        StochasticQuadraticSpec quiet = SPEC.withNoise(0, 0, 0, 0);
        double start = Vectors.norm(PROBLEM.initialUpper().sub(REFERENCE.solve(PREFERENCE)));
        double error = distance(quiet, quick(quiet.problem(), 1, 150, 20), 0, 1);
        assertThat(error).isLessThan(1e-3 * start);
    }

    @Test
    void theErrorToTheExactSolutionShrinksAsTheBatchesGrow() {
        double start = Vectors.norm(PROBLEM.initialUpper().sub(REFERENCE.solve(PREFERENCE)));
        double[] errors = new double[2];
        int[] batches = {4, 64};
        for (int i = 0; i < 2; i++) {
            double squared = 0;
            for (long stream = 0; stream < 2; stream++) {
                // minibatches of a quarter of the batch: each batch is assembled from four of them
                squared += Math.pow(distance(SPEC, quick(PROBLEM, batches[i], 50, 12), stream, batches[i] / 4), 2);
            }
            errors[i] = Math.sqrt(squared / 2);
        }
        // sixteen times the samples divide the variance by 16 and the error by about 4: ask for a factor 2
        assertThat(errors[1]).as("RMS error with batches of %s vs %s: %s", batches[1], batches[0], Arrays.toString(errors))
                .isLessThan(errors[0] / 2);
        assertThat(errors[1]).as("RMS error %s from a start at distance %s", errors[1], start).isLessThan(0.1 * start);
    }

    @Test
    void everyConsumedMinibatchIsAcknowledgedOnceAfterItsIterationAndOraclesCountSamples() {
        int iterations = 6;
        StochasticWcMhgdConfig config = config(PROBLEM, 8, iterations);
        GeneratedBatchSource source = GeneratedBatchSource.of(SPEC, ROWS);
        Solution solution = StochasticSolver.solve(PROBLEM, config, source, PREFERENCE, "t", RunListener.NONE);

        List<GeneratedBatchSource.Acknowledged> acks = source.acknowledged();
        assertThat(acks).extracting(GeneratedBatchSource.Acknowledged::iteration).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
        int hessianSamples = 0;
        int hessianMinibatches = 0;
        for (int size : config.hessianBatchSizes()) {
            int minibatches = (size + ROWS - 1) / ROWS;
            hessianMinibatches += minibatches;
            hessianSamples += minibatches * ROWS;
        }
        int lowerPerIteration = 5 * 2 + 2 + hessianMinibatches; // D·|𝒯|/4 + |𝒟_G|/4 + Σ⌈|ℬ_j|/4⌉
        List<String> all = new ArrayList<>();
        for (GeneratedBatchSource.Acknowledged ack : acks) {
            assertThat(ack.batchIds()).hasSize(lowerPerIteration + 2 * 2);
            all.addAll(ack.batchIds());
        }
        assertThat(all).doesNotHaveDuplicates();
        assertThat(source.delivered(Minibatch.LOWER)).isEqualTo(7L * lowerPerIteration);
        assertThat(source.delivered(0)).isEqualTo(14L);
        assertThat(source.delivered(1)).isEqualTo(14L);

        // one oracle call per sample: per iteration D·8 Gc(g), S·8 Gc(f) and JV(g), S·Σ|ℬ_j| HV(g)
        OracleCalls calls = solution.point().oracleCalls();
        assertThat(calls.lowerGradients()).isEqualTo(7L * 5 * 8);
        assertThat(calls.upperGradients()).isEqualTo(7L * 2 * 8);
        assertThat(calls.jacobianVectorProducts()).isEqualTo(7L * 2 * 8);
        assertThat(calls.hessianVectorProducts()).isEqualTo(7L * 2 * hessianSamples);
    }

    @Test
    void theSameBatchSequenceGivesTheSameRunBitForBit() {
        StochasticWcMhgdConfig config = config(PROBLEM, 8, 10);
        Solution first = StochasticSolver.solve(PROBLEM, config, GeneratedBatchSource.of(SPEC, ROWS), PREFERENCE, "t",
                RunListener.NONE);
        Solution second = StochasticSolver.solve(PROBLEM, config, GeneratedBatchSource.of(SPEC, ROWS), PREFERENCE, "t",
                RunListener.NONE);
        assertThat(second.point()).isEqualTo(first.point());
        assertThat(first.point().x()).isNotEqualTo(PROBLEM.mean().initialUpper().toDoubleVector());
    }

    @Test
    void aSourceThatDeliversNothingEndsTheRunWithADiagnostic() {
        StochasticWcMhgdConfig config = config(PROBLEM, 4, 3).withBatchTimeout(Duration.ofMillis(50));
        assertThatThrownBy(() -> StochasticSolver.solve(PROBLEM, config, ListBatchSource.empty(), PREFERENCE, "t",
                RunListener.NONE))
                .isInstanceOf(NoDataException.class)
                .hasMessageContaining("no lower-level minibatch arrived within PT0.05S at iteration 0")
                .hasMessageContaining("0 of the 4 samples");

        // lower-level data for one iteration, but none for the objectives
        ListBatchSource lowerOnly = ListBatchSource.empty();
        for (int i = 0; i < 200; i++) lowerOnly.add(SPEC.generator().lowerBatch(i, ROWS));
        assertThatThrownBy(() -> StochasticSolver.solve(PROBLEM, config, lowerOnly, PREFERENCE, "t", RunListener.NONE))
                .isInstanceOf(NoDataException.class).hasMessageContaining("no upper objective 0's minibatch");
        assertThat(lowerOnly.acknowledged()).isEmpty();
    }

    @Test
    void aMinibatchOfAnotherProblemIsRejectedByName() {
        ListBatchSource wrong = ListBatchSource.empty();
        wrong.add(Minibatch.of("foreign-7", Minibatch.LOWER, new double[][] {{1, 2, 3}}, null, new long[] {0}));
        assertThatThrownBy(() -> StochasticSolver.solve(PROBLEM, config(PROBLEM, 4, 3), wrong, PREFERENCE, "t",
                RunListener.NONE))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("minibatch foreign-7.featureDim");
    }

    @Test
    void theConfigurationFollowsTheorem57AndRejectsAnOversizedNeumannStep() {
        var s = PROBLEM.smoothness().orElseThrow();
        StochasticWcMhgdConfig config = config(PROBLEM, 8, 10);
        assertThat(config.lowerStepSize()).isEqualTo(2 / (s.lowerLipschitz() + s.lowerStrongConvexity()));
        assertThat(config.neumannStepSize()).isEqualTo(1 / s.lowerLipschitz());
        assertThat(config.upperStepSize()).isEqualTo(WcMhgdConfig.theoremUpperStep(s));
        assertThatThrownBy(() -> new StochasticWcMhgdConfig(5, 0.1, 0.1, 1, 4, 4, 4, 10, 2.0, 1, 0.5, 10, 0,
                Duration.ofSeconds(1))).isInstanceOf(InvalidInputException.class).hasMessageContaining("neumann-step-size");
        assertThatThrownBy(() -> config.withBatchSizes(0, 4, 4, 1)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("lower-batch-size");
    }

    @Test
    void anInteriorPreferenceIsUsed() {
        INDArray first = REFERENCE.weightedMinimiser(new double[] {1, 0});
        INDArray second = REFERENCE.weightedMinimiser(new double[] {0, 1});
        double low = PROBLEM.mean().objective(1, second) / PROBLEM.mean().objective(0, second);
        double high = PROBLEM.mean().objective(1, first) / PROBLEM.mean().objective(0, first);
        // r_1/r_2 strictly between the ratios: the WC solution is not one objective's own minimiser
        assertThat(PREFERENCE[0] / PREFERENCE[1]).isBetween(low, high);
    }
}
