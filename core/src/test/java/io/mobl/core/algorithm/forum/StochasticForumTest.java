package io.mobl.core.algorithm.forum;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.data.HyperCleaningSplit;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.model.MultiHeadNetwork;
import io.mobl.core.problem.hypercleaning.HyperCleaningProblem;
import io.mobl.core.problem.hypercleaning.SampleWeightHyperCleaningProblem;
import io.mobl.core.problem.hypercleaning.SampleWeightSamples;
import io.mobl.core.problem.hypercleaning.SyntheticImages;
import io.mobl.core.stochastic.CountingStochasticProblem;
import io.mobl.core.stochastic.GeneratedBatchSource;
import io.mobl.protocol.Minibatch;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class StochasticForumTest {
    /** Two tasks, N_1 = 60 and N_2 = 90 noisy training images (N = 150), 40 clean validation images each. */
    static List<HyperCleaningSplit> splits() {
        return List.of(
                HyperCleaningSplit.of(SyntheticImages.clusters("a", 200, 12, 4, 0.25, 3),
                        new HyperCleaningSplit.Sizes(60, 40, 0, 40, 0.5), 11),
                HyperCleaningSplit.of(SyntheticImages.clusters("b", 200, 12, 4, 0.35, 4),
                        new HyperCleaningSplit.Sizes(90, 40, 0, 40, 0.5), 12));
    }

    static HyperCleaningProblem deterministic() {
        return HyperCleaningProblem.of(new MultiHeadNetwork(12, new int[] {6}, 4, 2), List.of("a", "b"), splits(),
                2e-3, 5);
    }

    /**
     * Minibatches of 10 rows: a lower batch of 150 rows is 15 of them, which start at a multiple of N = 150 and so
     * are exactly one seeded epoch, the whole training set; an upper batch of 40 is the whole validation set.
     */
    static GeneratedBatchSource wholeSets(long seed) {
        return new GeneratedBatchSource(SampleWeightSamples.of(splits(), seed), 2, 10);
    }

    @Test
    void onWholeSetBatchesEveryStepIsTheDeterministicForumStepInEitherMetric() {
        HyperCleaningProblem det = deterministic();
        for (ForumConfig.Metric metric : ForumConfig.Metric.values()) {
            ForumConfig config = new ForumConfig(3, 0.3, 40, 0.5, 0.5, 0.75, false, metric);
            Forum forum = new Forum(det, config);
            StochasticForum stochastic = new StochasticForum(SampleWeightHyperCleaningProblem.of(det), wholeSets(9),
                    new StochasticForumConfig(config, 150, 150, 40, Duration.ofSeconds(1)));
            INDArray x0 = Vectors.of(new double[150]).addi(0.3);
            Forum.State a = forum.initialState(new double[] {0.5, 0.5}, x0);
            Forum.State b = stochastic.initialState(new double[] {0.5, 0.5}, x0);
            for (int k = 0; k < 4; k++) {
                IterativeAlgorithm.Step<Forum.State> sa = forum.step(a);
                IterativeAlgorithm.Step<Forum.State> sb = stochastic.step(b);
                // the oracles: q̃ and the objectives at z_k; the QP and momentum: λ̃^k and 𝒦; the update: z_{k+1}
                assertThat(sb.report().feasibility()).as(metric + " q̃ at k = " + k)
                        .isCloseTo(sa.report().feasibility(), org.assertj.core.data.Offset.offset(1e-10));
                for (int i = 0; i < 2; i++) {
                    assertThat(sb.report().objectives()[i]).isCloseTo(sa.report().objectives()[i],
                            org.assertj.core.data.Offset.offset(1e-10));
                    assertThat(sb.report().weights()[i]).isCloseTo(sa.report().weights()[i],
                            org.assertj.core.data.Offset.offset(1e-10));
                }
                assertThat(sb.report().measure()).isCloseTo(sa.report().measure(),
                        org.assertj.core.data.Offset.offset(1e-10 * Math.max(1, sa.report().measure())));
                a = sa.next();
                b = sb.next();
                assertThat(Vectors.norm(b.x().sub(a.x()))).isLessThan(1e-10 * Math.max(1, Vectors.norm(a.x())));
                assertThat(Vectors.norm(b.y().sub(a.y()))).isLessThan(1e-10 * Math.max(1, Vectors.norm(a.y())));
                // T + 1 whole training sets, then one validation set per objective, in that order
                List<Minibatch> used = sb.used();
                assertThat(used).hasSize(4 * 15 + 2 * 4);
                assertThat(used.subList(0, 60)).allMatch(m -> m.objective() == Minibatch.LOWER);
                assertThat(used.subList(60, 64)).allMatch(m -> m.objective() == 0);
                assertThat(used.subList(64, 68)).allMatch(m -> m.objective() == 1);
            }
            // the weights moved: a test of a step that does nothing would pass the comparisons above
            assertThat(Vectors.norm(b.x().sub(x0))).isGreaterThan(1e-6);
        }
    }

    @Test
    void theSameBatchSequenceGivesTheSameIteratesAndCountsOnlyFirstOrderOracles() {
        HyperCleaningProblem det = deterministic();
        StochasticForumConfig config = new StochasticForumConfig(ForumConfig.of(4, 0.3, 10, 0.3, 0.5), 20, 30, 10,
                Duration.ofSeconds(1));
        INDArray[] last = new INDArray[2];
        for (int run = 0; run < 2; run++) {
            CountingStochasticProblem counted = new CountingStochasticProblem(SampleWeightHyperCleaningProblem.of(det));
            StochasticForum forum = new StochasticForum(counted, wholeSets(5), config);
            Forum.State state = forum.initialState(new double[] {0.5, 0.5}, counted.initialUpper());
            for (int k = 0; k < 3; k++) state = forum.step(state).next();
            last[run] = state.y();
            // per step: T·20 + 30 (∇_y G) + 2·30 (∇_x G at y_k and ỹ^T) lower samples, 2·10 upper samples
            assertThat(counted.calls().lowerGradients()).isEqualTo(3L * (4 * 20 + 30 + 2 * 30));
            assertThat(counted.calls().upperGradients()).isEqualTo(3L * 2 * 10);
            assertThat(counted.calls().hessianVectorProducts()).isZero();
            assertThat(counted.calls().jacobianVectorProducts()).isZero();
            assertThat(forum.problem().upperDimension()).isEqualTo(150);
        }
        assertThat(Vectors.norm(last[0].sub(last[1]))).isZero();
    }

    @Test
    void theSynchronousLoopAcknowledgesEachStepsBatchesToTheSourceInOrder() {
        HyperCleaningProblem det = deterministic();
        GeneratedBatchSource source = wholeSets(3);
        CountingStochasticProblem counted = new CountingStochasticProblem(SampleWeightHyperCleaningProblem.of(det));
        StochasticForum forum = new StochasticForum(counted, source, new StochasticForumConfig(
                ForumConfig.of(2, 0.3, 10, 0.3, 0.5), 20, 30, 10, Duration.ofSeconds(1)));
        io.mobl.core.algorithm.IterativeRun.Outcome outcome = io.mobl.core.algorithm.IterativeRun.runAcknowledging(forum,
                forum.initialState(new double[] {0.5, 0.5}, counted.initialUpper()), 2, r -> { }, source);
        List<GeneratedBatchSource.Acknowledged> acks = source.acknowledged();
        assertThat(acks).extracting(GeneratedBatchSource.Acknowledged::iteration).containsExactly(0L, 1L, 2L);
        // per step 2·2 + 3 lower minibatches of 10 rows, then one of each objective: the first step's come first
        assertThat(acks.get(0).batchIds()).hasSize(9).startsWith("train-0", "train-1");
        assertThat(acks.get(1).batchIds().get(0)).isEqualTo("train-7");
        assertThat(outcome.calls().lowerGradients()).isEqualTo(3L * (2 * 20 + 30 + 2 * 30));
    }
}
