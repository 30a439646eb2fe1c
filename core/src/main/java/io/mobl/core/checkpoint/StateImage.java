package io.mobl.core.checkpoint;

import io.mobl.protocol.Checkpoint;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.SourcePosition;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An algorithm's state as a checkpoint carries it: the iteration it starts, the preference in force, and the
 * algorithm's own entries as named float64 arrays and named integer arrays. What {@link StateCodec} writes and
 * reads; the runtime adds the rest of a {@link Checkpoint} (run, preference index, dimensions, oracle calls, data
 * positions) with {@link #toCheckpoint}.
 *
 * <p>Vectors keep their data type: a float32 vector is stored as the float64 values of its entries (exact) with
 * its type in the counter {@code <name>.dtype} (and a shape other than rank 1 in {@code <name>.shape}), and comes
 * back as float32, so a resumed run computes with the very
 * bits it stopped with. Build one with {@link #builder}.
 */
public record StateImage(long iteration, double[] preference, SortedMap<String, double[]> vectors,
                         SortedMap<String, long[]> counters) {

    private static final long FLOAT64 = 0, FLOAT32 = 1;

    public StateImage {
        preference = preference.clone();
        vectors = Collections.unmodifiableSortedMap(new TreeMap<>(vectors));
        counters = Collections.unmodifiableSortedMap(new TreeMap<>(counters));
    }

    @Override public double[] preference() { return preference.clone(); }

    /** The state part of {@code checkpoint}. */
    public static StateImage of(Checkpoint checkpoint) {
        return new StateImage(checkpoint.iteration(), checkpoint.preference(), checkpoint.vectors(), checkpoint.counters());
    }

    /**
     * The whole checkpoint of this state.
     *
     * @param algorithm     the algorithm's {@code name()}
     * @param configuration the algorithm's {@code configuration()}: what the state is valid for
     * @param calls         oracle calls of iterations 0..k−1
     * @param positions     where each data stream stands, just past the batches of iterations 0..k−1
     */
    public Checkpoint toCheckpoint(String run, int preferenceIndex, String algorithm, String configuration, int p, int q,
                                   boolean finished, OracleCalls calls, List<SourcePosition> positions) {
        return new Checkpoint(run, preferenceIndex, algorithm, configuration, iteration, p, q, preference.length,
                preference, finished, calls, positions, vectors, counters);
    }

    /** The entries under which a finished run's checkpoint keeps its final point. */
    private static final String POINT_X = "point.x", POINT_OBJECTIVES = "point.objectives",
            POINT_MEASURE = "point.stationarity", POINT_ITERATION = "point.iteration";

    /**
     * This image with a finished run's final point: a checkpoint of it gives the point back without a step, on
     * either runtime ({@link #finalPoint}).
     */
    public StateImage withPoint(ParetoPoint point) {
        TreeMap<String, double[]> v = new TreeMap<>(vectors);
        TreeMap<String, long[]> c = new TreeMap<>(counters);
        v.put(POINT_X, point.x());
        v.put(POINT_OBJECTIVES, point.objectives());
        v.put(POINT_MEASURE, new double[] {point.stationarity()});
        c.put(POINT_ITERATION, new long[] {point.iterations()});
        return new StateImage(iteration, preference, v, c);
    }

    /**
     * The final point of a finished run's checkpoint, as the run reported it (its oracle calls are the
     * checkpoint's), or empty when the checkpoint is not a finished run's.
     */
    public static java.util.Optional<ParetoPoint> finalPoint(Checkpoint checkpoint) {
        if (!checkpoint.finished() || !checkpoint.vectors().containsKey(POINT_X)) return java.util.Optional.empty();
        return java.util.Optional.of(new ParetoPoint(checkpoint.run(), checkpoint.preference(),
                checkpoint.vector(POINT_X, checkpoint.upperDimension()),
                checkpoint.vector(POINT_OBJECTIVES, checkpoint.objectives()), checkpoint.vector(POINT_MEASURE, 1)[0],
                Math.toIntExact(checkpoint.counter(POINT_ITERATION)[0]), checkpoint.oracleCalls()));
    }

    /** Whether the image has a vector of this name (optional entries: a warm start not made yet). */
    public boolean has(String name) {
        return vectors.containsKey(name);
    }

    /** The named float64 array; an error naming the entry when it is missing or not {@code length} long. */
    public double[] array(String name, int length) {
        double[] v = vectors.get(name);
        if (v == null) {
            throw new InvalidInputException("checkpoint.vectors." + name, "missing", "the entry " + name
                    + " (this checkpoint has " + vectors.keySet() + ")");
        }
        if (v.length != length) {
            throw new InvalidInputException("checkpoint.vectors." + name, "length " + v.length, "length " + length);
        }
        return v;
    }

    /** The named vector as the array, of the data type and shape, it was written from. */
    public INDArray vector(String name, int length) {
        double[] v = array(name, length);
        long type = counter(name + ".dtype", 1)[0];
        long[] shape = counters.getOrDefault(name + ".shape", new long[] {v.length});
        long size = 1;
        for (long d : shape) size *= d;
        if (size != v.length) {
            throw new InvalidInputException("checkpoint.counters." + name + ".shape", java.util.Arrays.toString(shape),
                    "a shape of " + v.length + " entries");
        }
        INDArray a = Nd4j.create(v.clone(), shape, DataType.DOUBLE);
        if (type == FLOAT64) return a;
        if (type == FLOAT32) return a.castTo(DataType.FLOAT);
        throw new InvalidInputException("checkpoint.counters." + name + ".dtype", type, "0 (float64) or 1 (float32)");
    }

    /** The named vector, or null where the image has none (an optional entry). */
    public INDArray vectorOrNull(String name, int length) {
        return has(name) ? vector(name, length) : null;
    }

    /** The named integer array; an error naming the entry when it is missing or not {@code length} long. */
    public long[] counter(String name, int length) {
        long[] c = counters.get(name);
        if (c == null) {
            throw new InvalidInputException("checkpoint.counters." + name, "missing", "the entry " + name
                    + " (this checkpoint has " + counters.keySet() + ")");
        }
        if (c.length != length) {
            throw new InvalidInputException("checkpoint.counters." + name, "length " + c.length, "length " + length);
        }
        return c;
    }

    /** The named single number. */
    public long scalar(String name) {
        return counter(name, 1)[0];
    }

    /** The named float64 number (stored as a one-entry vector). */
    public double real(String name) {
        return array(name, 1)[0];
    }

    public static Builder builder(long iteration, double[] preference) {
        return new Builder(iteration, preference);
    }

    /** Collects an image's entries; each name once. */
    public static final class Builder {
        private final long iteration;
        private final double[] preference;
        private final SortedMap<String, double[]> vectors = new TreeMap<>();
        private final SortedMap<String, long[]> counters = new TreeMap<>();

        private Builder(long iteration, double[] preference) {
            this.iteration = iteration;
            this.preference = preference.clone();
        }

        /** A rank-1 (or row/column) vector, float64 or float32; null leaves the entry out. */
        public Builder vector(String name, INDArray v) {
            if (v == null) return this;
            long type = switch (v.dataType()) {
                case DOUBLE -> FLOAT64;
                case FLOAT -> FLOAT32;
                default -> throw new IllegalArgumentException("vector " + name + " of type " + v.dataType()
                        + ": a checkpoint holds float64 and float32 vectors");
            };
            INDArray doubles = v.castTo(DataType.DOUBLE);
            // one copy for a vector (toDoubleVector reads views too); a matrix is flattened in c order first
            put(vectors, name, (v.rank() == 1 ? doubles : doubles.dup('c').reshape(v.length())).toDoubleVector());
            put(counters, name + ".dtype", new long[] {type});
            if (v.rank() != 1) put(counters, name + ".shape", v.shape());
            return this;
        }

        public Builder array(String name, double[] values) {
            put(vectors, name, values.clone());
            return this;
        }

        public Builder real(String name, double value) {
            return array(name, new double[] {value});
        }

        public Builder counter(String name, long... values) {
            put(counters, name, values.clone());
            return this;
        }

        public StateImage build() {
            return new StateImage(iteration, preference, vectors, counters);
        }

        private static <V> void put(SortedMap<String, V> map, String name, V value) {
            if (map.put(name, value) != null) throw new IllegalArgumentException("entry " + name + " written twice");
        }
    }
}
