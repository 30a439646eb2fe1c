package io.mobl.actors;

import io.mobl.core.checkpoint.RunJournal;
import io.mobl.protocol.Checkpoint;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The journal of one run/preference, written for its {@link StepCoordinator} on a blocking dispatcher
 * ({@value #DISPATCHER}): opening it, recovering the newest checkpoint and every commit may wait for a broker or a
 * disk, which no coordinator thread may. One actor, so its mailbox keeps the coordinator's order: the telemetry of
 * iterations 0..k−1 is appended before the commit of the checkpoint at k. The checkpoint is encoded here too (a
 * {@link Supplier} over the immutable state), so the coordinator goes on with iteration k while it is written.
 * Closes the journal when it stops.
 */
final class JournalWriter extends AbstractBehavior<JournalWriter.Command> {

    /** Pekko's dispatcher for blocking work. */
    static final String DISPATCHER = "pekko.actor.default-blocking-io-dispatcher";

    sealed interface Command extends LocalMessage {}

    record Recover(ActorRef<Reply> replyTo) implements Command {}

    record AppendTelemetry(IterateTelemetry telemetry) implements Command {}

    record AppendPoint(ParetoPoint point) implements Command {}

    /** @param last whether this is the run's final commit (its answer ends the run) */
    record Commit(long iteration, Supplier<Checkpoint> checkpoint, boolean last, ActorRef<Reply> replyTo)
            implements Command {}

    sealed interface Reply extends LocalMessage {}

    record Recovered(Optional<Checkpoint> checkpoint) implements Reply {}

    record Committed(long iteration, boolean last) implements Reply {}

    /** @param what the journal call that failed */
    record JournalFailed(String what, RuntimeException cause) implements Reply {}

    private final RunJournal.Factory journals;
    private final String run;
    private final int index;
    private RunJournal journal;
    private boolean failed;

    static Behavior<Command> create(RunJournal.Factory journals, String run, int index) {
        return Behaviors.setup(context -> new JournalWriter(context, journals, run, index));
    }

    private JournalWriter(ActorContext<Command> context, RunJournal.Factory journals, String run, int index) {
        super(context);
        this.journals = journals;
        this.run = run;
        this.index = index;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Recover.class, this::onRecover)
                .onMessage(AppendTelemetry.class, m -> {
                    if (journal != null && !failed) journal.append(m.telemetry());
                    return this;
                })
                .onMessage(AppendPoint.class, m -> {
                    if (journal != null && !failed) journal.append(m.point());
                    return this;
                })
                .onMessage(Commit.class, this::onCommit)
                .onSignal(PostStop.class, s -> close())
                .build();
    }

    private Behavior<Command> onRecover(Recover m) {
        try {
            journal = journals.open(run, index);
            m.replyTo().tell(new Recovered(journal.recover()));
        } catch (RuntimeException e) {
            failed = true;
            m.replyTo().tell(new JournalFailed(journal == null ? "opening the journal" : "recovering the checkpoint", e));
        }
        return this;
    }

    private Behavior<Command> onCommit(Commit m) {
        if (failed || journal == null) return this; // the coordinator has been told already
        try {
            journal.commit(m.checkpoint().get());
            m.replyTo().tell(new Committed(m.iteration(), m.last()));
        } catch (RuntimeException e) {
            failed = true;
            m.replyTo().tell(new JournalFailed("committing the checkpoint at iteration " + m.iteration(), e));
        }
        return this;
    }

    private Behavior<Command> close() {
        if (journal != null) {
            try {
                journal.close();
            } catch (RuntimeException e) {
                getContext().getLog().warn("closing the journal of {}/{} failed", run, index, e);
            }
        }
        return this;
    }
}
