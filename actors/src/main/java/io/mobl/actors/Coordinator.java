package io.mobl.actors;

import io.mobl.core.algorithm.Solution;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The protocol every coordinator speaks with its {@link SweepManager} and the user's controls, whichever
 * algorithm it runs: {@link WeightCoordinator} (WC-MHGD, its phases on separate math actors, the S hypergradients
 * in parallel) and {@link StepCoordinator} (any {@link io.mobl.core.algorithm.IterativeAlgorithm}, one pure step
 * at a time). The manager, the guardian and {@link SweepHandle} see only these messages.
 */
public final class Coordinator {
    private Coordinator() {}

    /**
     * What every coordinator becomes once its run has ended: its timers and children stopped, controls rejected
     * with {@code why}, answers still in flight dropped, until its manager dismisses it.
     */
    static Behavior<Command> ended(ActorContext<Command> context, TimerScheduler<Command> timers, String why) {
        timers.cancelAll();
        context.getChildren().forEach(child -> context.stop(child));
        return Behaviors.receive(Command.class)
                .onMessage(Control.class, m -> {
                    m.replyTo().tell(new Rejected(new IllegalStateException(why)));
                    return Behaviors.same();
                })
                .onMessage(Dismiss.class, m -> Behaviors.stopped())
                .onAnyMessage(m -> Behaviors.same())
                .build();
    }

    /** A message to a coordinator; each coordinator adds its own private ones. */
    public interface Command extends LocalMessage {}

    /** What a user may send to a running preference (P3); each is answered with a {@link ControlReply}. */
    public sealed interface Control extends Command {
        ActorRef<ControlReply> replyTo();
    }

    /** @param preference the new r, in the open simplex (length S); applies from the next iteration */
    public record SetPreference(double[] preference, ActorRef<ControlReply> replyTo) implements Control {}

    public record Pause(ActorRef<ControlReply> replyTo) implements Control {}

    public record Resume(ActorRef<ControlReply> replyTo) implements Control {}

    public record Stop(ActorRef<ControlReply> replyTo) implements Control {}

    public sealed interface ControlReply extends LocalMessage {}

    /**
     * @param iteration the iteration in progress when the control arrived (while paused: the one evaluated
     *                  last). A new preference applies from {@code iteration + 1}; Pause holds the run after
     *                  {@code iteration}; Resume goes on with {@code iteration + 1}; Stop ends the run at
     *                  {@code iteration}.
     */
    public record Accepted(int iteration) implements ControlReply {}

    /** @param reason why the control was not applied (an invalid preference, a run that has ended) */
    public record Rejected(RuntimeException reason) implements ControlReply {}

    /** How the run ended, sent once to the parent. */
    public sealed interface Outcome extends LocalMessage {
        int index();
    }

    public record Finished(int index, Solution solution) implements Outcome {}

    public record Failed(int index, RunFailedException error) implements Outcome {}

    /**
     * From the parent: stop now. A coordinator whose run has ended waits for it and meanwhile answers controls
     * with {@link Rejected}, so that a control forwarded just before the end is answered rather than lost.
     */
    public record Dismiss() implements Command {}
}
