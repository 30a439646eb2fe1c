package io.mobl.actors;

import io.mobl.core.algorithm.NonFiniteValueException;
import io.mobl.core.algorithm.PhaseTimes;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.WcMhgd;
import io.mobl.core.algorithm.WcMhgdState;
import io.mobl.core.algorithm.WeightUpdate;
import io.mobl.core.hypergradient.HypergradientEstimate;
import io.mobl.core.stochastic.NoDataException;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.PreferenceKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.nd4j.linalg.api.ndarray.INDArray;
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

/**
 * Runs WC-MHGD for one preference as messages (DESIGN §4). It owns the algorithm's state (x_k, y_{k−1}^D, the
 * warm starts v_s, r and k: a {@link WcMhgdState}) and drives one outer iteration at a time:
 * <pre>
 *   SolveLower(k, x_k, y_{k−1})        ─▶ lower-level-solver      ─▶ LowerSolved(k, y_k)
 *   Hypergradient(k, x_k, y_k, v_s)    ─▶ hypergradient-worker-s  ─▶ HypergradientReady(k, s, ∇̂φ_s, φ_s, v_s)   (all S at once)
 *   SolveWeights(k, x_k, r, estimates) ─▶ weight-solver           ─▶ WeightsSolved(k, λ_k, x_{k+1})
 *   IterateTelemetry ─▶ listener;  then the next iteration, or at the end the ParetoPoint ─▶ listener and parent
 * </pre>
 * The phases are {@link WcMhgd}'s, over one {@code CountingProblem} shared by the children, and the state
 * advances by {@link WcMhgd.Iteration#next()}, so the iterates, telemetry and point equal the synchronous
 * solver's bit for bit, and so do the oracle counts. In the stochastic setting ({@link StochasticPreferenceRun})
 * the phases are {@code StochasticWcMhgd}'s: the lower-level solver and each worker read their own role's
 * batches from the run's source, and the coordinator acknowledges an iteration's batches
 * ({@code BatchSource.iterationDone}) right after its telemetry, exactly where {@code StochasticSolver} does; fed
 * the same batch sequence, the run equals {@code StochasticSolver}'s bit for bit. A source that delivers
 * nothing within the batch timeout ends the run at once with a {@link RunFailedException} that says so. The coordinator computes nothing itself; its children run
 * on the math dispatcher.
 *
 * <p>Requests go out by {@code tell}; the children answer to message adapters made once per coordinator, and each
 * request's timeout ({@link RuntimeSettings#askTimeout()}) is a timer of the coordinator, cancelled by the answer.
 * Not {@code ActorContext.ask}: its Java API completes a {@code CompletionStage} whose callback runs on
 * {@code CompletableFuture}'s default executor, and where the common fork-join pool has fewer than two threads
 * (any machine with two cores or fewer) that executor starts a new thread for every answer. Measured on the
 * 2-core benchmark machine: 3–6 ms per outer iteration of a tiny problem, nearly all thread starts
 * (JFR: one {@code jdk.ThreadStart} per ask); with adapters and timers an iteration's messages cost tens of µs.
 *
 * <p>Every request has a timeout. A child that throws answers with the
 * failure and is restarted by its supervisor; a failed or unanswered request is asked again after a back-off,
 * up to {@link RuntimeSettings#maxAttempts()} attempts, and then the run fails with a {@link RunFailedException}
 * naming the actor, the objective and the iteration. Failures the math reports itself (a non-finite value, an
 * invalid input) are deterministic and end the run at once. Because the children hold no state, a retry
 * computes exactly what the failed attempt would have.
 *
 * <p>Controls (P3): {@link SetPreference} takes effect at the next iteration and the run continues from its
 * current x; {@link Pause} holds the run after the iteration in progress; {@link Resume} continues it;
 * {@link Stop} makes the iteration in progress the last, as if the tolerance had been met there.
 */
public final class WeightCoordinator extends AbstractBehavior<Coordinator.Command> {

    private record LowerAnswered(int iteration, int attempt, LowerLevelSolver.Reply reply, Throwable failure)
            implements Command {}

    private record HypergradientAnswered(int iteration, int objective, int attempt, HypergradientWorker.Reply reply,
                                         Throwable failure) implements Command {}

