package io.mobl.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mobl.actors.ActorRuntime;
import io.mobl.actors.AlgorithmSweepSpec;
import io.mobl.actors.Checkpointing;
import io.mobl.actors.ClusterSweep;
import io.mobl.actors.RunSpec;
import io.mobl.actors.RuntimeSettings;
import io.mobl.actors.ShardedCoordinator;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.checkpoint.RunJournal;
import io.mobl.ops.cli.CliRunFactory;
import io.mobl.protocol.ParetoPoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;

/**
 * Issue 14's cluster benchmark: a sweep of 8 preferences of WC-MHGD at p = 10⁵ (the structured quadratic problem),
 * on one node's {@link ActorRuntime} and as sharded coordinators ({@link ClusterSweep}) on 1, 2 and 3 cluster
 * members — actor systems in this one JVM joined over Artery TCP on 127.0.0.1, sharing the machine's cores, so the
 * ratio measures the cluster's overhead, not a speed-up. The points of every configuration are compared bit for
 * bit with the single node's.
 *
 * <p>What crosses nodes per preference is one start (CBOR: the run's options) and one point (the vector
 * serializer: x of p doubles); the state stays on the entity's member. The serialization cost is measured on
 * those two messages (serialize + deserialize, median of 50) and given per iteration (over K) and as a share of
 * an iteration's time; the transport's share is what the wall times add beyond it.
 *
 * <p>Usage: {@code ClusterBenchmark [out.json] [p] [K] [repeats]}
 */
