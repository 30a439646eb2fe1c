package io.mobl.actors;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mobl.protocol.ParetoPoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sharded coordinators on three actor systems in one JVM, cluster members on 127.0.0.1 (port 0) joined to the
 * first, with {@code serialize-messages = on}: every message of the cluster's protocol is serialized and read back
 * even between actors of one member (starts, points, the sharding's own envelopes), and the runtime's local ones
 * are exempt by type. A sweep submitted on one member runs its preferences' entities on all three and finds the
 * single-node runtime's points bit for bit, oracle counts included; with a member stopped without leaving (a
 * crash) mid-run, its entities start again on the two others from their last checkpoint in the shared journal and
 * the points are still the single-node ones.
 */
@Timeout(240)
class ShardedSweepTest {
    private static final RuntimeSettings SETTINGS =
            new RuntimeSettings(Duration.ofSeconds(30), 3, Duration.ofMillis(5), Duration.ofMinutes(5), Duration.ofSeconds(1));
    private final List<ActorTestKit> nodes = new ArrayList<>();
    private final TestRunFactory factory = new TestRunFactory();

    static Config member() {
        return ConfigFactory.parseString("""
                        pekko.actor.provider = cluster
                        pekko.remote.artery.canonical.hostname = "127.0.0.1"
                        pekko.remote.artery.canonical.port = 0
                        pekko.cluster.jmx.enabled = off
                        pekko.cluster.roles = [coordinator]
                        pekko.cluster.downing-provider-class = "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider"
                        pekko.cluster.split-brain-resolver.active-strategy = keep-majority
                        pekko.cluster.split-brain-resolver.stable-after = 2s
                        pekko.cluster.failure-detector.acceptable-heartbeat-pause = 2s
                        pekko.cluster.sharding.rebalance-interval = 1h
                        pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                        pekko.actor.serialize-messages = on
                        pekko.actor.serialize-creators = off
                        """)
                .withFallback(ConfigFactory.load("application-test"));
    }

    private void formCluster(MemoryJournals journals) {
        for (int i = 0; i < 3; i++) {
            Config config = member();
            // the third member dies as a crashed process would: terminating it runs no leaving
            if (i == 2) config = ConfigFactory.parseString("pekko.coordinated-shutdown.run-by-actor-system-terminate = off")
                    .withFallback(config);
            ActorTestKit node = ActorTestKit.create("mobl", config);
            nodes.add(node);
        }
        var first = Cluster.get(nodes.get(0).system()).selfMember().address();
        for (ActorTestKit node : nodes) Cluster.get(node.system()).manager().tell(Join.create(first));
        for (ActorTestKit node : nodes) ShardedCoordinator.init(node.system(), factory, journals, SETTINGS);
        TestProbe<ShardRegion.ClusterShardingStats> stats = nodes.get(0).createTestProbe();
        stats.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
            for (ActorTestKit node : nodes) assertThat(up(node)).isEqualTo(3);
            ClusterSharding.get(nodes.get(0).system()).shardState().tell(
                    new GetClusterShardingStats(ShardedCoordinator.TYPE, Duration.ofSeconds(3), stats.ref()));
            assertThat(stats.expectMessageClass(ShardRegion.ClusterShardingStats.class, Duration.ofSeconds(5))
                    .getRegions()).as("a shard region on every member").hasSize(3);
            return null;
        });
    }

    private static long up(ActorTestKit node) {
        long count = 0;
        for (var member : Cluster.get(node.system()).state().getMembers()) if (member.status() == MemberStatus.up()) count++;
        return count;
    }

    @AfterEach
    void shutdown() {
        nodes.forEach(ActorTestKit::shutdownTestKit);
    }

    private static List<ParetoPoint> points(List<ShardedCoordinator.RunEnded> ended) {
        return ended.stream().map(ShardedCoordinator.RunEnded::point).toList();
    }

    @Test
    void aSweepOfSixPreferencesRunsOnAllThreeMembersAndFindsTheSingleNodePointsBitForBit() throws Exception {
        formCluster(new MemoryJournals());
        List<RunSpec> specs = TestRunFactory.specs("spread", 6, null, 0, 40, 0);
        List<ShardedCoordinator.RunEnded> ended = ClusterSweep.submit(nodes.get(0).system(), specs,
                Duration.ofSeconds(1), Duration.ofMinutes(2)).toCompletableFuture().get(150, TimeUnit.SECONDS);

        assertThat(points(ended)).isEqualTo(TestRunFactory.singleNode(specs)); // ParetoPoint.equals: every bit
        Set<String> members = new TreeSet<>();
        for (ActorTestKit node : nodes) members.add(Cluster.get(node.system()).selfMember().address().toString());
        assertThat(ended.stream().map(ShardedCoordinator.RunEnded::node).collect(java.util.stream.Collectors.toSet()))
                .as("entities on every member").isEqualTo(members);
        assertThat(ended).extracting(ShardedCoordinator.RunEnded::index).containsExactly(0, 1, 2, 3, 4, 5);
    }

    @Test
    void aMemberThatDiesMidRunLeavesItsPreferencesToTheOthersWhichGoOnFromTheCheckpointsToTheSamePoints()
            throws Exception {
        MemoryJournals journals = new MemoryJournals();
        formCluster(journals);
        // ~2 × 3 ms of sleep per iteration: 150 iterations last about a second, checkpoints every 10
        List<RunSpec> specs = TestRunFactory.specs("failover", 6, "wc-mhgd", 3, 150, 10);
        var result = ClusterSweep.submit(nodes.get(0).system(), specs, Duration.ofSeconds(1), Duration.ofMinutes(3))
                .toCompletableFuture();
        TestProbe<Object> waiter = nodes.get(0).createTestProbe();
        waiter.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(20), () -> {
            assertThat(journals.commits()).as("checkpoints of every preference").isGreaterThanOrEqualTo(12);
            return null;
        });
        assertThat(result).as("the sweep is still running when the member dies").isNotDone();
        String dead = Cluster.get(nodes.get(2).system()).selfMember().address().toString();
        nodes.get(2).system().terminate(); // no leaving, no hand-off: its entities just stop

        List<ShardedCoordinator.RunEnded> ended = result.get(180, TimeUnit.SECONDS);
        assertThat(points(ended)).isEqualTo(TestRunFactory.singleNode(specs));
        assertThat(ended).extracting(ShardedCoordinator.RunEnded::node).doesNotContain(dead);
        assertThat(factory.builds).as("the dead member's runs were built again elsewhere").containsValue(2);
    }
}
