package io.mobl.streams.kafka;

import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.StochasticWcMhgd;
import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.algorithm.WcMhgd;
import io.mobl.core.algorithm.WcMhgdState;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.CountingStochasticProblem;
import io.mobl.core.stochastic.StochasticBilevelProblem;
import io.mobl.protocol.Checks;
import io.mobl.protocol.ControlMessage;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.ParetoPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;

/**
 * One preference of stochastic WC-MHGD (Alg. 2/3) fed by a {@link BatchSource}, for as long as data comes: the
 * loop of {@link io.mobl.core.algorithm.StochasticSolver} (the same pure steps of {@link StochasticWcMhgd}, the
 * same telemetry, acknowledgements after each reported iteration) plus what continuous training needs: it can be
 * told to change its preference, pause, resume or stop while it runs (from any thread, e.g. the
 * {@link ControlTopic} through {@link #controlHandler()}), and it reports its current Pareto point every
 * {@code paretoEvery} iterations, not only at the end.
 *
 * <p>It ends at K or ε as the synchronous solver does (K = {@link Integer#MAX_VALUE} and ε = 0 run for ever), or
 * after the iteration in progress when stopped, with that iterate as its point; the batches of every reported
 * iteration have been acknowledged to the source by then, so a source with offsets can commit them on close.
 */
public final class StreamingRun {
    private static final Logger log = LoggerFactory.getLogger(StreamingRun.class);

    private final StochasticBilevelProblem problem;
    private final StochasticWcMhgdConfig config;
    private final BatchSource source;
    private final String run;
    private final RunListener listener;
    private final int paretoEvery;

    private final Object lock = new Object();
    private double[] preference;
    private double[] pendingPreference;
    private boolean paused;
    private boolean stopping;
    private volatile int iteration;

    /**
     * @param paretoEvery report the current point every this many iterations (≥ 1), besides the final one
     */
    public StreamingRun(StochasticBilevelProblem problem, StochasticWcMhgdConfig config, BatchSource source,
                        double[] preference, String run, RunListener listener, int paretoEvery) {
        this.problem = problem;
        this.config = config;
        this.source = source;
        this.preference = Checks.preference("preference", preference, problem.objectiveCount()).clone();
        this.run = run;
        this.listener = listener;
        this.paretoEvery = Checks.atLeast("pareto-every", paretoEvery, 1);
    }

    /** Runs until K, ε or {@link #stop()}; returns the last iterate's solution. Call once. */
    public Solution run() throws InterruptedException {
        CountingStochasticProblem counted = new CountingStochasticProblem(problem);
        StochasticWcMhgd algorithm = new StochasticWcMhgd(counted, config);
        WcMhgdState state;
        synchronized (lock) {
            state = algorithm.initialState(preference);
        }
        while (true) {
            iteration = state.iteration();
            StochasticWcMhgd.Iteration step = algorithm.iterate(state, source);
            WcMhgd.Iteration it = step.iteration();
            listener.onIteration(it.telemetry(run, counted.calls()));
            source.iterationDone(state.iteration(), step.used());
            boolean stop;
            synchronized (lock) {
                stop = stopping;
            }
            if (stop || config.finished(state.iteration(), it.update().stationarity())) {
                ParetoPoint point = it.paretoPoint(run, counted.calls());
                listener.onParetoPoint(point);
                return new Solution(point, state.x(), state);
            }
            if (state.iteration() > 0 && state.iteration() % paretoEvery == 0) {
                listener.onParetoPoint(it.paretoPoint(run, counted.calls()));
            }
            state = it.next();
            synchronized (lock) {
                while (paused && !stopping) lock.wait();
                if (pendingPreference != null) {
                    state = state.withPreference(pendingPreference);
                    preference = pendingPreference;
                    pendingPreference = null;
                }
            }
        }
    }

    /** r from the next iteration on (checked here: the open simplex, length S); returns the iteration in progress. */
    public int setPreference(double[] newPreference) {
        double[] r = Checks.preference("preference", newPreference, problem.objectiveCount()).clone();
        synchronized (lock) {
            if (stopping) throw new IllegalStateException("the run " + run + " is stopping");
            pendingPreference = r;
            log.info("run {}: preference {} from iteration {} on", run, java.util.Arrays.toString(r), iteration + 1);
        }
        return iteration;
    }

    /** Holds the run after the iteration in progress. */
    public int pause() {
        synchronized (lock) {
            paused = true;
        }
        return iteration;
    }

    public int resume() {
        synchronized (lock) {
            paused = false;
            lock.notifyAll();
        }
        return iteration;
    }

    /** Ends the run after the iteration in progress (also while paused, at the iterate it paused at). */
    public int stop() {
        synchronized (lock) {
            stopping = true;
            lock.notifyAll();
        }
        return iteration;
    }

    /** The iteration in progress (or the last one). */
    public int iteration() {
        return iteration;
    }

    /** Control-topic commands for this run (only preference index 0 or all of them exist). */
    public ControlTopic.Handler controlHandler() {
        return (message, index) -> {
            if (index != ControlTopic.ALL && index != 0) {
                return CompletableFuture.failedFuture(new InvalidInputException("preference index", index,
                        "0 (the continuous run " + run + " has one preference)"));
            }
            try {
                return CompletableFuture.completedFuture(apply(message));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        };
    }

    private int apply(ControlMessage message) {
        if (message instanceof ControlMessage.SetPreference s) return setPreference(s.preference());
        if (message instanceof ControlMessage.Pause) return pause();
        if (message instanceof ControlMessage.Resume) return resume();
        if (message instanceof ControlMessage.Stop) return stop();
        throw new IllegalArgumentException("unknown control message " + message);
    }
}