public final class ClusterBenchmark {
    private ClusterBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "results/cluster.json");
        int p = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int k = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int preferences = 8;
        List<String> options = List.of("--problem", "quadratic-large", "--upper-dim", Integer.toString(p),
                "--lower-dim", Integer.toString(p), "--objectives", "2", "--algorithm", "wc-mhgd",
                "--lower-iterations", "10", "--iterations", Integer.toString(k));
        List<RunSpec> specs = new ArrayList<>();
        for (int i = 0; i < preferences; i++) {
            double r = (i + 1.0) / (preferences + 1);
            specs.add(new RunSpec("bench", i, options, new double[] {r, 1 - r}, k, 0));
        }
        CliRunFactory factory = new CliRunFactory();
        RuntimeSettings settings = new RuntimeSettings(Duration.ofMinutes(10), 3, Duration.ofMillis(200),
                Duration.ofHours(1), Duration.ofSeconds(5));

        Map<String, Object> results = new LinkedHashMap<>();
        results.put("benchmark", "sweep of " + preferences + " preferences, wc-mhgd on quadratic-large, p = q = " + p
                + ", K = " + k + ": one node's ActorRuntime against sharded coordinators on 1, 2, 3 members in one JVM"
                + " (Artery TCP on 127.0.0.1, the same cores)");
        results.put("command", "scripts/bench.sh ClusterBenchmark " + out + " " + p + " " + k + " " + repeats);
        results.put("machine", JsonResults.machine());
        results.put("options", String.join(" ", options));
        List<Map<String, Object>> rows = new ArrayList<>();
        results.put("rows", rows);

        List<ParetoPoint> reference = null;
        double singleSeconds = 0;
        for (int nodes = 0; nodes <= 3; nodes++) { // 0: no cluster, one ActorRuntime
            List<Double> seconds = new ArrayList<>();
            boolean same = true;
            TreeSet<String> members = new TreeSet<>();
            for (int r = 0; r < repeats; r++) {
                long start = System.nanoTime();
                List<ParetoPoint> points;
                if (nodes == 0) {
                    AlgorithmSweepSpec sweep = new AlgorithmSweepSpec(specs.stream().map(factory::part).toList(),
                            specs.stream().map(RunSpec::preference).toList(), AlgorithmSweepSpec.Until.iterations(k),
                            "bench", RunListener.NONE, Checkpointing.NONE, 0, AlgorithmSweepSpec.StepObserver.NONE);
                    try (ActorRuntime runtime = new ActorRuntime(settings)) {
                        if (r == 0) runtime.sweep(sweep).points().toCompletableFuture().get(1, TimeUnit.HOURS); // warm-up
                        start = System.nanoTime();
                        points = runtime.sweep(new AlgorithmSweepSpec(specs.stream().map(factory::part).toList(),
                                sweep.preferences(), sweep.until(), "bench", RunListener.NONE, Checkpointing.NONE, 0,
                                AlgorithmSweepSpec.StepObserver.NONE)).points().toCompletableFuture().get(1, TimeUnit.HOURS);
                    }
                } else {
                    List<ActorSystem<Void>> cluster = formCluster(nodes, factory, settings);
                    try {
                        start = System.nanoTime();
                        List<ShardedCoordinator.RunEnded> ended = ClusterSweep.submit(cluster.get(0), specs,
                                Duration.ofSeconds(5), Duration.ofHours(1)).toCompletableFuture().get(1, TimeUnit.HOURS);
                        points = ended.stream().map(ShardedCoordinator.RunEnded::point).toList();
                        members.clear(); // the last repeat's (each repeat forms a cluster on new ports)
                        ended.forEach(e -> members.add(e.node()));
                    } finally {
                        long stop = System.nanoTime();
                        seconds.add((stop - start) / 1e9);
                        for (ActorSystem<Void> s : cluster) s.terminate();
                        for (ActorSystem<Void> s : cluster) s.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
                    }
                    if (reference != null) same &= points.equals(reference);
                    continue;
                }
                seconds.add((System.nanoTime() - start) / 1e9);
                if (reference == null) reference = points;
                else same &= points.equals(reference);
            }
            double median = median(seconds);
            if (nodes == 0) singleSeconds = median;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("configuration", nodes == 0 ? "single node (ActorRuntime)" : nodes + " member(s), sharded");
            row.put("members", nodes);
            row.put("entitiesOnMembers", members.size());
            row.put("wallSeconds", round(median));
            row.put("allWallSeconds", seconds.stream().map(ClusterBenchmark::round).toList());
            row.put("overSingleNode", round(median / singleSeconds));
            row.put("iterationMillis", round(1000 * median / k)); // one iteration of all 8 preferences, wall
            row.put("pointsBitIdenticalToSingleNode", same);
            rows.add(row);
            System.out.println(JsonResults.line(row));
            JsonResults.write(out, results);
        }
        results.put("serialization", serialization(reference, specs.get(0), k, singleSeconds, preferences));
        System.out.println(JsonResults.line((Map<String, Object>) results.get("serialization")));
        JsonResults.write(out, results);
        System.out.println("wrote " + out);
    }

    /** The two messages that cross nodes per preference, serialized and read back in a cluster member's system. */
    private static Map<String, Object> serialization(List<ParetoPoint> points, RunSpec spec, int k, double singleSeconds,
                                                     int preferences) throws Exception {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "mobl", member(0));
        try {
            Serialization serialization = SerializationExtension.get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system));
            ShardedCoordinator.RunEnded ended = new ShardedCoordinator.RunEnded(0, points.get(0), "pekko://mobl@127.0.0.1:1");
            ShardedCoordinator.Start start = new ShardedCoordinator.Start(spec, system.ignoreRef());
            double[] endedMicros = roundTrip(serialization, ended, 50);
            double[] startMicros = roundTrip(serialization, start, 50);
            double perRun = endedMicros[0] + startMicros[0];
            double iterationMicros = 1e6 * singleSeconds / k / preferences * Math.min(preferences,
                    Runtime.getRuntime().availableProcessors()); // one preference's iteration, on its core
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("runEndedBytes", (long) endedMicros[1]);
            row.put("runEndedRoundTripMicros", round(endedMicros[0]));
            row.put("runEndedMBPerSecond", round(endedMicros[1] / endedMicros[0]));
            row.put("startBytes", (long) startMicros[1]);
            row.put("startRoundTripMicros", round(startMicros[0]));
            row.put("serializationMicrosPerIteration", round(perRun / k));
            row.put("bytesPerIteration", round((endedMicros[1] + startMicros[1]) / k));
            row.put("onePreferenceIterationMicros", round(iterationMicros));
            row.put("serializationPercentOfIteration", Math.round(1e6 * perRun / k / iterationMicros) / 1e4);
            return row;
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }

    /** {median µs of serialize + deserialize, bytes}. */
    private static double[] roundTrip(Serialization serialization, Object message, int rounds) throws Exception {
        List<Double> micros = new ArrayList<>();
        int bytes = 0;
        for (int i = -5; i < rounds; i++) {
            long start = System.nanoTime();
            byte[] data = serialization.serialize(message).get();
            var serializer = serialization.findSerializerFor(message);
            Object back = serialization.deserialize(data, serializer.identifier(), Serializers.manifestFor(serializer, message)).get();
            long stop = System.nanoTime();
            if (!back.equals(message) && !(message instanceof ShardedCoordinator.Start)) {
                throw new IllegalStateException("not read back equal: " + message.getClass());
            }
            bytes = data.length;
            if (i >= 0) micros.add((stop - start) / 1e3);
        }
        return new double[] {median(micros), bytes};
    }

    static Config member(int roles) {
        return ConfigFactory.parseString("""
                        pekko.actor.provider = cluster
                        pekko.remote.artery.canonical.hostname = "127.0.0.1"
                        pekko.remote.artery.canonical.port = 0
                        pekko.cluster.jmx.enabled = off
                        pekko.cluster.roles = [coordinator]
                        pekko.cluster.sharding.rebalance-interval = 1h
                        pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                        pekko.loglevel = WARNING
                        """).withFallback(ConfigFactory.load());
    }

    private static List<ActorSystem<Void>> formCluster(int nodes, CliRunFactory factory, RuntimeSettings settings)
            throws InterruptedException {
        List<ActorSystem<Void>> systems = new ArrayList<>();
        for (int i = 0; i < nodes; i++) systems.add(ActorSystem.create(Behaviors.empty(), "mobl", member(i)));
        var first = Cluster.get(systems.get(0)).selfMember().address();
        for (ActorSystem<Void> s : systems) Cluster.get(s).manager().tell(Join.create(first));
        for (ActorSystem<Void> s : systems) ShardedCoordinator.init(s, factory, RunJournal.Factory.NONE, settings);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (ActorSystem<Void> s : systems) {
            while (up(s) < nodes) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("the cluster did not form");
                Thread.sleep(50);
            }
        }
        Thread.sleep(2000); // every member's shard region registers with the coordinator before the first shards
        return systems;
    }

    private static long up(ActorSystem<?> s) {
        long count = 0;
        for (var member : Cluster.get(s).state().getMembers()) if (member.status() == MemberStatus.up()) count++;
        return count;
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
