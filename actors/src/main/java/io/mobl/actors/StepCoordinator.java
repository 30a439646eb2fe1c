package io.mobl.actors;

import io.mobl.actors.Coordinator.Accepted;
import io.mobl.actors.Coordinator.Command;
import io.mobl.actors.Coordinator.Control;
import io.mobl.actors.Coordinator.Dismiss;
import io.mobl.actors.Coordinator.Failed;
import io.mobl.actors.Coordinator.Finished;
import io.mobl.actors.Coordinator.Outcome;
import io.mobl.actors.Coordinator.Pause;
import io.mobl.actors.Coordinator.Rejected;
import io.mobl.actors.Coordinator.Resume;
import io.mobl.actors.Coordinator.SetPreference;
import io.mobl.actors.Coordinator.Stop;
import io.mobl.core.algorithm.DivergenceException;
import io.mobl.core.algorithm.DivergenceGuard;
import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.IterativeRun;
import io.mobl.core.algorithm.NonFiniteValueException;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.StepReport;
import io.mobl.core.algorithm.WcMhgdState;
import io.mobl.core.checkpoint.StateCodec;
import io.mobl.core.checkpoint.StateImage;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.NoDataException;
import io.mobl.protocol.Checkpoint;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.PreferenceKey;
import io.mobl.protocol.SourcePosition;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs any {@link IterativeAlgorithm} for one preference as messages: it owns the algorithm's state S and k, and
 * asks its {@link StepRunner} (on the math dispatcher) for one pure step at a time,
 * <pre>
 *   RunStep(k, S_k) ─▶ step-runner ─▶ StepDone(k, Step(S_{k+1}, report_k, used_k))
 *   report_k ─▶ observer, telemetry ─▶ listener and journal; source.iterationDone(k, used_k)
 *   every N iterations: Commit(checkpoint of S_{k+1}, the source's positions) ─▶ journal-writer
 *   then the next step, or at the end the point ─▶ listener, journal, final checkpoint; then the parent
 * </pre>
 * The steps are the algorithm's own, on the same states in the same order as the synchronous loop
 * ({@link IterativeRun}), so the iterates, telemetry and point equal that loop's bit for bit, and so do the oracle
 * counts (each preference's algorithm counts its own calls).
 *
 * <p>Failures as in {@link WeightCoordinator}: every request has the ask timeout; a failed or unanswered step is
 * asked again after a back-off, up to the attempts allowed, then the run fails with a {@link RunFailedException}
 * naming the actor and the iteration. A non-finite value, an invalid input, a divergence (the run's
 * {@link DivergenceGuard}) or a source without data end the run at once.
 *
 * <p>Durability ({@link Checkpointing}): before its first step the coordinator recovers the journal's newest
 * checkpoint, refuses one of another algorithm, problem or configuration, and goes on from its state, its data
 * positions ({@link BatchSource#resumeAt}) and its oracle counts; a checkpoint of a finished run gives its point
 * back without computing. Every journal call runs on the {@link JournalWriter}, off this actor's thread, in order.
 * A run that ends (K, a stop) appends its point and commits a final checkpoint before it reports.
 *
 * <p>Controls (P3) as {@link WeightCoordinator}'s; a new preference goes into the state through its checkpoint
 * codec (the preference is part of every state image), so only an algorithm with a codec takes one mid-run.
 */
final class StepCoordinator<S> extends AbstractBehavior<Command> {

    private record StepAnswered(int iteration, int attempt, StepRunner.Reply reply, Throwable failure)
            implements Command {}

    private record RetryStep(int iteration, int attempt) implements Command {}

    private record Expired(int iteration, int attempt) implements Command {}

    private record Journal(JournalWriter.Reply reply) implements Command {}

    private static final String DEADLINE = "step";
    /** The entries a final checkpoint adds to the state's image: the point, rebuilt from them on resume. */

    private final TimerScheduler<Command> timers;
    private final RuntimeSettings settings;
    private final ActorRef<Outcome> replyTo;
    private final AlgorithmPreferenceRun run;
    private final IterativeAlgorithm<S> algorithm;
    private final BatchSource source;
    private final DivergenceGuard guard;
    private final RunListener listener;
    private final int objectives;
    private final ActorRef<StepRunner.Command> runner;
    private final ActorRef<StepRunner.Reply> stepReplies;
    private final ActorRef<JournalWriter.Command> journal;
    private final ActorRef<JournalWriter.Reply> journalReplies;

    private S state;
    private int k;
    private double[] preference;
    /** The calls of the iterations before this process's first (a checkpoint's), and the count at its start. */
    private OracleCalls callsBefore = OracleCalls.NONE;
    private OracleCalls countedAtStart = OracleCalls.NONE;
    private int attempt;
    private boolean answered;

    private double[] pendingPreference;
    private boolean pauseRequested;
    private boolean stopRequested;
    /** The step evaluated last while the run is paused; null while it runs. */
    private IterativeAlgorithm.Step<S> paused;

    static Behavior<Command> create(AlgorithmPreferenceRun run, RuntimeSettings settings, ActorRef<Outcome> replyTo) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
                new StepCoordinator<>(context, timers, run, settings, replyTo, run.part().algorithm())));
    }

    private StepCoordinator(ActorContext<Command> context, TimerScheduler<Command> timers, AlgorithmPreferenceRun run,
                            RuntimeSettings settings, ActorRef<Outcome> replyTo, IterativeAlgorithm<S> algorithm) {
        super(context);
        this.timers = timers;
        this.settings = settings;
        this.replyTo = replyTo;
        this.run = run;
        this.algorithm = algorithm;
        this.source = run.part().source();
        this.guard = run.part().guard();
        this.listener = run.listener();
        this.objectives = algorithm.problem().objectiveCount();
        this.preference = run.preference();
        this.runner = context.spawn(StepRunner.create(algorithm), "step-runner",
                DispatcherSelector.fromConfig(RuntimeSettings.MATH_DISPATCHER));
        // a success answers the iteration whichever attempt sent it (the step is pure); a failure only its own
        this.stepReplies = context.messageAdapter(StepRunner.Reply.class, reply ->
                reply instanceof StepRunner.StepFailed f
                        ? new StepAnswered(f.iteration(), f.attempt(), reply, null)
                        : new StepAnswered(((StepRunner.StepDone) reply).iteration(), attempt, reply, null));
        this.journalReplies = context.messageAdapter(JournalWriter.Reply.class, Journal::new);
        if (run.checkpointing().durable()) {
            this.journal = context.spawn(JournalWriter.create(run.checkpointing().journals(), run.run(), run.index()),
                    "journal-writer", DispatcherSelector.fromConfig(JournalWriter.DISPATCHER));
            journal.tell(new JournalWriter.Recover(journalReplies));
        } else {
            this.journal = null;
            start(algorithm.initialState(preference, algorithm.problem().initialUpper()), 0);
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(StepAnswered.class, this::onStepAnswered)
                .onMessage(Expired.class, m -> onStepAnswered(new StepAnswered(m.iteration(), m.attempt(), null,
                        new TimeoutException("no answer within " + settings.askTimeout().toMillis() + " ms"))))
                .onMessage(RetryStep.class, m -> askStep(m.attempt()))
                .onMessage(Journal.class, this::onJournal)
                .onMessage(SetPreference.class, this::onSetPreference)
                .onMessage(Pause.class, this::onPause)
                .onMessage(Resume.class, this::onResume)
                .onMessage(Stop.class, this::onStop)
                .onMessage(Dismiss.class, m -> Behaviors.stopped())
                .build();
    }

    // ---- start and resume ----------------------------------------------------------------------------------

    /** Starts iteration {@code iteration} at {@code initial}; the oracle calls of making it are not the run's. */
    private void start(S initial, int iteration) {
        countedAtStart = IterativeRun.calls(algorithm);
        state = initial;
        k = iteration;
        askStep(1);
    }

    private Behavior<Command> onJournal(Journal m) {
        if (m.reply() instanceof JournalWriter.Recovered recovered) return resume(recovered.checkpoint());
        if (m.reply() instanceof JournalWriter.JournalFailed f) {
            return fail(journal.path().toString(), f.what() + " failed: " + f.cause()
                    + "; the run stops rather than go on without its checkpoints", f.cause());
        }
        return this; // a checkpoint committed while the run goes on
    }

    private Behavior<Command> resume(Optional<Checkpoint> recovered) {
        if (recovered.isEmpty()) {
            start(algorithm.initialState(preference, algorithm.problem().initialUpper()), 0);
            return this;
        }
        Checkpoint cp = recovered.get();
        BilevelProblem p = algorithm.problem();
        S resumed;
        try {
            cp.requireCompatible(algorithm.name(), algorithm.configuration(), p.upperDimension(), p.lowerDimension(),
                    p.objectiveCount());
            resumed = algorithm.stateCodec().decode(StateImage.of(cp));
            preference = cp.preference();
            callsBefore = cp.oracleCalls();
            Optional<ParetoPoint> last = StateImage.finalPoint(cp);
            // a finished run ends where it ended, unless this run's budget goes further (a larger K): then it
            // goes on from the checkpoint, the state after its last step, as if it had never stopped
            if (last.isPresent() && run.until().finished(last.get().iterations(), last.get().stationarity())) {
                return finishedBefore(last.get(), resumed);
            }
            if (source != null) source.resumeAt(cp.positions());
            else if (!cp.positions().isEmpty()) {
                throw new InvalidInputException("checkpoint.positions", cp.positions(),
                        "none: " + algorithm.name() + " here reads no data");
            }
        } catch (RuntimeException e) {
            return fail(journal.path().toString(), "the checkpoint " + cp.key() + " at iteration " + cp.iteration()
                    + " cannot be resumed: " + e.getMessage(), e);
        }
        getContext().getLog().info("{}: resumed from the checkpoint at iteration {}", key(), cp.iteration());
        start(resumed, Math.toIntExact(cp.iteration()));
        return this;
    }

    /** The run had ended: its point from the checkpoint, nothing computed, nothing journaled again. */
    private Behavior<Command> finishedBefore(ParetoPoint point, S resumed) {
        getContext().getLog().info("{}: had finished at iteration {}; its point is the checkpoint's", key(),
                point.iterations());
        k = point.iterations();
        try {
            listener.onParetoPoint(point);
        } catch (RuntimeException e) {
            return fail("the run listener", "its onParetoPoint threw " + e + "; fix the listener", e);
        }
        return report(point, resumed);
    }

    // ---- one outer iteration -------------------------------------------------------------------------------

    private Behavior<Command> askStep(int attempt) {
        this.attempt = attempt;
        answered = false;
        timers.startSingleTimer(DEADLINE, new Expired(k, attempt), settings.askTimeout());
        runner.tell(new StepRunner.RunStep(k, attempt, state, stepReplies));
        return this;
    }

    @SuppressWarnings("unchecked")
    private Behavior<Command> onStepAnswered(StepAnswered m) {
        if (m.iteration() != k || m.attempt() != attempt || answered || state == null) return this;
        timers.cancel(DEADLINE);
        if (m.reply() instanceof StepRunner.StepDone done) {
            answered = true;
            return completeStep((IterativeAlgorithm.Step<S>) done.step(), done.nanos());
        }
        Throwable cause = m.reply() instanceof StepRunner.StepFailed f ? f.cause() : m.failure();
        String what = cause instanceof TimeoutException ? "no answer within " + settings.askTimeout().toMillis() + " ms"
                : "it threw " + cause;
        String actor = runner.path().toString();
        if (cause instanceof NoDataException) {
            return fail(actor, what + " (not retried: no data came within the batch timeout; start a producer or"
                    + " raise the timeout)", cause);
        }
        if (cause instanceof NonFiniteValueException nonFinite && guard != null) {
            DivergenceException diverged = guard.nonFinite(nonFinite);
            return fail(actor, diverged.getMessage(), diverged);
        }
        if (cause instanceof NonFiniteValueException || cause instanceof InvalidInputException
                || cause instanceof DivergenceException) {
            return fail(actor, what + " (not retried: the step is deterministic; check the step sizes and the"
                    + " problem's oracles)", cause);
        }
        if (m.attempt() >= settings.maxAttempts()) {
            String advice = cause instanceof TimeoutException
                    ? "; raise mobl.actors.ask-timeout if the oracles are only slow, or look for a hang in them"
                    : "; see the cause";
            return fail(actor, what + " on attempt " + m.attempt() + " of " + settings.maxAttempts() + advice, cause);
        }
        getContext().getLog().warn("{}: {} at iteration {}: {}; asking again (attempt {} of {})", key(),
                runner.path().name(), k, what, m.attempt() + 1, settings.maxAttempts());
        timers.startSingleTimer(new RetryStep(k, m.attempt() + 1), settings.backoffBefore(m.attempt() + 1));
        return this;
    }

    /** Reports step k, then ends the run, pauses, or goes on with k + 1. */
    private Behavior<Command> completeStep(IterativeAlgorithm.Step<S> step, long nanos) {
        StepReport report = step.report();
        IterateTelemetry telemetry;
        try {
            if (guard != null) guard.observe(report.iteration(), report.objectives(), report.stepNorm());
            telemetry = report.telemetry(run.run(), preference, calls(), nanos);
        } catch (DivergenceException e) {
            return fail(runner.path().toString(), e.getMessage(), e);
        } catch (InvalidInputException e) {
            return fail(runner.path().toString(), "its report is not valid telemetry: " + e.getMessage(), e);
        }
        try {
            run.observer().onStep(run.index(), report);
            listener.onIteration(telemetry);
        } catch (RuntimeException e) {
            return fail("the run listener", "its onIteration threw " + e + "; fix the listener", e);
        }
        if (journal != null) journal.tell(new JournalWriter.AppendTelemetry(telemetry));
        if (source != null) {
            try {
                source.iterationDone(k, step.used());
            } catch (RuntimeException e) {
                return fail("the batch source", "its iterationDone threw " + e + "; the batches of iteration " + k
                        + " were not acknowledged", e);
            }
        }
        if (run.until().finished(k, report.measure())) return finish(step, true);
        if (stopRequested) return finish(step, false);
        if (run.paretoEvery() > 0 && k > 0 && k % run.paretoEvery() == 0) {
            ParetoPoint current = report.point(run.run(), preference, calls());
            try {
                listener.onParetoPoint(current);
            } catch (RuntimeException e) {
                return fail("the run listener", "its onParetoPoint threw " + e + "; fix the listener", e);
            }
            if (journal != null) journal.tell(new JournalWriter.AppendPoint(current));
        }
        if (pauseRequested) {
            paused = step;
            getContext().getLog().info("{}: paused after iteration {}", key(), k);
            return this;
        }
        return advance(step);
    }

    private Behavior<Command> advance(IterativeAlgorithm.Step<S> step) {
        paused = null;
        state = step.next();
        k++;
        if (pendingPreference != null) {
            try {
                state = withPreference(state, pendingPreference);
            } catch (RuntimeException e) {
                return fail(runner.path().toString(), "the new preference could not be set: " + e, e);
            }
            preference = pendingPreference;
            pendingPreference = null;
        }
        int every = run.checkpointing().every();
        if (journal != null && every > 0 && k % every == 0) commit(state, k, null, false);
        return askStep(1);
    }

    /**
     * The run ends at step k, as the synchronous loop ends: its point, then the final checkpoint (k + 1). A run that
     * met its own end ({@code done}: K, ε) marks it finished, and a restart gives the point back; a stopped run (a
     * control, a signal) does not, so that starting it again goes on training from k + 1.
     */
    private Behavior<Command> finish(IterativeAlgorithm.Step<S> step, boolean done) {
        paused = null;
        ParetoPoint point = step.report().point(run.run(), preference, calls());
        try {
            listener.onParetoPoint(point);
        } catch (RuntimeException e) {
            return fail("the run listener", "its onParetoPoint threw " + e + "; fix the listener", e);
        }
        if (journal == null) return report(point, state);
        journal.tell(new JournalWriter.AppendPoint(point));
        commit(step.next(), k + 1, point, done);
        S last = state;
        timers.cancelAll();
        return Behaviors.receive(Command.class)
                .onMessage(Journal.class, m -> {
                    if (m.reply() instanceof JournalWriter.Committed c && c.last()) return report(point, last);
                    if (m.reply() instanceof JournalWriter.JournalFailed f) {
                        return fail(journal.path().toString(), f.what() + " failed: " + f.cause(), f.cause());
                    }
                    return Behaviors.same();
                })
                .onMessage(Control.class, m -> {
                    m.replyTo().tell(new Rejected(new IllegalStateException("the run for preference " + run.index()
                            + " of " + run.run() + " is ending at iteration " + k + " (its final checkpoint is being"
                            + " committed)")));
                    return Behaviors.same();
                })
                .onMessage(Dismiss.class, m -> Behaviors.stopped())
                .onAnyMessage(m -> Behaviors.same())
                .build();
    }

    /**
     * Sends the checkpoint of {@code at} (iteration {@code iteration}) to the writer; {@code point}: the final one
     * (its answer ends the run), {@code finished}: whether it closes the run for good.
     */
    private void commit(S at, int iteration, ParetoPoint point, boolean finished) {
        List<SourcePosition> positions = source == null ? List.of() : source.positions();
        OracleCalls calls = calls();
        StateCodec<S> codec = algorithm.stateCodec();
        BilevelProblem p = algorithm.problem();
        String name = algorithm.name();
        String configuration = algorithm.configuration();
        String runName = run.run();
        int index = run.index();
        journal.tell(new JournalWriter.Commit(iteration, () -> {
            StateImage image = codec.encode(at);
            if (finished) image = image.withPoint(point);
            return image.toCheckpoint(runName, index, name, configuration, p.upperDimension(), p.lowerDimension(),
                    finished, calls, positions);
        }, point != null, journalReplies));
    }

    private Behavior<Command> report(ParetoPoint point, S last) {
        WcMhgdState wc = last instanceof WcMhgdState s ? s : null;
        replyTo.tell(new Finished(run.index(), new Solution(point, Nd4j.createFromArray(point.x()), wc)));
        return ended("the run for preference " + run.index() + " of " + run.run() + " has ended at iteration "
                + point.iterations());
    }

    /** This run's oracle calls so far: the checkpoint's and those counted since. */
    private OracleCalls calls() {
        return callsBefore.plus(IterativeRun.calls(algorithm).minus(countedAtStart));
    }

    private S withPreference(S at, double[] r) {
        StateCodec<S> codec = algorithm.stateCodec();
        StateImage image = codec.encode(at);
        return codec.decode(new StateImage(image.iteration(), r, image.vectors(), image.counters()));
    }

    /** After the run: controls are rejected with {@code why}; answers still in flight are dropped. */
    private Behavior<Command> ended(String why) {
        return Coordinator.ended(getContext(), timers, why);
    }

    private Behavior<Command> fail(String actor, String reason, Throwable cause) {
        RunFailedException error = new RunFailedException(key(), actor, -1, k, reason, cause);
        getContext().getLog().error(error.getMessage());
        replyTo.tell(new Failed(run.index(), error));
        return ended("the run for preference " + run.index() + " of " + run.run() + " has failed: "
                + error.getMessage());
    }

    private String key() {
        return PreferenceKey.of(run.run(), preference);
    }

    // ---- controls (P3) -------------------------------------------------------------------------------------

    private Behavior<Command> onSetPreference(SetPreference m) {
        try {
            double[] r = Checks.preference("preference", m.preference(), objectives).clone();
            try {
                algorithm.stateCodec();
            } catch (UnsupportedOperationException e) {
                throw new InvalidInputException("preference", PreferenceKey.label(r), "no new preference mid-run: "
                        + e.getMessage() + ", and its preference is part of its state");
            }
            pendingPreference = r;
        } catch (InvalidInputException e) {
            m.replyTo().tell(new Rejected(e));
            return this;
        }
        getContext().getLog().info("{}: preference {} from iteration {}", key(), PreferenceKey.label(pendingPreference),
                k + 1);
        m.replyTo().tell(new Accepted(k));
        return this;
    }

    private Behavior<Command> onPause(Pause m) {
        pauseRequested = true;
        m.replyTo().tell(new Accepted(k));
        return this;
    }

    private Behavior<Command> onResume(Resume m) {
        pauseRequested = false;
        m.replyTo().tell(new Accepted(k));
        return paused == null ? this : advance(paused);
    }

    private Behavior<Command> onStop(Stop m) {
        stopRequested = true;
        m.replyTo().tell(new Accepted(k));
        return paused == null ? this : finish(paused, false);
    }
}
