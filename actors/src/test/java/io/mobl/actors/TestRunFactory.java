package io.mobl.actors;

import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.WcMhgdAlgorithm;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.algorithm.baseline.HypergradientDescent;
import io.mobl.core.algorithm.baseline.HypergradientDescentConfig;
import io.mobl.core.algorithm.forum.Forum;
import io.mobl.core.algorithm.forum.ForumConfig;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.CountingProblem;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import io.mobl.protocol.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The tests' {@link RunFactory}: {@code args} = {@code [algorithm, slow-ms]} on the small dense quadratic problem;
 * wc-mhgd, forum or moml, each preference on its own counting problem. {@code slow-ms} > 0 sleeps that long in
 * every upper-level evaluation, so that a run lasts long enough for a member to die in its middle.
 */
final class TestRunFactory implements RunFactory {
    static final BilevelProblem PROBLEM = QuadraticProblems.dense(5, 4, 5, 2, 3, 1.0);
    static final List<String> ALGORITHMS = List.of("wc-mhgd", "forum", "moml");

    /** How often each entity's run was built here: more than once where a member died and it started again. */
    final java.util.Map<String, Integer> builds = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public AlgorithmSweepSpec.Part part(RunSpec spec) {
        builds.merge(spec.entityId(), 1, Integer::sum);
        String name = spec.args().get(0);
        long slow = Long.parseLong(spec.args().get(1));
        BilevelProblem problem = slow == 0 ? PROBLEM : new DelegatingProblem(PROBLEM) {
            @Override
            public UpperEvaluation upper(int objective, INDArray x, INDArray y) {
                try {
                    Thread.sleep(slow);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return delegate.upper(objective, x, y);
            }
        };
        return AlgorithmSweepSpec.Part.of(algorithm(name, new CountingProblem(problem), spec.iterations()));
    }

    static IterativeAlgorithm<?> algorithm(String name, BilevelProblem problem, int iterations) {
        return switch (name) {
            case "wc-mhgd" -> new WcMhgdAlgorithm(problem,
                    WcMhgdConfig.defaults(PROBLEM, new ConjugateGradient(5), 5, 1.0, iterations, 0));
            case "forum" -> new Forum(problem, ForumConfig.of(10, 0.2, 0.05, 0.1));
            case "moml" -> new HypergradientDescent(problem, HypergradientDescentConfig.moml(10, 0.2, 0.05));
            default -> throw new InvalidInputException("algorithm", name, "one of " + ALGORITHMS);
        };
    }

    /** {@code count} preferences of the sweep {@code run}, the algorithms taking turns (or all {@code only}). */
    static List<RunSpec> specs(String run, int count, String only, long slowMs, int iterations, int checkpointEvery) {
        List<RunSpec> specs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            double r = (i + 1.0) / (count + 1);
            String name = only != null ? only : ALGORITHMS.get(i % ALGORITHMS.size());
            specs.add(new RunSpec(run, i, List.of(name, Long.toString(slowMs)), new double[] {r, 1 - r}, iterations,
                    checkpointEvery));
        }
        return specs;
    }

    /** The same preferences on one node's {@link ActorRuntime}, without a cluster: the points to match. */
    static List<io.mobl.protocol.ParetoPoint> singleNode(List<RunSpec> specs) throws Exception {
        RunFactory factory = new TestRunFactory();
        AlgorithmSweepSpec sweep = new AlgorithmSweepSpec(specs.stream().map(factory::part).toList(),
                specs.stream().map(RunSpec::preference).toList(), AlgorithmSweepSpec.Until.iterations(
                specs.get(0).iterations()), specs.get(0).run(), io.mobl.core.algorithm.RunListener.NONE,
                Checkpointing.NONE, 0, AlgorithmSweepSpec.StepObserver.NONE);
        try (ActorRuntime runtime = new ActorRuntime(
                new RuntimeSettings(java.time.Duration.ofSeconds(30), 3, java.time.Duration.ofMillis(5),
                        java.time.Duration.ofMinutes(5), java.time.Duration.ofSeconds(1)))) {
            return runtime.sweep(sweep).points().toCompletableFuture().get(120, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
