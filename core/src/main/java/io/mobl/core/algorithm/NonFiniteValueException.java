package io.mobl.core.algorithm;

/**
 * A value that is not finite appeared in a step; the step is rejected before it can reach an iterate, a
 * Pareto point or a topic (DESIGN §8).
 */
public final class NonFiniteValueException extends ArithmeticException {
    private final String quantity;
    private final int objective;
    private final int iteration;

    /**
     * @param quantity  what was not finite ("hypergradient", "objective value", "lower-level iterate", …)
     * @param objective s, or −1 when it is not one objective's
     * @param iteration k
     */
    public NonFiniteValueException(String quantity, int objective, int iteration) {
        super("non-finite " + quantity + (objective >= 0 ? " of objective " + objective : "") + " at iteration "
                + iteration + "; the step was rejected (try smaller step sizes, or check the problem's oracles)");
        this.quantity = quantity;
        this.objective = objective;
        this.iteration = iteration;
    }

    public String quantity() { return quantity; }
    public int objective() { return objective; }
    public int iteration() { return iteration; }
}
