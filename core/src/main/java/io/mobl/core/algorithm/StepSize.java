package io.mobl.core.algorithm;

import java.util.Locale;

/**
 * One step size a run uses, the option that sets it, and where its value came from: given by the user, or derived
 * from the problem's constants by the rule a paper's theorem prescribes ({@link StepSizes}).
 *
 * @param option      the option (and configuration key) that sets it, without dashes: "upper-step-size"
 * @param symbol      the papers' name: "α", "β", "η", "μ"
 * @param value       the step itself, &gt; 0
 * @param optionValue the value the option would take to give this step (the same as {@code value}, except for
 *                    WC-Penalty's η = η₀·T^(−1/4), whose option sets η₀)
 * @param rule        how it was obtained: "given", or the rule and the constants it used
 * @param lower       whether it is a lower-level step (a non-finite lower-level iterate then names it)
 */
public record StepSize(String option, String symbol, double value, double optionValue, String rule, boolean lower) {

    public StepSize {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new io.mobl.protocol.InvalidInputException(option, value, "a finite step size > 0 (" + rule + ")");
        }
    }

    /** A step the user gave. */
    public static StepSize given(String option, String symbol, double value, boolean lower) {
        return new StepSize(option, symbol, value, value, "given", lower);
    }

    /** A step derived by {@code rule}. */
    public static StepSize derived(String option, String symbol, double value, String rule, boolean lower) {
        return new StepSize(option, symbol, value, value, rule, lower);
    }

    /** The option's value that would make the step {@code step} (scaled as this one is). */
    public double optionValueFor(double step) {
        return step * optionValue / value;
    }

    /** "β = 0.1101 (Theorem 5.5 with L_φ = 3.03 (stated))". */
    public String describe() {
        String shown = optionValue == value ? "" : String.format(Locale.ROOT, ", %s = %.4g", option, optionValue);
        return String.format(Locale.ROOT, "%s = %.4g (%s%s)", symbol, value, rule, shown);
    }
}
