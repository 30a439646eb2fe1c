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

    /**
     * What decides which of run's options apply: {@code --continuous}, a stochastic problem (stochastic WC-MHGD), or
     * else the deterministic algorithm; the runtime; the hypergradient method; whether the run keeps checkpoints,
     * produces its own data, serves metrics.
     */
    record RunPath(boolean continuous, boolean stochastic, String algorithm, String runtime, boolean cg,
                boolean firstOrder, boolean checkpoints, boolean resumesAnother, boolean produce, boolean metrics) {
        /** A deterministic problem solved by {@code mobl run} itself (not continuous, not stochastic). */
        boolean deterministic() {
            return !continuous && !stochastic;
        }

        /** The algorithm that runs: stochastic WC-MHGD on a stochastic problem or with --continuous. */
        String runs() {
            return deterministic() ? algorithm : "wc-mhgd";
        }

        boolean penalty() {
            return runs().startsWith("wc-penalty");
        }

        /** Whether the algorithm solves for a preference (so that a sweep runs different problems). */
        boolean preference() {
            return AlgorithmOptions.TAKES_PREFERENCE.contains(runs());
        }

        /** Whether the algorithm takes its hypergradient method from --hypergradient. */
        boolean hypergradient() {
            return deterministic() && AlgorithmOptions.TAKES_HYPERGRADIENT.contains(algorithm);
        }
    }

    private static final String TAKES_PREFERENCE = "with --algorithm " + String.join(", ", AlgorithmOptions.TAKES_PREFERENCE)
            + " (forum, moml, moco and mgda find the same point whatever the preference: their run has one)";
    private static final String DETERMINISTIC = "with a deterministic --problem, without --continuous";
    private static final String STOCHASTIC = "with --problem stochastic-quadratic or --continuous (stochastic WC-MHGD)";

    /** Where each of run's options applies; given anywhere else it is refused (exit 2), never ignored. */
    static final OptionRules<RunPath> RULES = OptionRules.of(
            OptionRules.rule("--problem", p -> !p.continuous() || p.stochastic(),
                    "as stochastic-quadratic with --continuous (which trains that problem)"),
            OptionRules.rule("--problem-file", RunPath::deterministic, DETERMINISTIC),
            OptionRules.rule("--cluster", RunPath::deterministic, DETERMINISTIC),
            OptionRules.rule("--oracles", p -> p.deterministic() && (!p.firstOrder() || AlgorithmOptions.oraclesOf(
                            p.algorithm()).equals(java.util.EnumSet.of(io.mobl.core.problem.Oracle.UPPER_GRADIENT,
                            io.mobl.core.problem.Oracle.LOWER_GRADIENT))),
                    "as first-order with --algorithm forum (the others call the JV(g)/HV(g) oracles it hides), "
                            + DETERMINISTIC),
            OptionRules.rule("--algorithm", p -> p.deterministic() || p.algorithm().equals("wc-mhgd"),
                    "as wc-mhgd " + STOCHASTIC),
            OptionRules.rule("--hypergradient", RunPath::hypergradient,
                    "with --algorithm " + String.join(", ", AlgorithmOptions.TAKES_HYPERGRADIENT) + " on a deterministic problem"),
            OptionRules.rule("--cg-steps", p -> p.hypergradient() && p.cg(),
                    "with --hypergradient cg and --algorithm " + String.join(", ", AlgorithmOptions.TAKES_HYPERGRADIENT)),
            OptionRules.rule("--iterations", p -> !p.continuous(), "without --continuous (which runs until stopped)"),
            OptionRules.rule("--tolerance", p -> !p.continuous() && p.runs().equals("wc-mhgd"),
                    "with --algorithm wc-mhgd (or a stochastic problem), without --continuous"),
            OptionRules.rule("--lower-iterations", p -> !p.penalty(), "with algorithms other than wc-penalty(-stochastic)"),
            OptionRules.rule("--lower-step-size", p -> !p.penalty(), "with algorithms other than wc-penalty(-stochastic)"),
            OptionRules.rule("--upper-step-size", p -> !p.penalty(), "with algorithms other than wc-penalty(-stochastic)"),
            OptionRules.rule("--chebyshev-weight", p -> p.runs().equals("wc-mhgd"), "with --algorithm wc-mhgd"),
            OptionRules.rule("--rho", p -> p.runs().equals("forum"), "with --algorithm forum"),
            OptionRules.rule("--penalty-step", RunPath::penalty, "with --algorithm wc-penalty or wc-penalty-stochastic"),
            OptionRules.rule("--penalty-scale", RunPath::penalty, "with --algorithm wc-penalty or wc-penalty-stochastic"),
            OptionRules.rule("--penalty-batch", p -> p.runs().equals("wc-penalty-stochastic"),
                    "with --algorithm wc-penalty-stochastic"),
            OptionRules.rule("--penalty-seed", p -> p.runs().equals("wc-penalty-stochastic"),
                    "with --algorithm wc-penalty-stochastic"),
            OptionRules.rule("--preference", RunPath::preference, TAKES_PREFERENCE),
            OptionRules.rule("--sweep", RunPath::preference, TAKES_PREFERENCE),
            OptionRules.rule("--batch-size", p -> !p.deterministic(), STOCHASTIC),
            OptionRules.rule("--neumann-steps", p -> !p.deterministic(), STOCHASTIC),
            OptionRules.rule("--noise", p -> !p.deterministic(), STOCHASTIC),
            OptionRules.rule("--minibatch-rows", p -> p.continuous() ? p.produce() : p.stochastic(),
                    "with --problem stochastic-quadratic, or --continuous --produce (the in-process producer's)"),
            OptionRules.rule("--runtime", p -> !p.continuous() || p.runtime().equals("actors"),
                    "as actors with --continuous (which runs on the actor runtime)"),
            OptionRules.rule("--out", p -> !p.continuous(), "without --continuous"),
            OptionRules.rule("--telemetry-out", p -> !p.continuous(),
                    "without --continuous (whose telemetry goes to the run's telemetry topic)"),
            OptionRules.rule("--metrics-host", RunPath::metrics, "with the endpoint on (--metrics-port other than 0)"),
            OptionRules.rule("--checkpoint-dir", p -> !p.continuous() && p.checkpoints(),
                    "with --checkpoint-every or --resume, without --continuous (which checkpoints to Kafka)"),
            OptionRules.rule("--run", p -> !p.resumesAnother(), "as the same RUN as --resume's, which names the run"),
            OptionRules.rule("--resume", p -> !p.continuous(),
                    "without --continuous (start the same --continuous command again to resume it)"),
            OptionRules.rule("--pareto-every", RunPath::continuous, "with --continuous"),
            OptionRules.rule("--produce", RunPath::continuous, "with --continuous"),
            OptionRules.rule("--rate", p -> p.continuous() && p.produce(), "with --continuous --produce"),
            OptionRules.rule("--batch-timeout", RunPath::continuous,
                    "with --continuous (the other runs read in-memory data that never waits)"));

    /** This run's path, from its options as the configuration resolved them. */
    RunPath path() {
        io.mobl.ops.config.MoblConfig config = Main.config(spec.commandLine());
        return new RunPath(continuous, problem.stochastic(), algorithm.name(), runtime,
                config.algorithm().hypergradient() == io.mobl.ops.config.MoblConfig.HypergradientMethod.CG,
                config.problem().oracles() == io.mobl.ops.config.MoblConfig.OracleSet.FIRST_ORDER,
                config.checkpoints().every() > 0 || resume != null,
                resume != null && !resume.equals(run), produce, metricsPort != 0);
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        RULES.check(spec, path());
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
        // one point where the preference changes nothing, not a sweep of copies
        List<double[]> prefs = AlgorithmOptions.TAKES_PREFERENCE.contains(algorithm.name())
                ? preferences.build(built.objectiveCount()) : preferences.build(built.objectiveCount(), 1);
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
