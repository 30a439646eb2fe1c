package io.mobl.ops.cli;

import io.mobl.actors.ActorRuntime;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.StochasticSolver;
import io.mobl.core.algorithm.StepSizes;
import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.stochastic.SampledView;
import io.mobl.core.stochastic.GeneratedBatchSource;
import io.mobl.core.stochastic.StochasticQuadraticProblem;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.ParetoPoint;
import java.io.PrintWriter;
import java.util.List;

/**
 * {@code mobl run --problem stochastic-quadratic}: stochastic WC-MHGD (Alg. 2/3) on the built-in stochastic
 * quadratic problem, fed by an in-memory source of its seeded minibatches (every preference reads its own copy of
 * the same stream), on the actors or the synchronous loop. Kafka-fed runs are the streams module's.
 */
final class StochasticRun {
    private StochasticRun() {}

    static int call(RunCommand command, PrintWriter stdout) throws Exception {
        ProblemOptions p = command.problem;
        StochasticOptions options = command.stochastic;
        StochasticQuadraticSpec spec = options.spec(p.seed, p.upperDimension, p.lowerDimension, p.objectives);
        StochasticQuadraticProblem problem = spec.problem();
        StepSizes.Derived<StochasticWcMhgdConfig> derived = options.derive(problem,
                () -> SampledView.of(problem, GeneratedBatchSource.of(spec, options.minibatchRows), options.batchSize,
                        StochasticWcMhgdConfig.DEFAULT_BATCH_TIMEOUT));
        StochasticWcMhgdConfig config = derived.config();
        List<double[]> prefs = command.preferences.build(problem.objectiveCount());
        stdout.printf("mobl run: %s, p=%d q=%d S=%d, stochastic wc-mhgd (Alg. 2/3), %s runtime, D=%d α=%.4g β=%.4g η=%.4g"
                        + " u=%.4g, batches %d (minibatches of %d), Q=%d, K=%d, %d preference(s)%n",
                p.describe(), problem.upperDimension(), problem.lowerDimension(), problem.objectiveCount(),
                command.runtime, config.lowerIterations(), config.lowerStepSize(), config.upperStepSize(),
                config.neumannStepSize(), config.chebyshevWeight(), config.lowerBatchSize(), options.minibatchRows,
                config.neumannSteps(), config.maxIterations(), prefs.size());
        stdout.printf("steps: %s%n", derived.describe());
        if (command.checkpoints.active()) stdout.printf("%s%n", command.checkpoints.describe());
        List<ParetoPoint> points;
        try (RunReporting reporting = RunReporting.forRun(Main.config(command.spec.commandLine()), command.run,
                command.metricsHost, command.metricsPort, prefs.size(), config.maxIterations(), command.telemetryOut != null)) {
            reporting.printHeader(stdout);
            points = switch (command.runtime) {
                case "sync" -> StochasticSolver.sweep(problem, config, prefs,
                                i -> GeneratedBatchSource.of(spec, options.minibatchRows), command.run, reporting,
                                derived.steps(), command.checkpoints.journals(), command.checkpoints.every())
                        .stream().map(Solution::point).toList();
                case "actors" -> {
                    try (ActorRuntime actors = new ActorRuntime()) {
                        if (!command.checkpoints.active()) {
                            yield actors.sweep(problem, config, prefs, i -> GeneratedBatchSource.of(spec, options.minibatchRows),
                                    command.run, reporting).points().toCompletableFuture().get();
                        }
                        // durable: stochastic WC-MHGD as steps of the step coordinator, each preference's source resumed
                        // at its checkpoint's positions
                        yield actors.sweep(io.mobl.actors.AlgorithmSweepSpec.of(i -> {
                                    var source = GeneratedBatchSource.of(spec, options.minibatchRows);
                                    return new io.mobl.actors.AlgorithmSweepSpec.Part(new io.mobl.core.algorithm.StochasticWcMhgdAlgorithm(
                                            new io.mobl.core.stochastic.CountingStochasticProblem(problem), config, source), source,
                                            derived.steps().isEmpty() ? null : io.mobl.core.algorithm.DivergenceGuard.of("stochastic wc-mhgd", derived.steps()));
                                }, prefs, config.maxIterations(), command.run, reporting)
                                .withUntil(config::finished).withCheckpointing(command.actorCheckpointing()))
                                .points().toCompletableFuture().get();
                    }
                }
                default -> throw new InvalidInputException("--runtime", command.runtime, "one of actors, sync");
            };
            if (command.telemetryOut != null) reporting.writeTelemetry(command.telemetryOut);
        }
        ParetoTable.print(stdout, points);
        if (command.out != null) {
            io.mobl.protocol.codec.ParetoPointJsonLines.write(command.out, points);
            stdout.println("wrote " + points.size() + " point(s) to " + command.out);
        }
        return 0;
    }
}
