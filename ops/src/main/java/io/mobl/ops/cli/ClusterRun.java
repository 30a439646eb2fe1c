package io.mobl.ops.cli;

import com.typesafe.config.Config;
import io.mobl.actors.ClusterSweep;
import io.mobl.actors.RunSpec;
import io.mobl.actors.RuntimeSettings;
import io.mobl.actors.ShardedCoordinator;
import io.mobl.core.checkpoint.RunJournal;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.ops.cluster.ClusterNode;
import io.mobl.ops.cluster.NodeSettings;
import io.mobl.protocol.ParetoPoint;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * {@code mobl run --cluster SEEDS}: this process joins the cluster as a member without the coordinator role (on
 * a free port), submits one {@link RunSpec} per preference — the run's own command-line words, which every member
 * reads as {@code mobl run} would ({@link CliRunFactory}) — waits for the points and leaves. The preferences run as
 * {@link ShardedCoordinator} entities on the {@code mobl node} members; a member that dies has its preferences
 * started again on the others. The points are the single-node run's ({@code --runtime actors}) bit for bit.
 */
final class ClusterRun {
    private ClusterRun() {}

    static List<ParetoPoint> run(RunCommand command, PrintWriter stdout, BilevelProblem built, List<String> args)
            throws Exception {
        Config config = ConfigDefaults.of(command.spec.commandLine()).config().effective();
        io.mobl.ops.config.MoblConfig.Node node = Main.config(command.spec.commandLine()).node();
        NodeSettings settings = NodeSettings.of(command.cluster, null, node.host(), -1, List.of("submitter"), -1);
        List<double[]> prefs = command.preferences.build(built.objectiveCount());
        int iterations = command.algorithm.iterations();
        List<RunSpec> specs = new ArrayList<>();
        for (int i = 0; i < prefs.size(); i++) {
            specs.add(new RunSpec(command.run, i, args, prefs.get(i), iterations, command.checkpointEvery));
        }
        new CliRunFactory().part(specs.get(0)); // the options are checked here, before the cluster sees them
        stdout.printf("mobl run: %s, p=%d q=%d S=%d, %s, cluster %s, K=%d, %d preference(s)%n", command.problem.describe(),
                built.upperDimension(), built.lowerDimension(), built.objectiveCount(), command.algorithm.name(),
                String.join(",", command.cluster), iterations, prefs.size());
        stdout.flush();
        try (ClusterNode member = ClusterNode.start(settings, config, up -> {})) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!member.isUp()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not join the cluster of " + command.cluster + " within 60 s");
                }
                Thread.sleep(100);
            }
            RuntimeSettings runtime = RuntimeSettings.fromConfig(config);
            ShardedCoordinator.init(member.system(), new CliRunFactory(), RunJournal.Factory.NONE, runtime);
            List<ShardedCoordinator.RunEnded> ended = ClusterSweep.submit(member.system(), specs,
                            runtime.clusterResend(), runtime.runTimeout())
                    .toCompletableFuture().get();
            TreeSet<String> nodes = new TreeSet<>();
            ended.forEach(e -> nodes.add(e.node()));
            stdout.println("ran on " + String.join(", ", nodes));
            return ended.stream().map(ShardedCoordinator.RunEnded::point).toList();
        }
    }
}
