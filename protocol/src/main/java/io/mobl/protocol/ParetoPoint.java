package io.mobl.protocol;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a run found for one preference: the upper-level point, its objective values and how stationary it is.
 * Written as one JSON line per preference ({@code --out}), and to the compacted {@code mobl.pareto} topic
 * keyed by {@link #key()}.
 *
 * @param run          the run's name
 * @param preference   r, in the open simplex (length S)
 * @param x            the upper-level variable (length p)
 * @param objectives   φ_s(x) for s = 1..S, evaluated with the lower-level estimate the run ended on
 * @param stationarity min_{λ∈Δ} ‖∇Φ̂(x)λ‖², the Pareto-stationarity gap of Definition 3.3
 * @param iterations   upper-level iterations performed
 * @param oracleCalls  oracle calls spent on this preference
 */
public record ParetoPoint(
        String run,
        double[] preference,
        double[] x,
        double[] objectives,
        double stationarity,
        int iterations,
        OracleCalls oracleCalls) {

    public ParetoPoint {
        Objects.requireNonNull(run, "run");
        Checks.preference("preference", preference, preference == null ? 0 : preference.length);
        Checks.finite("x", x);
        Checks.length("objectives", objectives, preference.length);
        Checks.finite("objectives", objectives);
        Checks.nonNegative("stationarity", stationarity);
        Checks.atLeast("iterations", iterations, 0);
        Objects.requireNonNull(oracleCalls, "oracleCalls");
    }

    /** Kafka key: run and preference, so that compaction keeps the newest point per preference. */
    public String key() {
        return PreferenceKey.of(run, preference);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParetoPoint p && run.equals(p.run) && Arrays.equals(preference, p.preference)
                && Arrays.equals(x, p.x) && Arrays.equals(objectives, p.objectives)
                && Double.compare(stationarity, p.stationarity) == 0 && iterations == p.iterations
                && oracleCalls.equals(p.oracleCalls);
    }

    @Override
    public int hashCode() {
        return Objects.hash(run, Arrays.hashCode(preference), Arrays.hashCode(x), Arrays.hashCode(objectives),
                stationarity, iterations, oracleCalls);
    }

    @Override
    public String toString() {
        return "ParetoPoint[run=" + run + ", preference=" + Arrays.toString(preference) + ", objectives="
                + Arrays.toString(objectives) + ", stationarity=" + stationarity + ", iterations=" + iterations
                + ", " + oracleCalls + "]";
    }
}
