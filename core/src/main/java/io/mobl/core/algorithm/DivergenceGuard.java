package io.mobl.core.algorithm;

import java.util.List;
import java.util.Locale;

/**
 * Watches a run's iterations for divergence and stops it early with a message that names the step to lower.
 * A run diverges when
 * <ul>
 *   <li>a value becomes non-finite (the algorithms reject such a step with a {@link NonFiniteValueException}; the
 *       guard turns it into advice: a non-finite lower-level iterate names the lower-level step, anything else the
 *       upper one), or</li>
 *   <li>the step ‖x_{k+1} − x_k‖, or the largest objective (as 1 + max_s |f_s|), grew in each of the last
 *       {@value #WINDOW} iterations, by at least {@value #GROWTH}× in all, to more than it ever was before: the
 *       signature of a step beyond the stable range, where each iteration multiplies the error by some g &gt; 1.</li>
 * </ul>
 * For a gradient step η on curvature λ that factor is g = ηλ − 1, so λ ≈ (1 + g)/η and the stable step 1/λ is about
 * η/(1 + g): that is the value suggested, between a half and a tenth of the current step (growth faster than
 * geometric says more about the problem's nonlinearity than about λ). After a non-finite value it is a tenth. One
 * guard per run; not thread-safe.
 */
public final class DivergenceGuard {
    /** Iterations of growth in a row that count as divergence. */
    public static final int WINDOW = 5;
    /** The growth over the window that counts as divergence. */
    public static final double GROWTH = 10;

    private final String algorithm;
    private final List<StepSize> steps;
    private final double[] stepNorms = new double[WINDOW + 1];
    private final double[] objectiveScales = new double[WINDOW + 1];
    private double largestStepBefore = 0;
    private double largestObjectiveBefore = 0;
    private int seen = 0;

    private DivergenceGuard(String algorithm, List<StepSize> steps) {
        this.algorithm = algorithm;
        this.steps = List.copyOf(steps);
    }

    /**
     * @param algorithm its name, for the message
     * @param steps     the run's step sizes ({@link StepSizes.Derived#steps()}); the first upper-level one is the
     *                  one to lower unless the lower level failed
     */
    public static DivergenceGuard of(String algorithm, List<StepSize> steps) {
        return new DivergenceGuard(algorithm, steps);
    }

    /** One iteration's report: throws {@link DivergenceException} when the run diverges. */
    public void observe(int iteration, double[] objectives, double stepNorm) {
        double scale = 1;
        for (double f : objectives) {
            if (!Double.isFinite(f)) throw diverged(iteration, "non-finite objective", false, 10);
            scale = Math.max(scale, 1 + Math.abs(f));
        }
        if (!Double.isFinite(stepNorm)) throw diverged(iteration, "non-finite step", false, 10);
        int at = seen % (WINDOW + 1);
        if (seen > WINDOW) { // the value in this slot leaves the window
            largestStepBefore = Math.max(largestStepBefore, stepNorms[at]);
            largestObjectiveBefore = Math.max(largestObjectiveBefore, objectiveScales[at]);
        }
        stepNorms[at] = stepNorm;
        objectiveScales[at] = scale;
        seen++;
        if (seen <= WINDOW) return;
        check(iteration, stepNorms, largestStepBefore, "the step ‖x_{k+1} − x_k‖");
        check(iteration, objectiveScales, largestObjectiveBefore, "the largest objective");
    }

    private void check(int iteration, double[] values, double largestBefore, String what) {
        int newest = (seen - 1) % (WINDOW + 1);
        int oldest = seen % (WINDOW + 1);
        double first = values[oldest];
        double last = values[newest];
        if (!(first > 0) || last < GROWTH * first || last <= largestBefore) return;
        for (int i = 0; i < WINDOW; i++) {
            int from = (oldest + i) % (WINDOW + 1);
            int to = (oldest + i + 1) % (WINDOW + 1);
            if (!(values[to] > values[from])) return;
        }
        double factor = Math.pow(last / first, 1.0 / WINDOW);
        throw diverged(iteration, String.format(Locale.ROOT, "%s grew %.3g× per iteration over the last %d (to %.3g)",
                what, factor, WINDOW, last), false, Math.min(10, Math.max(2, 1 + factor)));
    }

    /**
     * The advice for a step the algorithm rejected as non-finite.
     *
     * @return the exception to throw instead, with {@code cause} attached
     */
    public DivergenceException nonFinite(NonFiniteValueException cause) {
        boolean lower = cause.quantity().contains("lower-level");
        String what = "non-finite " + cause.quantity() + (cause.objective() >= 0 ? " of objective " + cause.objective() : "");
        DivergenceException e = diverged(cause.iteration(), what, lower, 10);
        e.initCause(cause);
        return e;
    }

    private DivergenceException diverged(int iteration, String what, boolean lowerLevel, double divisor) {
        StepSize step = pick(lowerLevel);
        String head = algorithm + " diverges at iteration " + iteration + ": " + what;
        if (step == null) {
            return new DivergenceException(head + "; lower its step sizes, or check the problem's oracles", iteration,
                    "", Double.NaN);
        }
        double suggested = step.optionValueFor(step.value() / divisor);
        String advice = String.format(Locale.ROOT, "; lower the step %s (--%s, now %.4g, %s): try --%s %.3g", step.symbol(),
                step.option(), step.optionValue(), step.rule(), step.option(), suggested);
        return new DivergenceException(head + advice, iteration, step.option(), suggested);
    }

    private StepSize pick(boolean lowerLevel) {
        for (StepSize s : steps) if (s.lower() == lowerLevel) return s;
        return steps.isEmpty() ? null : steps.get(0);
    }
}
