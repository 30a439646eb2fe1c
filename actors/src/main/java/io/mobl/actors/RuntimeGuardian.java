package io.mobl.actors;

import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The root of {@link ActorRuntime}'s actor system: starts one {@link SweepManager} per sweep under a name the
 * runtime chose, routes controls to it by that name, and passes its outcome on. A sweep leaves the routing table
 * before its outcome is passed on, so a control sent after the result was seen is rejected, never lost; controls
 * sent one after the other from one thread reach the coordinator in that order.
 */
public final class RuntimeGuardian extends AbstractBehavior<RuntimeGuardian.Command> {

    public sealed interface Command extends LocalMessage {}

    /** @param name unique among the running sweeps; the manager's actor name */
    public record StartSweep(String name, SweepPlan spec, ActorRef<SweepManager.Outcome> replyTo) implements Command {}

    public record Control(String name, int index, Coordinator.Control command) implements Command {}

    /** Stops a sweep that is no longer wanted (its result timed out). */
    public record Abandon(String name) implements Command {}

    private record SweepEnded(SweepManager.Outcome outcome) implements Command {}

    private record SweepStopped(String name) implements Command {}

    private record Running(ActorRef<SweepManager.Command> sweep, ActorRef<SweepManager.Outcome> replyTo) {}

    private final RuntimeSettings settings;
    private final ActorRef<SweepManager.Outcome> ended;
    private final Map<String, Running> running = new HashMap<>();

    public static Behavior<Command> create(RuntimeSettings settings) {
        return Behaviors.setup(context -> new RuntimeGuardian(context, settings));
    }

    private RuntimeGuardian(ActorContext<Command> context, RuntimeSettings settings) {
        super(context);
        this.settings = settings;
        this.ended = context.messageAdapter(SweepManager.Outcome.class, SweepEnded::new);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(StartSweep.class, this::onStartSweep)
                .onMessage(Control.class, this::onControl)
                .onMessage(SweepEnded.class, this::onSweepEnded)
                .onMessage(Abandon.class, this::onAbandon)
                .onMessage(SweepStopped.class, this::onSweepStopped)
                .build();
    }

    private Behavior<Command> onStartSweep(StartSweep m) {
        ActorRef<SweepManager.Command> sweep =
                getContext().spawn(SweepManager.create(m.spec(), settings, ended), m.name());
        getContext().watchWith(sweep, new SweepStopped(m.name()));
        running.put(m.name(), new Running(sweep, m.replyTo()));
        return this;
    }

    private Behavior<Command> onControl(Control m) {
        Running sweep = running.get(m.name());
        if (sweep == null) {
            m.command().replyTo().tell(new Coordinator.Rejected(
                    new IllegalStateException("the sweep " + m.name() + " has ended")));
        } else {
            sweep.sweep().tell(new SweepManager.Control(m.index(), m.command()));
        }
        return this;
    }

    private Behavior<Command> onSweepEnded(SweepEnded m) {
        Running sweep = running.remove(m.outcome().sweep());
        if (sweep != null) {
            sweep.replyTo().tell(m.outcome());
            sweep.sweep().tell(new SweepManager.Dismiss());
        }
        return this;
    }

    private Behavior<Command> onAbandon(Abandon m) {
        Running sweep = running.remove(m.name());
        if (sweep != null) sweep.sweep().tell(new SweepManager.Dismiss());
        return this;
    }

    private Behavior<Command> onSweepStopped(SweepStopped m) {
        Running sweep = running.remove(m.name());
        if (sweep != null) {
            sweep.replyTo().tell(new SweepManager.SweepFailed(m.name(), new RunFailedException(m.name(),
                    sweep.sweep().path().toString(), -1, -1,
                    "the sweep manager stopped without a result (see the log for its exception)", null)));
        }
        return this;
    }
}