    private record WeightsAnswered(int iteration, int attempt, WeightSolver.Reply reply, Throwable failure)
            implements Command {}

    private record RetryLower(int iteration, int attempt) implements Command {}

    private record RetryHypergradient(int iteration, int objective, int attempt) implements Command {}

    private record RetryWeights(int iteration, int attempt) implements Command {}

    /** The key of a request's timeout timer: one per phase (objective −1) and per hypergradient worker. */
    private record Deadline(String phase, int objective) {}

    /** A request's timer went off: the attempt named has had no answer within the ask timeout. */
    private record Expired(Deadline deadline, int iteration, int attempt) implements Command {}

    private static final Deadline LOWER_DEADLINE = new Deadline("lower", -1);
    private static final Deadline WEIGHTS_DEADLINE = new Deadline("weights", -1);

    private final TimerScheduler<Command> timers;
    private final RuntimeSettings settings;
    private final ActorRef<Outcome> replyTo;
    private final RunPlan run;
    private final RunListener listener;
    private final Steps steps;
    private final int objectives;
    private final ActorRef<LowerLevelSolver.Command> lowerSolver;
    private final List<ActorRef<HypergradientWorker.Command>> workers;
    private final ActorRef<WeightSolver.Command> weightSolver;
    private final ActorRef<LowerLevelSolver.Reply> lowerReplies;
    private final ActorRef<HypergradientWorker.Reply> hypergradientReplies;
    private final ActorRef<WeightSolver.Reply> weightReplies;

    private WcMhgdState state;
    private LowerLevelSolver.LowerSolved lower;
    private final HypergradientEstimate[] estimates;
    private final HypergradientWorker.HypergradientReady[] answers;
    private int received;
    private int lowerAttempt;
    private final int[] hypergradientAttempts;
    private int weightsAttempt;
    /** Whether this iteration's weights are in (a second success, from an earlier attempt, is dropped). */
    private boolean weighed;
    private long started;
    private long lowerDone;
    private long hypergradientsDone;

    private double[] pendingPreference;
    private boolean pauseRequested;
    private boolean stopRequested;
    /** The iteration evaluated last while the run is paused; null while it runs. */
    private WcMhgd.Iteration paused;

