package io.mobl.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One minibatch of training data, as it travels on {@code mobl.<run>.lower} (lower-level data, objective
 * {@link #LOWER}) or {@code mobl.<run>.upper} (data of upper objective s ≥ 0).
 *
 * <p>Matrices are dense and row-major: row i of the features is {@code features[i*featureDim .. (i+1)*featureDim)}.
 * The arrays are owned by the record once constructed (no defensive copies are made for float64, because a
 * minibatch can be large): do not mutate them afterwards. A {@link Dtype#FLOAT32} minibatch holds its values
 * rounded to float precision (a rounded copy is made), so that encoding it is lossless.
 *
 * @param batchId    non-empty identifier, at most {@value #MAX_BATCH_ID_BYTES} bytes of UTF-8; replays are
 *                   recognised by it
 * @param objective  {@link #LOWER} (−1) for lower-level data, s ≥ 0 for data of upper objective s
 * @param dtype      the precision the values travel in
 * @param rows       n ≥ 1, the number of samples
 * @param featureDim d ≥ 1, the features per sample
 * @param labelDim   the label entries per sample, ≥ 0 (0: unlabelled data)
 * @param features   n×d values, row-major, all finite
 * @param labels     n×labelDim values, row-major, all finite
 * @param sampleIds  n sample identifiers (positions in the source data set)
 */
public record Minibatch(
        String batchId,
        int objective,
        Dtype dtype,
        int rows,
        int featureDim,
        int labelDim,
        double[] features,
        double[] labels,
        long[] sampleIds) {

    /** The objective of lower-level data. */
    public static final int LOWER = -1;
    /** Longest batch id, in UTF-8 bytes (the wire format gives it an unsigned 16-bit length). */
    public static final int MAX_BATCH_ID_BYTES = 65_535;

    /** Precision on the wire. The code is the byte written in the binary header. */
    public enum Dtype {
        FLOAT64(0, 8), FLOAT32(1, 4);

        private final int code;
        private final int bytes;

        Dtype(int code, int bytes) {
            this.code = code;
            this.bytes = bytes;
        }

        public int code() { return code; }

        /** Bytes per value. */
        public int bytes() { return bytes; }

        /** The dtype with this header code, or null when none has it. */
        public static Dtype ofCode(int code) {
            for (Dtype d : values()) if (d.code == code) return d;
            return null;
        }
    }

    public Minibatch {
        if (batchId == null || batchId.isEmpty()) throw new InvalidInputException("batchId", batchId, "a non-empty id");
        int idBytes = batchId.getBytes(StandardCharsets.UTF_8).length;
        if (idBytes > MAX_BATCH_ID_BYTES) {
            throw new InvalidInputException("batchId", "(" + idBytes + " bytes of UTF-8)",
                    "at most " + MAX_BATCH_ID_BYTES + " bytes of UTF-8");
        }
        if (objective < LOWER) {
            throw new InvalidInputException("objective", objective, "-1 for lower-level data or s >= 0 for upper objective s");
        }
        if (dtype == null) throw new InvalidInputException("dtype", null, "FLOAT64 or FLOAT32");
        Checks.atLeast("rows", rows, 1);
        Checks.atLeast("featureDim", featureDim, 1);
        Checks.atLeast("labelDim", labelDim, 0);
        checkLength("features", features, (long) rows * featureDim);
        checkLength("labels", labels, (long) rows * labelDim);
        if (sampleIds == null || sampleIds.length != rows) {
            throw new InvalidInputException("sampleIds", sampleIds == null ? null : "length " + sampleIds.length,
                    "length " + rows + " (one id per row)");
        }
        if (dtype == Dtype.FLOAT32) {
            features = toFloatPrecision("features", features);
            labels = toFloatPrecision("labels", labels);
        } else {
            Checks.finite("features", features);
            Checks.finite("labels", labels);
        }
    }

    /** A float64 minibatch from row arrays; {@code labels} may be null for unlabelled data. */
    public static Minibatch of(String batchId, int objective, double[][] features, double[][] labels, long[] sampleIds) {
        if (features == null || features.length == 0) throw new InvalidInputException("features", "no rows", "at least one row");
        int n = features.length;
        int d = features[0].length;
        int l = labels == null ? 0 : (labels.length == 0 ? 0 : labels[0].length);
        if (labels != null && labels.length != n) {
            throw new InvalidInputException("labels", labels.length + " rows", n + " rows (one per feature row)");
        }
        double[] f = new double[n * d];
        double[] y = new double[n * l];
        for (int i = 0; i < n; i++) {
            if (features[i].length != d) throw new InvalidInputException("features[" + i + "]", "length " + features[i].length, "length " + d);
            System.arraycopy(features[i], 0, f, i * d, d);
            if (l > 0) {
                if (labels[i].length != l) throw new InvalidInputException("labels[" + i + "]", "length " + labels[i].length, "length " + l);
                System.arraycopy(labels[i], 0, y, i * l, l);
            }
        }
        return new Minibatch(batchId, objective, Dtype.FLOAT64, n, d, l, f, y, sampleIds);
    }

    public boolean isLower() { return objective == LOWER; }

    public double feature(int row, int column) { return features[row * featureDim + column]; }

    public double label(int row, int column) { return labels[row * labelDim + column]; }

    /** The same data under another batch id (used when a producer replays a data set in a later epoch). */
    public Minibatch withBatchId(String newBatchId) {
        return new Minibatch(newBatchId, objective, dtype, rows, featureDim, labelDim, features, labels, sampleIds);
    }

    private static void checkLength(String field, double[] values, long expected) {
        if (expected > Integer.MAX_VALUE - 8) throw new InvalidInputException(field, expected + " values", "at most " + (Integer.MAX_VALUE - 8) + " values");
        if (values == null || values.length != expected) {
            throw new InvalidInputException(field, values == null ? null : "length " + values.length, "length " + expected);
        }
    }

    private static double[] toFloatPrecision(String field, double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            double v = (float) values[i];
            if (!Double.isFinite(v)) {
                throw new InvalidInputException(field + "[" + i + "]", values[i], "a finite number representable as float32");
            }
            out[i] = v;
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Minibatch m && batchId.equals(m.batchId) && objective == m.objective && dtype == m.dtype
                && rows == m.rows && featureDim == m.featureDim && labelDim == m.labelDim
                && Arrays.equals(features, m.features) && Arrays.equals(labels, m.labels)
                && Arrays.equals(sampleIds, m.sampleIds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(batchId, objective, dtype, rows, featureDim, labelDim, Arrays.hashCode(features),
                Arrays.hashCode(labels), Arrays.hashCode(sampleIds));
    }

    @Override
    public String toString() {
        return "Minibatch[" + batchId + " objective=" + objective + " " + dtype + " " + rows + "x" + featureDim
                + " labels " + rows + "x" + labelDim + "]";
    }
}
