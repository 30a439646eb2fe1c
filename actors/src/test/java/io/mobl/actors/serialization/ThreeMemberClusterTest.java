package io.mobl.actors.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Three actor systems in one JVM, each a cluster member on 127.0.0.1 (canonical port 0), joined to the first:
 * the cluster the sharded coordinators and remote workers will run on. Messages between them cross Artery's TCP
 * transport and so are really serialized: a vector message comes back bit for bit, a CBOR control arrives equal,
 * and an unbound message type is dropped on the way out while the bound ones after it still arrive.
 */
@Timeout(120)
class ThreeMemberClusterTest {
    private static final ServiceKey<Object> ECHO = ServiceKey.create(Object.class, "echo");
    private static final List<ActorTestKit> NODES = new ArrayList<>();

    static Config member() {
        return ConfigFactory.parseString("""
                        pekko.actor.provider = cluster
                        pekko.remote.artery.canonical.hostname = "127.0.0.1"
                        pekko.remote.artery.canonical.port = 0
                        pekko.cluster.jmx.enabled = off
                        pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                        mobl.serialization.vector-codecs = ["io.mobl.actors.serialization.SampleRequest$Codec"]
                        """)
                .withFallback(ConfigFactory.load("application-test"));
    }

    /** Answers every message to the reply-to it carries, or to the probe it was told to forward to. */
    static Behavior<Object> echo(ActorRef<Object> forwardTo) {
        return Behaviors.receiveMessage(message -> {
            if (message instanceof SampleRequest request) request.replyTo().tell(request);
            else forwardTo.tell(message);
            return Behaviors.same();
        });
    }

    @BeforeAll
    static void formCluster() {
        for (int i = 0; i < 3; i++) NODES.add(ActorTestKit.create("mobl", member()));
        var first = Cluster.get(NODES.get(0).system()).selfMember().address();
        for (ActorTestKit node : NODES) Cluster.get(node.system()).manager().tell(Join.create(first));
    }

    @AfterAll
    static void shutdown() {
        NODES.forEach(ActorTestKit::shutdownTestKit);
    }

    private static long up(ActorTestKit node) {
        var members = Cluster.get(node.system()).state().getMembers();
        long count = 0;
        for (var member : members) if (member.status() == MemberStatus.up()) count++;
        return count;
    }

    @Test
    void threeSystemsJoinedToTheFirstFormAClusterOfThreeUpMembers() {
        TestProbe<Object> waiter = NODES.get(0).createTestProbe();
        for (ActorTestKit node : NODES) {
            waiter.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
                assertThat(up(node)).isEqualTo(3);
                return null;
            });
        }
        Set<Integer> ports = new java.util.HashSet<>();
        for (ActorTestKit node : NODES) {
            var address = Cluster.get(node.system()).selfMember().address();
            assertThat(address.getHost()).contains("127.0.0.1");
            ports.add((Integer) address.getPort().get());
        }
        assertThat(ports).as("each member on its own port").hasSize(3);
    }

    @Test
    void messagesBetweenMembersCrossTheTransportBitForBitAndUnboundOnesAreDropped() {
        ActorTestKit here = NODES.get(0);
        ActorTestKit there = NODES.get(2);
        TestProbe<Object> forwarded = there.createTestProbe();
        ActorRef<Object> remoteEcho = there.spawn(echo(forwarded.ref()), "echo");
        there.system().receptionist().tell(Receptionist.register(ECHO, remoteEcho));

        // found through the cluster's Receptionist, as the coordinators will find remote workers
        TestProbe<Receptionist.Listing> listings = here.createTestProbe();
        ActorRef<Object> found = listings.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
            here.system().receptionist().tell(Receptionist.find(ECHO, listings.ref()));
            Set<ActorRef<Object>> instances = listings.expectMessageClass(Receptionist.Listing.class).getServiceInstances(ECHO);
            assertThat(instances).hasSize(1);
            return instances.iterator().next();
        });
        assertThat(found.path().address().hasGlobalScope()).as("a remote reference").isTrue();

        TestProbe<SampleRequest> replies = here.createTestProbe();
        SampleRequest request = new SampleRequest(12, Wire.awkward(10_000, 21), Wire.awkward(40, 22),
                Nd4j.create(Wire.awkward(20, 23), new long[] {4, 5}, 'f'), replies.ref());
        found.tell(request);
        SampleRequest back = replies.expectMessageClass(SampleRequest.class, Duration.ofSeconds(20));
        Wire.assertSameRequest(back, request); // there and back: serialized twice, every bit kept

        found.tell(new SerializationBindingTest.Unbound(1)); // refused by the serializer on the way out
        SampleControl control = new SampleControl("r1", 4, new double[] {0.25, 0.75});
        found.tell(control);
        assertThat(forwarded.expectMessageClass(SampleControl.class, Duration.ofSeconds(20))).isEqualTo(control);
        forwarded.expectNoMessage(Duration.ofMillis(300));
    }
}
