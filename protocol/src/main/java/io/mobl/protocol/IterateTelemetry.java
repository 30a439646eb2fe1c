package io.mobl.protocol;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One upper-level iteration, as the coordinator saw it. Published per iteration to {@code mobl.telemetry}
 * keyed by run/preference.
 *
 * @param run          the run's name
 * @param preference   r in force at this iteration (it may change mid-run)
 * @param iteration    k, from 0
 * @param objectives   φ̂_s(x_k), length S
 * @param weights      λ_k from the weight QP (5), length S, in the simplex
 * @param stationarity min-norm gap of Definition 3.3 at x_k
 * @param stepNorm     ‖x_{k+1} − x_k‖
 * @param oracleCalls  cumulative oracle calls of this run/preference so far
 * @param phaseNanos   wall time of each phase of this iteration ("lower", "hypergradient", "weights", "update")
 * @param kktResidual  the KKT residual of the constrained subproblem the algorithm solved at x_k (WC-MHGD: the
 *                     weight QP (5) on the simplex), ≥ 0; NaN for an algorithm that solves none
 */
public record IterateTelemetry(
        String run,
        double[] preference,
        int iteration,
        double[] objectives,
        double[] weights,
        double stationarity,
        double stepNorm,
        OracleCalls oracleCalls,
        Map<String, Long> phaseNanos,
        double kktResidual) {

    public IterateTelemetry {
        Objects.requireNonNull(run, "run");
        Checks.preference("preference", preference, preference == null ? 0 : preference.length);
        Checks.atLeast("iteration", iteration, 0);
        Checks.length("objectives", objectives, preference.length);
        Checks.finite("objectives", objectives);
        Checks.length("weights", weights, preference.length);
        Checks.finite("weights", weights);
        Checks.nonNegative("stationarity", stationarity);
        Checks.nonNegative("stepNorm", stepNorm);
        Objects.requireNonNull(oracleCalls, "oracleCalls");
        phaseNanos = Map.copyOf(phaseNanos);
        if (!Double.isNaN(kktResidual)) Checks.nonNegative("kktResidual", kktResidual);
    }

    /** An iteration of an algorithm that reports no KKT residual. */
    public IterateTelemetry(String run, double[] preference, int iteration, double[] objectives, double[] weights,
                            double stationarity, double stepNorm, OracleCalls oracleCalls, Map<String, Long> phaseNanos) {
        this(run, preference, iteration, objectives, weights, stationarity, stepNorm, oracleCalls, phaseNanos, Double.NaN);
    }

    /** Whether the algorithm reported a {@link #kktResidual()}. */
    public boolean hasKktResidual() {
        return !Double.isNaN(kktResidual);
    }

    public String key() {
        return PreferenceKey.of(run, preference);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IterateTelemetry t && run.equals(t.run) && Arrays.equals(preference, t.preference)
                && iteration == t.iteration && Arrays.equals(objectives, t.objectives)
                && Arrays.equals(weights, t.weights) && Double.compare(stationarity, t.stationarity) == 0
                && Double.compare(stepNorm, t.stepNorm) == 0 && oracleCalls.equals(t.oracleCalls)
                && phaseNanos.equals(t.phaseNanos) && Double.compare(kktResidual, t.kktResidual) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(run, Arrays.hashCode(preference), iteration, Arrays.hashCode(objectives),
                Arrays.hashCode(weights), stationarity, stepNorm, oracleCalls, phaseNanos, kktResidual);
    }

    @Override
    public String toString() {
        return "IterateTelemetry[" + key() + " k=" + iteration + " objectives=" + Arrays.toString(objectives)
                + " weights=" + Arrays.toString(weights) + " stationarity=" + stationarity + "]";
    }
}
