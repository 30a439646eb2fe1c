package io.mobl.ops.cluster;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.SelfRemoved;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The guardian of a member's actor system: logs how the membership changes (a member up, unreachable, downed,
 * removed) and tells the node when this member is up and when it has been removed, which the metrics endpoint's
 * {@code /ready} follows.
 */
final class MembershipLog extends AbstractBehavior<MembershipLog.Command> {

    sealed interface Command {}

    private record MemberChanged(ClusterEvent.MemberEvent event) implements Command {}

    private record ReachabilityChanged(ClusterEvent.ReachabilityEvent event) implements Command {}

    private record Downed(ClusterEvent.MemberDowned event) implements Command {}

    private record BecameUp(SelfUp event) implements Command {}

    private record WasRemoved(SelfRemoved event) implements Command {}

    /** What the node does when this member is up; called on the actor's thread. (Removal is followed by the node
     * itself through {@code registerOnMemberRemoved}, which also runs when the system stops before the event.) */
    interface Listener {
        void up();
    }

    private final Listener listener;

    static Behavior<Command> create(Listener listener) {
        return Behaviors.setup(context -> new MembershipLog(context, listener));
    }

    private MembershipLog(ActorContext<Command> context, Listener listener) {
        super(context);
        this.listener = listener;
        var subscriptions = Cluster.get(context.getSystem()).subscriptions();
        subscriptions.tell(Subscribe.create(context.messageAdapter(ClusterEvent.MemberEvent.class, MemberChanged::new),
                ClusterEvent.MemberEvent.class));
        subscriptions.tell(Subscribe.create(
                context.messageAdapter(ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new),
                ClusterEvent.ReachabilityEvent.class));
        subscriptions.tell(Subscribe.create(context.messageAdapter(ClusterEvent.MemberDowned.class, Downed::new),
                ClusterEvent.MemberDowned.class));
        subscriptions.tell(Subscribe.create(context.messageAdapter(SelfUp.class, BecameUp::new), SelfUp.class));
        subscriptions.tell(Subscribe.create(context.messageAdapter(SelfRemoved.class, WasRemoved::new), SelfRemoved.class));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(MemberChanged.class, this::onMemberChanged)
                .onMessage(ReachabilityChanged.class, this::onReachabilityChanged)
                .onMessage(Downed.class, this::onDowned)
                .onMessage(BecameUp.class, this::onBecameUp)
                .onMessage(WasRemoved.class, this::onWasRemoved)
                .build();
    }

    private Behavior<Command> onMemberChanged(MemberChanged m) {
        var member = m.event().member();
        getContext().getLog().info("member {} is {} (roles {})", member.address(), member.status(), member.getRoles());
        return this;
    }

    private Behavior<Command> onReachabilityChanged(ReachabilityChanged m) {
        boolean reachable = m.event() instanceof ClusterEvent.ReachableMember;
        getContext().getLog().info("member {} is {}", m.event().member().address(), reachable ? "reachable again" : "unreachable");
        return this;
    }

    private Behavior<Command> onDowned(Downed m) {
        getContext().getLog().info("member {} was downed", m.event().member().address());
        return this;
    }

    private Behavior<Command> onBecameUp(BecameUp m) {
        listener.up();
        return this;
    }

    private Behavior<Command> onWasRemoved(WasRemoved m) {
        getContext().getLog().info("this member was removed from the cluster");
        return this;
    }
}
