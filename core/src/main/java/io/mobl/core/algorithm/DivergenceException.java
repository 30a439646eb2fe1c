package io.mobl.core.algorithm;

/**
 * A run stopped because it diverges: a value became non-finite, or the steps (or objectives) grew every
 * iteration for a while. The message says which step to lower, by its option, and a value to try.
 */
public final class DivergenceException extends ArithmeticException {
    private final int iteration;
    private final String option;
    private final double suggested;

    /**
     * @param message   the whole sentence the user reads
     * @param iteration k where it was seen
     * @param option    the option of the step to lower ("upper-step-size")
     * @param suggested the value of that option to try
     */
    public DivergenceException(String message, int iteration, String option, double suggested) {
        super(message);
        this.iteration = iteration;
        this.option = option;
        this.suggested = suggested;
    }

    public int iteration() { return iteration; }
    public String option() { return option; }
    public double suggested() { return suggested; }
}
