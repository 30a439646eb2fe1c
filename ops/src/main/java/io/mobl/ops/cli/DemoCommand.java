package io.mobl.ops.cli;

import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.algorithm.SynchronousSolver;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.linalg.Vectors;
import io.mobl.core.metrics.PreferenceGrid;
import io.mobl.core.problem.quadratic.QuadraticProblem;
import io.mobl.core.stochastic.StochasticQuadraticProblem;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.mobl.streams.kafka.GeneratedStream;
import io.mobl.streams.kafka.MinibatchProducer;
import io.mobl.streams.kafka.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The streaming demo: an embedded Kafka broker, the stochastic quadratic problem's data produced "
                + "into it, a preference sweep of stochastic WC-MHGD (Alg. 2/3) fed from Kafka, the Pareto front as a "
                + "table next to the exact answer, and where the telemetry and Pareto topics are.")
public final class DemoCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin KafkaOptions kafka = new KafkaOptions();
    @Mixin StreamOptions stream = new StreamOptions();

    @Option(names = "--seed", description = "Seed of the problem and its data. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--sweep", description = "Preferences over the simplex. Default: ${DEFAULT-VALUE}.")
    int sweep;

    @Option(names = "--iterations", description = "K, outer iterations per preference. Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Option(names = "--run", description = "The run's name (topics mobl.<run>.lower/upper). Default: ${DEFAULT-VALUE}.")
    String run;

    @Option(names = "--metrics-port",
            description = "Prometheus scrape endpoint port on --metrics-host (/metrics, /health, /ready) while the demo runs; "
                    + "0 turns it off, -1 binds any free port. Default: ${DEFAULT-VALUE}.")
    int metricsPort;

    @Option(names = "--metrics-host", description = "Address the endpoint binds to. Default: ${DEFAULT-VALUE}.")
    String metricsHost;

    @Option(names = "--out", description = "Also write what the demo prints as JSON to this file: the sweep's minibatches, "
            + "time and wait, its Pareto points, and each preference's exact point and distance to it.")
    java.nio.file.Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        StochasticQuadraticSpec data = stream.spec(seed);
        StochasticQuadraticProblem problem = data.problem();
        StochasticWcMhgdConfig config = stream.config(problem, iterations, kafka.batchTimeout());
        GeneratedStream.PerIteration per = GeneratedStream.perIteration(config, stream.rows);
        out.printf(Locale.ROOT, "mobl demo: stochastic WC-MHGD (Alg. 2/3) on Kafka minibatches of the stochastic quadratic problem "
                        + "(p=%d q=%d S=%d, seed %d), %d preferences, K=%d, D=%d, Q=%d, batches of %d samples%n",
                problem.upperDimension(), problem.lowerDimension(), problem.objectiveCount(), seed, sweep, iterations,
                config.lowerIterations(), config.neumannSteps(), config.lowerBatchSize());
        out.flush();
        List<double[]> preferences = List.of(PreferenceGrid.of(problem.objectiveCount(), sweep));
        try (StreamingSession session = StreamingSession.open(kafka.bootstrapServers, Main.config(spec.commandLine()).topicsFor(run), 2, out);
             RunReporting reporting = new RunReporting(metricsHost, metricsPort, preferences.size(), iterations, false)) {
            reporting.server().ifPresent(s -> out.printf("metrics: http://%s:%d/metrics%n", s.host(), s.port()));
            // 1. the data: enough for K+1 iterations of one preference (each preference reads the whole stream)
            GeneratedStream batches = new GeneratedStream(data.generator(), data.objectives(), stream.rows, per.ratio(),
                    per.rounds(iterations + 1L));
            long p0 = System.nanoTime();
            long produced;
            try (MinibatchProducer producer = new MinibatchProducer(session.bootstrapServers())) {
                produced = producer.produce(session.topics(), batches,
                        MinibatchProducer.Options.once());
            }
            out.printf(Locale.ROOT, "produced %,d minibatches (%d samples each) to %s and %s in %.1f s%n", produced,
                    stream.rows, session.topics().lower(), session.topics().upper(), (System.nanoTime() - p0) / 1e9);
            out.flush();

            // 2. the sweep, each preference with its own consumer groups; meters fed by every iteration and, from the
            // broker, by the groups' progress and the dead letters
            long s0 = System.nanoTime();
            List<io.mobl.streams.kafka.ConsumerGroups> groups = new java.util.ArrayList<>();
            for (int i = 0; i < preferences.size(); i++) groups.add(io.mobl.streams.kafka.ConsumerGroups.forPreference(run, i));
            StreamingSweep.Result result;
            try (KafkaMeters meters = KafkaMeters.ofGroups(reporting.metrics(), session.admin(), run, session.bootstrapServers(),
                    session.topics(), groups, Duration.ofMillis(500))) {
                result = StreamingSweep.run(session, run, problem, config, preferences, reporting);
            }
            double sweepSeconds = (System.nanoTime() - s0) / 1e9;
            out.printf(Locale.ROOT, "sweep on the actor runtime: %,d minibatches consumed from Kafka in %.1f s, %d dead-lettered, lower level waited for data %.1f %% of the time%n",
                    result.minibatches(), sweepSeconds, result.deadLettered(), 100 * result.lowerWaitFraction());
            out.println();
            out.println("Pareto front (stochastic WC-MHGD fed from Kafka):");
            ParetoTable.print(out, result.points());

            // 3. the exact answer of the mean problem, for comparison
            QuadraticProblem mean = data.meanProblem();
            WcMhgdConfig exactConfig = WcMhgdConfig.defaults(mean, new ConjugateGradient(10), 10, 1.0, 5_000, 1e-9);
            out.println();
            out.println("exact weighted-Chebyshev points of the mean problem (deterministic WC-MHGD), and the distance to them:");
            List<java.util.Map<String, Object>> exactPoints = new java.util.ArrayList<>();
            for (int i = 0; i < preferences.size(); i++) {
                Solution exact = SynchronousSolver.solve(mean, exactConfig, preferences.get(i), "exact", RunListener.NONE);
                Solution found = result.solutions().get(i);
                StringBuilder row = new StringBuilder();
                for (int s = 0; s < exact.point().objectives().length; s++) {
                    row.append(String.format(Locale.ROOT, "%s%.3f", s == 0 ? "" : ",", preferences.get(i)[s]));
                }
                row.append(" φ* =");
                for (double v : exact.point().objectives()) row.append(String.format(Locale.ROOT, " %10.6f", v));
                double distance = Vectors.norm(found.x().sub(exact.x()));
                row.append(String.format(Locale.ROOT, "   |x - x*| = %.3e", distance));
                out.println(row);
                exactPoints.add(java.util.Map.of("preference", preferences.get(i), "objectives", exact.point().objectives(),
                        "x", exact.point().x(), "distance", distance));
            }

            session.telemetry().flush(Duration.ofSeconds(30));
            session.pareto().flush(Duration.ofSeconds(30));
            out.println();
            out.printf("telemetry: %,d records on topic %s; Pareto points: %d on topic %s (compacted, keyed run/preference)%n",
                    session.telemetry().sent(), session.topics().telemetry(), session.pareto().sent(), session.topics().pareto());
            out.printf("Kafka: %s%s%n", session.bootstrapServers(), session.embedded()
                    ? " (the embedded broker, removed when the demo ends; ./mobl broker keeps one running)" : "");
            double seconds = (System.nanoTime() - t0) / 1e9;
            out.printf(Locale.ROOT, "done in %.1f s%n", seconds);
            if (this.out != null) {
                java.util.Map<String, Object> json = new java.util.LinkedHashMap<>();
                json.put("run", run);
                json.put("problem", java.util.Map.of("p", problem.upperDimension(), "q", problem.lowerDimension(),
                        "S", problem.objectiveCount(), "seed", seed));
                json.put("settings", java.util.Map.of("iterations", iterations, "lowerIterations", config.lowerIterations(),
                        "neumannSteps", config.neumannSteps(), "batchSize", config.lowerBatchSize(), "minibatchRows", stream.rows(),
                        "sweep", preferences.size()));
                json.put("produced", produced);
                json.put("minibatchesConsumed", result.minibatches());
                json.put("sweepSeconds", sweepSeconds);
                json.put("deadLettered", result.deadLettered());
                json.put("lowerWaitFraction", result.lowerWaitFraction());
                json.put("points", result.points().stream().map(io.mobl.protocol.codec.JsonCodec::toTree).toList());
                json.put("exact", exactPoints);
                json.put("telemetryRecords", session.telemetry().sent());
                json.put("seconds", seconds);
                json.put("machine", java.util.Map.of("cores", Runtime.getRuntime().availableProcessors(), "loadAverage1m",
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
                ExperimentCommand.writeJson(this.out, json);
                out.println("wrote " + this.out);
            }
        }
        return 0;
    }
}
