package io.mobl.actors;

import io.mobl.protocol.InvalidInputException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Submits a sweep to the cluster's {@link ShardedCoordinator}s from any member (sharding must be started on it,
 * {@link ShardedCoordinator#init}): one {@link ShardedCoordinator.Start} per preference, sent again every
 * {@code resend} to the preferences without an answer. The repetition is what survives a member's death: the
 * shard of a lost entity is allocated to another member and the next {@code Start} starts it there (from its
 * journal's newest checkpoint); an entity that runs or has ended answers a repeated start without computing again.
 * The result is each preference's answer (its point and the member it ended on) in the order of the specs, or
 * the first failure.
 */
public final class ClusterSweep {
    private static final AtomicLong SUBMITTED = new AtomicLong();

    private ClusterSweep() {}

    /**
     * @param specs   the preferences, one entity each (distinct entity ids)
     * @param resend  how often to start the preferences still without an answer (a member's death is noticed
     *                within about this plus the failure detector's and the split-brain resolver's time)
     * @param timeout the longest the whole sweep may take; past it the result fails with a {@link TimeoutException}
     */
    public static CompletionStage<List<ShardedCoordinator.RunEnded>> submit(ActorSystem<?> system, List<RunSpec> specs,
                                                            Duration resend, Duration timeout) {
        if (specs == null || specs.isEmpty()) throw new InvalidInputException("specs", specs, "at least one preference");
        if (specs.stream().map(RunSpec::entityId).distinct().count() != specs.size()) {
            throw new InvalidInputException("specs", specs.size() + " specs", "distinct run/index entity ids");
        }
        CompletableFuture<List<ShardedCoordinator.RunEnded>> result = new CompletableFuture<>();
        system.systemActorOf(submitter(List.copyOf(specs), resend, timeout, result),
                "cluster-sweep-" + SUBMITTED.incrementAndGet(), Props.empty());
        return result;
    }

    private record Resend() implements ShardedCoordinator.Reply, LocalMessage {}

    private record Expired() implements ShardedCoordinator.Reply, LocalMessage {}

    private static Behavior<ShardedCoordinator.Reply> submitter(List<RunSpec> specs, Duration resend, Duration timeout,
                                                                CompletableFuture<List<ShardedCoordinator.RunEnded>> result) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            ClusterSharding sharding = ClusterSharding.get(context.getSystem());
            List<EntityRef<ShardedCoordinator.Command>> entities = new ArrayList<>();
            for (RunSpec spec : specs) entities.add(sharding.entityRefFor(ShardedCoordinator.TYPE, spec.entityId()));
            Map<Integer, ShardedCoordinator.RunEnded> points = new TreeMap<>();
            Map<Integer, Integer> position = new TreeMap<>();
            for (int i = 0; i < specs.size(); i++) position.put(specs.get(i).index(), i);
            Runnable startMissing = () -> {
                for (int i = 0; i < specs.size(); i++) {
                    if (!points.containsKey(i)) entities.get(i).tell(new ShardedCoordinator.Start(specs.get(i), context.getSelf()));
                }
            };
            Runnable dismiss = () -> {
                for (int i = 0; i < specs.size(); i++) entities.get(i).tell(new ShardedCoordinator.Dismiss(specs.get(i).entityId()));
            };
            startMissing.run();
            timers.startTimerWithFixedDelay(new Resend(), resend);
            timers.startSingleTimer(new Expired(), timeout);
            context.getLog().info("cluster sweep {}: {} preferences submitted", specs.get(0).run(), specs.size());
            return Behaviors.receive(ShardedCoordinator.Reply.class)
                    .onMessage(Resend.class, m -> {
                        startMissing.run();
                        return Behaviors.same();
                    })
                    .onMessage(ShardedCoordinator.RunEnded.class, m -> {
                        Integer i = position.get(m.index());
                        if (i == null || points.containsKey(i)) return Behaviors.same();
                        points.put(i, m);
                        context.getLog().info("cluster sweep {}: preference {} ended on {} ({} of {})",
                                specs.get(i).run(), m.index(), m.node(), points.size(), specs.size());
                        if (points.size() < specs.size()) return Behaviors.same();
                        dismiss.run();
                        result.complete(List.copyOf(points.values()));
                        return Behaviors.stopped();
                    })
                    .onMessage(ShardedCoordinator.RunFailed.class, m -> {
                        dismiss.run();
                        result.completeExceptionally(new RunFailedException(m.entityId(), m.node(), -1, -1,
                                m.reason(), null));
                        return Behaviors.stopped();
                    })
                    .onMessage(Expired.class, m -> {
                        dismiss.run();
                        result.completeExceptionally(new TimeoutException("the cluster sweep " + specs.get(0).run()
                                + " had " + points.size() + " of " + specs.size() + " points after " + timeout));
                        return Behaviors.stopped();
                    })
                    .build();
        }));
    }
}
