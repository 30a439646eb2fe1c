package io.mobl.actors;

/**
 * A run of the actor runtime ended without a point: a math actor kept failing or never answered, or a step
 * produced a value that is not finite. The message names the preference, the actor, the objective (where the
 * request was one objective's) and the iteration, and says what to try next.
 */
public final class RunFailedException extends RuntimeException {
    private final String preference;
    private final String actor;
    private final int objective;
    private final int iteration;

    /**
     * @param preference the run/preference key ({@link io.mobl.protocol.PreferenceKey})
     * @param actor      the path of the actor that failed
     * @param objective  s, or −1 when the request was not one objective's
     * @param iteration  k, or −1 when the failure was not one iteration's
     * @param reason     what went wrong and what to do about it
     * @param cause      the last failure (an exception of the math, or a timeout)
     */
    public RunFailedException(String preference, String actor, int objective, int iteration, String reason,
                              Throwable cause) {
        super(preference + ": " + actor + (objective >= 0 ? " (objective " + objective + ")" : "")
                + " failed" + (iteration >= 0 ? " at iteration " + iteration : "") + ": " + reason, cause);
        this.preference = preference;
        this.actor = actor;
        this.objective = objective;
        this.iteration = iteration;
    }

    public String preference() { return preference; }
    public String actor() { return actor; }
    public int objective() { return objective; }
    public int iteration() { return iteration; }
}
