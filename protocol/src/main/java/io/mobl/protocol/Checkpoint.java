package io.mobl.protocol;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A coordinator's whole state between two iterations: everything a run for one preference needs to go on
 * exactly as if it had never stopped. Written every N iterations to the compacted topic {@code mobl.checkpoints}
 * (keyed {@link #key()}: run and the preference's index in its sweep, stable while the preference itself may be
 * changed on the control topic) or to a file; encoded by {@link io.mobl.protocol.codec.CheckpointCodec} (binary,
 * versioned, checksummed).
 *
 * <p>The algorithm's own state travels as named float64 arrays ({@code vectors}: x, y, warm starts, λ, momentum
 * …) and named integer arrays ({@code counters}: generator states, counts); each algorithm names its entries
 * and reads them back bit for bit. Arrays are owned by the record once constructed: do not mutate them.
 *
 * @param run             the run's name
 * @param preferenceIndex the preference's position in its sweep, from 0
 * @param algorithm       the algorithm whose state this is ("wc-mhgd", "forum", …)
 * @param configuration   what the state is only valid for, as text the run compares on resume (the problem's
 *                        identity and the settings that shape the state), "" when the writer has none
 * @param iteration       k, the iteration this state starts (iterations 0..k−1 are done and reported)
 * @param upperDimension  p
 * @param lowerDimension  q
 * @param objectives      S
 * @param preference      r in force for iteration k, length S, in the open simplex
 * @param finished        whether the run had ended; its final point can then be rebuilt without computing
 * @param oracleCalls     oracle calls of iterations 0..k−1 (with any failed attempts)
 * @param positions       where each data stream stands: just past every batch that iterations 0..k−1 used
 * @param vectors         the algorithm's float64 state by name, sorted by name
 * @param counters        the algorithm's integer state by name, sorted by name
 */
public record Checkpoint(
        String run,
        int preferenceIndex,
        String algorithm,
        String configuration,
        long iteration,
        int upperDimension,
        int lowerDimension,
        int objectives,
        double[] preference,
        boolean finished,
        OracleCalls oracleCalls,
        List<SourcePosition> positions,
        SortedMap<String, double[]> vectors,
        SortedMap<String, long[]> counters) {

    public Checkpoint {
        if (run == null || run.isEmpty()) throw new InvalidInputException("checkpoint.run", run, "a run name");
        Checks.atLeast("checkpoint.preferenceIndex", preferenceIndex, 0);
        if (algorithm == null || algorithm.isEmpty()) {
            throw new InvalidInputException("checkpoint.algorithm", algorithm, "an algorithm name");
        }
        Objects.requireNonNull(configuration, "configuration");
        if (iteration < 0) throw new InvalidInputException("checkpoint.iteration", iteration, "an iteration >= 0");
        Checks.atLeast("checkpoint.upperDimension", upperDimension, 1);
        Checks.atLeast("checkpoint.lowerDimension", lowerDimension, 1);
        Checks.atLeast("checkpoint.objectives", objectives, 1);
        preference = Checks.preference("checkpoint.preference", preference, objectives).clone();
        Objects.requireNonNull(oracleCalls, "oracleCalls");
        positions = List.copyOf(positions);
        vectors = Collections.unmodifiableSortedMap(new TreeMap<>(vectors));
        counters = Collections.unmodifiableSortedMap(new TreeMap<>(counters));
        for (Map.Entry<String, double[]> e : vectors.entrySet()) {
            Objects.requireNonNull(e.getValue(), "vector " + e.getKey());
        }
        for (Map.Entry<String, long[]> e : counters.entrySet()) {
            Objects.requireNonNull(e.getValue(), "counter " + e.getKey());
        }
    }

    /** The record key on {@code mobl.checkpoints}: {@code run/preferenceIndex}. */
    public String key() {
        return key(run, preferenceIndex);
    }

    public static String key(String run, int preferenceIndex) {
        return run + "/" + preferenceIndex;
    }

    @Override public double[] preference() { return preference.clone(); }

    /** The named float64 array, or an error naming the entry when the checkpoint lacks it. */
    public double[] vector(String name) {
        double[] v = vectors.get(name);
        if (v == null) {
            throw new InvalidInputException("checkpoint.vectors." + name, "missing",
                    "the entry " + name + " (this checkpoint of " + algorithm + " has " + vectors.keySet() + ")");
        }
        return v;
    }

    /** The named float64 array, which must have {@code length} entries. */
    public double[] vector(String name, int length) {
        double[] v = vector(name);
        if (v.length != length) {
            throw new InvalidInputException("checkpoint.vectors." + name, "length " + v.length, "length " + length);
        }
        return v;
    }

    /** The named integer array, or an error naming the entry when the checkpoint lacks it. */
    public long[] counter(String name) {
        long[] c = counters.get(name);
        if (c == null) {
            throw new InvalidInputException("checkpoint.counters." + name, "missing",
                    "the entry " + name + " (this checkpoint of " + algorithm + " has " + counters.keySet() + ")");
        }
        return c;
    }

    /**
     * Refuses a checkpoint that this run cannot continue from, naming the first field that differs: another
     * algorithm, another problem's dimensions, other settings.
     */
    public Checkpoint requireCompatible(String expectedAlgorithm, String expectedConfiguration, int p, int q, int s) {
        String where = " (checkpoint " + key() + " at iteration " + iteration + ")";
        if (!algorithm.equals(expectedAlgorithm)) {
            throw new InvalidInputException("checkpoint.algorithm", algorithm, expectedAlgorithm + ", the run's algorithm" + where);
        }
        if (upperDimension != p) {
            throw new InvalidInputException("checkpoint.upperDimension", upperDimension, p + ", the problem's p" + where);
        }
        if (lowerDimension != q) {
            throw new InvalidInputException("checkpoint.lowerDimension", lowerDimension, q + ", the problem's q" + where);
        }
        if (objectives != s) {
            throw new InvalidInputException("checkpoint.objectives", objectives, s + ", the problem's S" + where);
        }
        if (!configuration.equals(expectedConfiguration)) {
            throw new InvalidInputException("checkpoint.configuration", configuration,
                    "\"" + expectedConfiguration + "\", the run's" + where + "; start a new run name to change it");
        }
        return this;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Checkpoint c)) return false;
        if (!(run.equals(c.run) && preferenceIndex == c.preferenceIndex && algorithm.equals(c.algorithm)
                && configuration.equals(c.configuration) && iteration == c.iteration
                && upperDimension == c.upperDimension && lowerDimension == c.lowerDimension
                && objectives == c.objectives && Arrays.equals(preference, c.preference) && finished == c.finished
                && oracleCalls.equals(c.oracleCalls) && positions.equals(c.positions)
                && vectors.keySet().equals(c.vectors.keySet()) && counters.keySet().equals(c.counters.keySet()))) {
            return false;
        }
        for (Map.Entry<String, double[]> e : vectors.entrySet()) {
            if (!Arrays.equals(e.getValue(), c.vectors.get(e.getKey()))) return false;
        }
        for (Map.Entry<String, long[]> e : counters.entrySet()) {
            if (!Arrays.equals(e.getValue(), c.counters.get(e.getKey()))) return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(run, preferenceIndex, algorithm, iteration, Arrays.hashCode(preference));
    }

    @Override
    public String toString() {
        return "Checkpoint[" + key() + " " + algorithm + " k=" + iteration + (finished ? " finished" : "")
                + " positions=" + positions + " vectors=" + vectors.keySet() + " counters=" + counters.keySet() + "]";
    }
}
