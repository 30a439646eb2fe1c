package io.mobl.actors;

import io.mobl.core.algorithm.Solution;
import io.mobl.protocol.InvalidInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Pareto front exploration (P2): one {@link WeightCoordinator} per preference, all started at once, and their
 * solutions collected in the order of the preferences. Routes the user's controls (P3) to the preference they
 * name. The first run that fails fails the sweep, and the other runs are stopped with it.
 *
 * <p>Ends in two steps, so that no control is lost on the way: it reports its {@link Outcome}, then rejects
 * controls until its parent sends {@link Dismiss}. It dismisses its coordinators the same way.
 */
public final class SweepManager extends AbstractBehavior<SweepManager.Command> {

    public sealed interface Command extends LocalMessage {}

    /** @param index the preference's position in the sweep, from 0 */
    public record Control(int index, Coordinator.Control command) implements Command {}

    /** From the parent: stop now (the sweep has reported, or it is no longer wanted). */
    public record Dismiss() implements Command {}

    private record CoordinatorEnded(Coordinator.Outcome outcome) implements Command {}

    private record CoordinatorStopped(int index) implements Command {}

    /** How the sweep ended, sent once. */
    public sealed interface Outcome extends LocalMessage {
        /** The manager's actor name. */
        String sweep();
    }

    /** @param solutions one per preference, in the order of the preferences */
    public record SweepFinished(String sweep, List<Solution> solutions) implements Outcome {}

    public record SweepFailed(String sweep, RunFailedException error) implements Outcome {}

    private final SweepPlan spec;
    private final ActorRef<Outcome> replyTo;
    private final List<ActorRef<Coordinator.Command>> coordinators;
    private final Solution[] solutions;
    private final int[] endedAt;
    private int finished;

    /** @param replyTo receives the {@link Outcome} once */
    public static Behavior<Command> create(SweepPlan spec, RuntimeSettings settings, ActorRef<Outcome> replyTo) {
        return Behaviors.setup(context -> new SweepManager(context, spec, settings, replyTo));
    }

    private SweepManager(ActorContext<Command> context, SweepPlan spec, RuntimeSettings settings,
                         ActorRef<Outcome> replyTo) {
        super(context);
        this.spec = spec;
        this.replyTo = replyTo;
        this.solutions = new Solution[spec.size()];
        this.endedAt = new int[spec.size()];
        Arrays.fill(endedAt, -1);
        ActorRef<Coordinator.Outcome> ended =
                context.messageAdapter(Coordinator.Outcome.class, CoordinatorEnded::new);
        this.coordinators = new ArrayList<>(spec.size());
        for (int i = 0; i < spec.size(); i++) {
            RunPlan run = spec.preferenceRun(i);
            Behavior<Coordinator.Command> behavior = run instanceof AlgorithmPreferenceRun steps
                    ? StepCoordinator.create(steps, settings, ended)
                    : WeightCoordinator.create(run, settings, ended);
            ActorRef<Coordinator.Command> coordinator = context.spawn(behavior, "coordinator-" + i);
            context.watchWith(coordinator, new CoordinatorStopped(i));
            coordinators.add(coordinator);
        }
        context.getLog().info("sweep {}: {} preferences started", spec.run(), spec.size());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Control.class, this::onControl)
                .onMessage(CoordinatorEnded.class, this::onCoordinatorEnded)
                .onMessage(CoordinatorStopped.class, this::onCoordinatorStopped)
                .onMessage(Dismiss.class, m -> dismissed())
                .build();
    }

    private Behavior<Command> onControl(Control m) {
        if (m.index() < 0 || m.index() >= spec.size()) {
            reject(m, new InvalidInputException("preference-index", m.index(),
                    "an index in 0.." + (spec.size() - 1) + " of the sweep " + spec.run()));
        } else if (endedAt[m.index()] >= 0) {
            reject(m, new IllegalStateException("the run for preference " + m.index() + " of " + spec.run()
                    + " has ended at iteration " + endedAt[m.index()]));
        } else {
            coordinators.get(m.index()).tell(m.command());
        }
        return this;
    }

    private Behavior<Command> onCoordinatorEnded(CoordinatorEnded m) {
        int index = m.outcome().index();
        coordinators.get(index).tell(new Coordinator.Dismiss());
        if (m.outcome() instanceof Coordinator.Failed failed) {
            return ended(new SweepFailed(name(), failed.error()));
        }
        Solution solution = ((Coordinator.Finished) m.outcome()).solution();
        solutions[index] = solution;
        endedAt[index] = solution.point().iterations();
        if (++finished < spec.size()) return this;
        getContext().getLog().info("sweep {}: {} points", spec.run(), spec.size());
        return ended(new SweepFinished(name(), List.of(solutions)));
    }

    private Behavior<Command> onCoordinatorStopped(CoordinatorStopped m) {
        if (endedAt[m.index()] >= 0) return this;
        String actor = coordinators.get(m.index()).path().toString();
        return ended(new SweepFailed(name(), new RunFailedException(spec.run() + "/preference " + m.index(), actor,
                -1, -1, "the coordinator stopped without a result (see the log for its exception)", null)));
    }

    /** Reports, dismisses the runs still going, and rejects controls until dismissed itself. */
    private Behavior<Command> ended(Outcome outcome) {
        replyTo.tell(outcome);
        for (int i = 0; i < spec.size(); i++) {
            if (endedAt[i] < 0) coordinators.get(i).tell(new Coordinator.Dismiss());
        }
        String why = "the sweep " + spec.run() + " has ended";
        return Behaviors.receive(Command.class)
                .onMessage(Control.class, m -> {
                    reject(m, new IllegalStateException(why));
                    return Behaviors.same();
                })
                .onMessage(Dismiss.class, m -> Behaviors.stopped())
                .onAnyMessage(m -> Behaviors.same())
                .build();
    }

    private Behavior<Command> dismissed() {
        coordinators.forEach(c -> c.tell(new Coordinator.Dismiss()));
        return Behaviors.stopped();
    }

    private static void reject(Control m, RuntimeException reason) {
        m.command().replyTo().tell(new Coordinator.Rejected(reason));
    }

    private String name() {
        return getContext().getSelf().path().name();
    }
}
