package io.mobl.ops.cli;

import io.mobl.core.algorithm.AlgorithmPlan;
import io.mobl.core.algorithm.StepSizes;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.SynchronousSolver;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.protocol.ParetoPoint;
import com.typesafe.config.Config;
import io.mobl.actors.ActorRuntime;
import io.mobl.actors.AlgorithmSweepSpec;
import io.mobl.core.problem.CountingProblem;
import io.mobl.actors.RuntimeSettings;
import io.mobl.ops.metrics.MeteredExecutor;
import io.mobl.protocol.InvalidInputException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Solve a multi-objective bilevel problem for one preference or a sweep, print the Pareto points "
                + "and optionally write them as JSON lines.")
public final class RunCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ProblemOptions problem = new ProblemOptions();
    @Mixin AlgorithmOptions algorithm = new AlgorithmOptions();
    @Mixin PreferenceOptions preferences = new PreferenceOptions();
    @Mixin StochasticOptions stochastic = new StochasticOptions();

    @Option(names = "--out", description = "Write one JSON line per preference to this file.")
    Path out;

    @Option(names = "--runtime",
            description = "actors (Pekko: preferences in parallel, hypergradients concurrently) or sync (the plain reference loop). Default: ${DEFAULT-VALUE}.")
    String runtime;

    @Option(names = "--cluster", split = ",", paramLabel = "HOST:PORT",
            description = "Run the sweep on the mobl cluster of these seed nodes (members started with mobl node): each "
                    + "preference is a sharded coordinator on a member with the role coordinator, and one started again "
                    + "on another member when its member dies. This process joins while the sweep runs.")
    List<String> cluster;

    @Option(names = "--telemetry-out", description = "Write every iteration's telemetry as JSON lines to this file.")
    Path telemetryOut;

    @Option(names = "--metrics-port",
            description = "Prometheus scrape endpoint port on --metrics-host (/metrics, /health, /ready); 0 turns it off. Default: ${DEFAULT-VALUE}.")
    int metricsPort;

    @Option(names = "--metrics-host", description = "Address the endpoint binds to. Default: ${DEFAULT-VALUE}.")
    String metricsHost;

    @Option(names = "--run", description = "The run's name, used in keys and tags. Default: ${DEFAULT-VALUE}.")
    String run;

    @Option(names = "--checkpoint-every",
            description = "Checkpoint each preference's run before every N-th iteration and at the end (0: off), so that --resume can go on from it. Default: ${DEFAULT-VALUE}.")
    int checkpointEvery;

    @Option(names = "--checkpoint-dir",
            description = "Where the synchronous runtime keeps each run's checkpoints and history (DIR/RUN/PREFERENCE-INDEX/). Default: ${DEFAULT-VALUE}.")
    Path checkpointDir;

    @Option(names = "--resume", paramLabel = "RUN",
            description = "Go on from the newest checkpoints of the run RUN in --checkpoint-dir (give the same options as the run that wrote them; RUN names this run too): iterates, telemetry and points as if it had never stopped.")
    String resume;

    @Option(names = "--continuous",
            description = "Train on Kafka data as it arrives (stochastic WC-MHGD on the stochastic-quadratic problem of --seed, "
                    + "--upper-dim, --lower-dim, --objectives, --noise), until a control-topic stop or Ctrl-C; --iterations and "
                    + "--tolerance do not apply. See also --produce.")
    boolean continuous;

    @Mixin KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--pareto-every", description = "With --continuous: publish the current Pareto point every N iterations. Default: ${DEFAULT-VALUE}.")
    int paretoEvery;

    @Option(names = "--produce", description = "With --continuous: also produce the synthetic data in-process, at --rate.")
    boolean produce;

    @Option(names = "--rate", description = "With --produce: minibatches per second. Default: ${DEFAULT-VALUE}.")
    double rate;

    /** This run's checkpoint settings, settled when it starts. */
    RunCheckpoints checkpoints;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        if (continuous) return continuous(stdout); // checkpoints on mobl.checkpoints, resumed by a restart
        checkpoints = RunCheckpoints.of(Main.config(spec.commandLine()).checkpoints(), run, resume);
        run = checkpoints.run();
        if (problem.stochastic()) return StochasticRun.call(this, stdout);
        BilevelProblem built = problem.build();
        if (cluster != null && !cluster.isEmpty()) return onCluster(stdout, built);
        if (!algorithm.name().equals("wc-mhgd")) return runIterative(stdout, built);
        StepSizes.Derived<WcMhgdConfig> derived = algorithm.wcMhgd(built, StepSizes.of(built));
        WcMhgdConfig config = derived.config();
        List<double[]> prefs = preferences.build(built.objectiveCount());
        stdout.printf("mobl run: %s, p=%d q=%d S=%d, wc-mhgd/%s, %s runtime, D=%d α=%.4g β=%.4g u=%.4g, K=%d ε=%.1e, %d preference(s)%n",
                problem.describe(), built.upperDimension(), built.lowerDimension(), built.objectiveCount(),
                config.hypergradient().name(), runtime, config.lowerIterations(), config.lowerStepSize(), config.upperStepSize(),
                config.chebyshevWeight(), config.maxIterations(), config.tolerance(), prefs.size());
        stdout.printf("steps: %s%n", derived.describe());
        if (checkpoints.active()) stdout.printf("%s%n", checkpoints.describe());
        List<ParetoPoint> points;
        try (RunReporting reporting = RunReporting.forRun(Main.config(spec.commandLine()), run, metricsHost, metricsPort,
                prefs.size(), config.maxIterations(), telemetryOut != null)) {
            reporting.printHeader(stdout);
            points = switch (runtime) {
                case "sync" -> SynchronousSolver.sweep(built, config, prefs, run, reporting, derived.steps(),
                        checkpoints.journals(), checkpoints.every()).stream().map(Solution::point).toList();
                case "actors" -> {
                    Config pekko = MeteredExecutor.meter(ConfigDefaults.of(spec.commandLine()).config().effective(),
                            "pekko.actor.default-dispatcher", RuntimeSettings.MATH_DISPATCHER);
                    try (ActorRuntime actors = new ActorRuntime(pekko)) {
                        if (!checkpoints.active()) {
                            yield actors.sweep(built, config, prefs, run, reporting).points().toCompletableFuture().get();
                        }
                        // durable: WC-MHGD as steps of the step coordinator, the checkpoints those of the sync loop
                        yield actors.sweep(AlgorithmSweepSpec.of(i -> new AlgorithmSweepSpec.Part(
                                        new io.mobl.core.algorithm.WcMhgdAlgorithm(new CountingProblem(built), config), null,
                                        derived.steps().isEmpty() ? null : io.mobl.core.algorithm.DivergenceGuard.of("wc-mhgd", derived.steps())),
                                        prefs, config.maxIterations(), run, reporting)
                                .withUntil(config::finished).withCheckpointing(actorCheckpointing()))
                                .points().toCompletableFuture().get();
                    }
                }
                default -> throw new InvalidInputException("--runtime", runtime, "one of actors, sync");
            };
            if (telemetryOut != null) reporting.writeTelemetry(telemetryOut);
        }
        ParetoTable.print(stdout, points);
        if (out != null) {
            io.mobl.protocol.codec.ParetoPointJsonLines.write(out, points);
            stdout.println("wrote " + points.size() + " point(s) to " + out);
        }
        return 0;
    }

    /**
     * The actor runtime's side of {@link #checkpoints}: the same file journals as the synchronous loop's, so a run
     * checkpointed on one runtime resumes on the other.
     */
    io.mobl.actors.Checkpointing actorCheckpointing() {
        return checkpoints.active() ? new io.mobl.actors.Checkpointing(checkpoints.journals(), checkpoints.every())
                : io.mobl.actors.Checkpointing.NONE;
    }

    private int continuous(PrintWriter stdout) throws Exception {
        io.mobl.core.stochastic.StochasticQuadraticSpec data = stochastic.spec(problem.seed, problem.upperDimension,
                problem.lowerDimension, problem.objectives);
        io.mobl.core.stochastic.StochasticQuadraticProblem built = data.problem();
        io.mobl.core.algorithm.StochasticWcMhgdConfig config = stochastic.build(built, algorithm)
                .withBatchTimeout(kafka.batchTimeout()).untilStopped();
        List<double[]> prefs = preferences.build(built.objectiveCount(), 1);
        if (prefs.size() != 1) throw new InvalidInputException("--sweep", prefs.size(), "one preference with --continuous (--preference r)");
        return ContinuousRun.run(stdout, kafka.bootstrapServers, Main.config(spec.commandLine()).topicsFor(run), data, config, stochastic.minibatchRows,
                new ContinuousRun.Settings(run, prefs.get(0), paretoEvery, produce, rate, metricsHost, metricsPort,
                        checkpointEvery));
    }

    /** {@code --cluster}: the sweep's preferences as sharded coordinators ({@link ClusterRun}). */
    private Integer onCluster(PrintWriter stdout, BilevelProblem built) throws Exception {
        List<String> words = spec.commandLine().getParseResult().originalArgs();
        List<String> args = new java.util.ArrayList<>(words);
        args.remove("run"); // the subcommand's name; mobl's own options (--config, --set) may stand before it
        List<ParetoPoint> points = ClusterRun.run(this, stdout, built, args);
        ParetoTable.print(stdout, points);
        if (out != null) {
            io.mobl.protocol.codec.ParetoPointJsonLines.write(out, points);
            stdout.println("wrote " + points.size() + " point(s) to " + out);
        }
        return 0;
    }

    /**
     * The algorithms other than WC-MHGD: on the plain synchronous loop ({@link io.mobl.core.algorithm.IterativeRun}),
     * one preference after the other, or on the actor runtime, every preference at once as steps of its own
     * coordinator; the same points either way, bit for bit.
     */
    private Integer runIterative(PrintWriter stdout, BilevelProblem built) throws Exception {
        List<double[]> prefs = preferences.build(built.objectiveCount());
        AlgorithmPlan plan = algorithm.plan(algorithm.name(), built, StepSizes.of(built)); // checks, then the steps
        int iterations = algorithm.iterations();
        stdout.printf("mobl run: %s, p=%d q=%d S=%d, %s, %s runtime, K=%d, %d preference(s)%n",
                problem.describe(), built.upperDimension(), built.lowerDimension(), built.objectiveCount(),
                algorithm.name(), runtime, iterations, prefs.size());
        stdout.printf("steps: %s%n", plan.describeSteps());
        if (checkpoints.active()) stdout.printf("%s%n", checkpoints.describe());
        List<ParetoPoint> points = new java.util.ArrayList<>();
        try (RunReporting reporting = RunReporting.forRun(Main.config(spec.commandLine()), run, metricsHost, metricsPort,
                prefs.size(), iterations, telemetryOut != null)) {
            reporting.printHeader(stdout);
            switch (runtime) {
                case "sync" -> {
                    io.mobl.core.checkpoint.RunJournal.Factory journals = checkpoints.journals();
                    for (int i = 0; i < prefs.size(); i++) {
                        try (io.mobl.core.checkpoint.RunJournal journal = journals.open(run, i)) {
                            points.add(plan.solve(built, prefs.get(i), iterations, reporting,
                                    new io.mobl.core.algorithm.Durability(journal, checkpoints.every(), run, i,
                                            io.mobl.core.algorithm.Durability.NO_SOURCE)));
                        }
                    }
                }
                case "actors" -> {
                    Config pekko = MeteredExecutor.meter(ConfigDefaults.of(spec.commandLine()).config().effective(),
                            "pekko.actor.default-dispatcher", RuntimeSettings.MATH_DISPATCHER);
                    try (ActorRuntime actors = new ActorRuntime(pekko)) {
                        points = actors.sweep(AlgorithmSweepSpec.of(i -> new AlgorithmSweepSpec.Part(
                                        plan.on(new CountingProblem(built)), null, plan.guard()), prefs, iterations, run,
                                reporting).withCheckpointing(actorCheckpointing())).points().toCompletableFuture().get();
                    }
                }
                default -> throw new InvalidInputException("--runtime", runtime, "one of actors, sync");
            }
            if (telemetryOut != null) reporting.writeTelemetry(telemetryOut);
        }
        ParetoTable.print(stdout, points);
        if (out != null) {
            io.mobl.protocol.codec.ParetoPointJsonLines.write(out, points);
            stdout.println("wrote " + points.size() + " point(s) to " + out);
        }
        return 0;
    }
}