    /**
     * @param replyTo receives the {@link Outcome} once; the coordinator then rejects controls until it gets
     *                {@link Dismiss}
     */
    public static Behavior<Command> create(RunPlan run, RuntimeSettings settings, ActorRef<Outcome> replyTo) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
                new WeightCoordinator(context, timers, run, settings, replyTo)));
    }

    private WeightCoordinator(ActorContext<Command> context, TimerScheduler<Command> timers, RunPlan run,
                              RuntimeSettings settings, ActorRef<Outcome> replyTo) {
        super(context);
        this.timers = timers;
        this.settings = settings;
        this.replyTo = replyTo;
        this.run = run;
        this.listener = run.listener();
        this.steps = Steps.of(run);
        this.objectives = steps.objectiveCount();
        DispatcherSelector math = DispatcherSelector.fromConfig(RuntimeSettings.MATH_DISPATCHER);
        this.lowerSolver = context.spawn(LowerLevelSolver.create(steps), "lower-level-solver", math);
        this.workers = new ArrayList<>(objectives);
        for (int s = 0; s < objectives; s++) {
            workers.add(context.spawn(HypergradientWorker.create(steps, s), "hypergradient-worker-" + s, math));
        }
        this.weightSolver = context.spawn(WeightSolver.create(steps), "weight-solver", math);
        this.estimates = new HypergradientEstimate[objectives];
        this.answers = new HypergradientWorker.HypergradientReady[objectives];
        this.hypergradientAttempts = new int[objectives];
        // An adapter runs inside this actor, so it may read the attempt in force. A success answers the iteration
        // whichever attempt sent it (the children are stateless: every attempt computes the same answer); a
        // failure counts only for the attempt it names.
        this.lowerReplies = context.messageAdapter(LowerLevelSolver.Reply.class, reply ->
                reply instanceof LowerLevelSolver.LowerFailed f
                        ? new LowerAnswered(f.iteration(), f.attempt(), reply, null)
                        : new LowerAnswered(((LowerLevelSolver.LowerSolved) reply).iteration(), lowerAttempt, reply,
                                null));
        this.hypergradientReplies = context.messageAdapter(HypergradientWorker.Reply.class, reply -> {
            if (reply instanceof HypergradientWorker.HypergradientFailed f) {
                return new HypergradientAnswered(f.iteration(), f.objective(), f.attempt(), reply, null);
            }
            HypergradientWorker.HypergradientReady ready = (HypergradientWorker.HypergradientReady) reply;
            return new HypergradientAnswered(ready.iteration(), ready.objective(),
                    hypergradientAttempts[ready.objective()], reply, null);
        });
        this.weightReplies = context.messageAdapter(WeightSolver.Reply.class, reply ->
                reply instanceof WeightSolver.WeightsFailed f
                        ? new WeightsAnswered(f.iteration(), f.attempt(), reply, null)
                        : new WeightsAnswered(((WeightSolver.WeightsSolved) reply).iteration(), weightsAttempt,
                                reply, null));
        this.state = steps.initialState(run.preference());
        evaluate();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(LowerAnswered.class, this::onLowerAnswered)
                .onMessage(HypergradientAnswered.class, this::onHypergradientAnswered)
                .onMessage(WeightsAnswered.class, this::onWeightsAnswered)
                .onMessage(Expired.class, this::onExpired)
                .onMessage(RetryLower.class, m -> askLower(m.attempt()))
                .onMessage(RetryHypergradient.class, m -> askHypergradient(m.objective(), m.attempt()))
                .onMessage(RetryWeights.class, m -> askWeights(m.attempt()))
                .onMessage(SetPreference.class, this::onSetPreference)
                .onMessage(Pause.class, this::onPause)
                .onMessage(Resume.class, this::onResume)
                .onMessage(Stop.class, this::onStop)
                .onMessage(Dismiss.class, m -> Behaviors.stopped())
                .build();
    }

    // ---- one outer iteration -------------------------------------------------------------------------------

    /** Starts iteration k = state.iteration() at x_k. */
    private void evaluate() {
        lower = null;
        Arrays.fill(estimates, null);
        Arrays.fill(answers, null);
        received = 0;
        weighed = false;
        started = System.nanoTime();
        askLower(1);
    }

    private Behavior<Command> askLower(int attempt) {
        int k = state.iteration();
        INDArray x = state.x();
        INDArray warmStart = state.lower();
        lowerAttempt = attempt;
        timers.startSingleTimer(LOWER_DEADLINE, new Expired(LOWER_DEADLINE, k, attempt), settings.askTimeout());
        lowerSolver.tell(new LowerLevelSolver.SolveLower(k, attempt, x, warmStart, lowerReplies));
        return this;
    }

    private Behavior<Command> onLowerAnswered(LowerAnswered m) {
        if (m.iteration() != state.iteration() || m.attempt() != lowerAttempt || lower != null) return this;
        timers.cancel(LOWER_DEADLINE);
        if (m.reply() instanceof LowerLevelSolver.LowerSolved solved) {
            lower = solved;
            lowerDone = System.nanoTime();
            for (int s = 0; s < objectives; s++) askHypergradient(s, 1);
            return this;
        }
        Throwable cause = m.reply() instanceof LowerLevelSolver.LowerFailed f ? f.cause() : m.failure();
        return retryOrFail(lowerSolver, -1, m.attempt(), cause, new RetryLower(m.iteration(), m.attempt() + 1));
    }

    private Behavior<Command> askHypergradient(int objective, int attempt) {
        int k = state.iteration();
        INDArray x = state.x();
        LowerLevelSolver.LowerSolved y = lower;
        INDArray warmStart = state.warmStart(objective);
        hypergradientAttempts[objective] = attempt;
        Deadline deadline = new Deadline("hypergradient", objective);
        timers.startSingleTimer(deadline, new Expired(deadline, k, attempt), settings.askTimeout());
        workers.get(objective).tell(new HypergradientWorker.Hypergradient(k, attempt, x, y, warmStart,
                hypergradientReplies));
        return this;
    }

    private Behavior<Command> onHypergradientAnswered(HypergradientAnswered m) {
        int s = m.objective();
        if (m.iteration() != state.iteration() || m.attempt() != hypergradientAttempts[s] || estimates[s] != null) {
            return this;
        }
        timers.cancel(new Deadline("hypergradient", s));
        if (m.reply() instanceof HypergradientWorker.HypergradientReady ready) {
            estimates[s] = ready.estimate();
            answers[s] = ready;
            if (++received == objectives) {
                hypergradientsDone = System.nanoTime();
                askWeights(1);
            }
            return this;
        }
        Throwable cause = m.reply() instanceof HypergradientWorker.HypergradientFailed f ? f.cause() : m.failure();
        return retryOrFail(workers.get(s), s, m.attempt(), cause,
                new RetryHypergradient(m.iteration(), s, m.attempt() + 1));
    }

    private Behavior<Command> askWeights(int attempt) {
        int k = state.iteration();
        INDArray x = state.x();
        double[] preference = state.preference();
        List<HypergradientEstimate> all = List.of(estimates);
        weightsAttempt = attempt;
        timers.startSingleTimer(WEIGHTS_DEADLINE, new Expired(WEIGHTS_DEADLINE, k, attempt),
                settings.askTimeout());
        weightSolver.tell(new WeightSolver.SolveWeights(k, attempt, x, preference, all, weightReplies));
        return this;
    }

    private Behavior<Command> onWeightsAnswered(WeightsAnswered m) {
        if (m.iteration() != state.iteration() || m.attempt() != weightsAttempt || weighed) return this;
        timers.cancel(WEIGHTS_DEADLINE);
        if (m.reply() instanceof WeightSolver.WeightsSolved solved) {
            weighed = true;
            return completeIteration(solved.update());
        }
        Throwable cause = m.reply() instanceof WeightSolver.WeightsFailed f ? f.cause() : m.failure();
        return retryOrFail(weightSolver, -1, m.attempt(), cause, new RetryWeights(m.iteration(), m.attempt() + 1));
    }

    /** Reports iteration k, then ends the run, pauses, or goes on with k + 1. */
    private Behavior<Command> completeIteration(WeightUpdate update) {
        long now = System.nanoTime();
        WcMhgd.Iteration iteration = new WcMhgd.Iteration(state, lower.lower(), List.of(estimates), update,
                new PhaseTimes(lowerDone - started, hypergradientsDone - lowerDone, now - hypergradientsDone));
        IterateTelemetry telemetry = iteration.telemetry(run.run(), steps.calls());
        try {
            listener.onIteration(telemetry);
        } catch (RuntimeException e) {
            return fail("the run listener", -1, "its onIteration threw " + e + "; fix the listener", e);
        }
        try {
            steps.iterationDone(state.iteration(), lower, List.of(answers));
        } catch (RuntimeException e) {
            return fail("the batch source", -1, "its iterationDone threw " + e + "; the batches of iteration "
                    + state.iteration() + " were not acknowledged", e);
        }
        if (stopRequested || steps.finished(state.iteration(), update.stationarity())) return finish(iteration);
        if (pauseRequested) {
            paused = iteration;
            getContext().getLog().info("{}: paused after iteration {}", key(), state.iteration());
            return this;
        }
        return advance(iteration);
    }

    private Behavior<Command> advance(WcMhgd.Iteration iteration) {
        paused = null;
        state = iteration.next();
        if (pendingPreference != null) {
            state = state.withPreference(pendingPreference);
            pendingPreference = null;
        }
        evaluate();
        return this;
    }

    /** Ends the run at the iteration just evaluated, exactly as the synchronous solver does. */
    private Behavior<Command> finish(WcMhgd.Iteration iteration) {
        WcMhgdState at = iteration.state();
        ParetoPoint point = iteration.paretoPoint(run.run(), steps.calls());
        try {
            listener.onParetoPoint(point);
        } catch (RuntimeException e) {
            return fail("the run listener", -1, "its onParetoPoint threw " + e + "; fix the listener", e);
        }
        replyTo.tell(new Finished(run.index(), new Solution(point, at.x(), at)));
        return ended("the run for preference " + run.index() + " of " + run.run() + " has ended at iteration "
                + at.iteration());
    }

    /** After the run: controls are rejected with {@code why}; answers still in flight are dropped. */
    private Behavior<Command> ended(String why) {
        return Coordinator.ended(getContext(), timers, why);
    }

    // ---- failures ------------------------------------------------------------------------------------------

    /** A request's timer: the attempt it names failed with a timeout (ignored there if it was answered). */
    private Behavior<Command> onExpired(Expired m) {
        TimeoutException timeout = new TimeoutException("no answer within " + settings.askTimeout().toMillis()
                + " ms");
        if (m.deadline() == LOWER_DEADLINE) {
            return onLowerAnswered(new LowerAnswered(m.iteration(), m.attempt(), null, timeout));
        }
        if (m.deadline() == WEIGHTS_DEADLINE) {
            return onWeightsAnswered(new WeightsAnswered(m.iteration(), m.attempt(), null, timeout));
        }
        return onHypergradientAnswered(new HypergradientAnswered(m.iteration(), m.deadline().objective(),
                m.attempt(), null, timeout));
    }

    private Behavior<Command> retryOrFail(ActorRef<?> actor, int objective, int attempt, Throwable cause,
                                          Command retry) {
        String what = cause instanceof TimeoutException
                ? "no answer within " + settings.askTimeout().toMillis() + " ms"
                : "it threw " + cause;
        if (cause instanceof NoDataException) {
            return fail(actor.path().toString(), objective, what + " (not retried: no data came within the batch"
                    + " timeout; start a producer or raise the timeout)", cause);
        }
        if (cause instanceof NonFiniteValueException || cause instanceof InvalidInputException) {
            return fail(actor.path().toString(), objective, what
                    + " (not retried: the step is deterministic; check the step sizes and the problem's oracles)",
                    cause);
        }
        if (attempt >= settings.maxAttempts()) {
            String advice = cause instanceof TimeoutException
                    ? "; raise mobl.actors.ask-timeout if the oracles are only slow, or look for a hang in them"
                    : "; see the cause";
            return fail(actor.path().toString(), objective,
                    what + " on attempt " + attempt + " of " + settings.maxAttempts() + advice, cause);
        }
        getContext().getLog().warn("{}: {} at iteration {}: {}; asking again (attempt {} of {})", key(),
                actor.path().name(), state.iteration(), what, attempt + 1, settings.maxAttempts());
        timers.startSingleTimer(retry, settings.backoffBefore(attempt + 1));
        return this;
    }

    private Behavior<Command> fail(String actor, int objective, String reason, Throwable cause) {
        RunFailedException error = new RunFailedException(key(), actor, objective, state.iteration(), reason, cause);
        getContext().getLog().error(error.getMessage());
        replyTo.tell(new Failed(run.index(), error));
        return ended("the run for preference " + run.index() + " of " + run.run() + " has failed: "
                + error.getMessage());
    }

    private String key() {
        return PreferenceKey.of(run.run(), state.preference());
    }

    // ---- controls (P3) -------------------------------------------------------------------------------------

    private Behavior<Command> onSetPreference(SetPreference m) {
        try {
            pendingPreference = Checks.preference("preference", m.preference(), objectives).clone();
        } catch (InvalidInputException e) {
            m.replyTo().tell(new Rejected(e));
            return this;
        }
        getContext().getLog().info("{}: preference {} from iteration {}", key(),
                PreferenceKey.label(pendingPreference), state.iteration() + 1);
        m.replyTo().tell(new Accepted(state.iteration()));
        return this;
    }

    private Behavior<Command> onPause(Pause m) {
        pauseRequested = true;
        m.replyTo().tell(new Accepted(state.iteration()));
        return this;
    }

    private Behavior<Command> onResume(Resume m) {
        pauseRequested = false;
        m.replyTo().tell(new Accepted(state.iteration()));
        return paused == null ? this : advance(paused);
    }

    private Behavior<Command> onStop(Stop m) {
        stopRequested = true;
        m.replyTo().tell(new Accepted(state.iteration()));
        return paused == null ? this : finish(paused);
    }
}
