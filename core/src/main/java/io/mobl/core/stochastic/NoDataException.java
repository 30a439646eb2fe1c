package io.mobl.core.stochastic;

import io.mobl.protocol.Minibatch;
import java.time.Duration;

/**
 * A stochastic run waited for a minibatch longer than its batch timeout and ends: no producer is writing, or it
 * is too slow. The message names the role, the iteration, how many of the batch's samples had arrived, and what
 * to do next. Not retried: waiting again would only hide a producer that has stopped.
 */
public final class NoDataException extends RuntimeException {
    private final int objective;
    private final int iteration;

    /**
     * @param objective {@link Minibatch#LOWER} or the upper objective s whose data did not come
     * @param iteration k
     * @param received  samples of the batch in hand when the wait ended
     * @param wanted    samples the batch needs
     */
    public NoDataException(int objective, int iteration, Duration timeout, int received, int wanted) {
        super("no " + role(objective) + " minibatch arrived within " + timeout + " at iteration " + iteration
                + " (" + received + " of the " + wanted + " samples of the batch were in); is a producer writing "
                + "this data (e.g. ./mobl produce --dataset synthetic)? If it is only slow, raise the batch timeout");
        this.objective = objective;
        this.iteration = iteration;
    }

    public int objective() { return objective; }
    public int iteration() { return iteration; }

    static String role(int objective) {
        return objective == Minibatch.LOWER ? "lower-level" : "upper objective " + objective + "'s";
    }
}
