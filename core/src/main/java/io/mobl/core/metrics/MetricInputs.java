package io.mobl.core.metrics;

import io.mobl.protocol.InvalidInputException;

/** Validation shared by the metrics: every failure names the field, the value and what was expected. */
final class MetricInputs {
    private MetricInputs() {}

    /** A non-null, non-empty, finite vector; returns a copy with −0.0 turned into 0.0. */
    static double[] point(String field, double[] v) {
        if (v == null || v.length == 0) {
            throw new InvalidInputException(field, v == null ? null : "length 0", "a non-empty array of finite numbers");
        }
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) throw new InvalidInputException(field + "[" + i + "]", v[i], "a finite number");
            out[i] = v[i] + 0.0;
        }
        return out;
    }

    /**
     * A non-null set of finite points, each of the given dimension (or, with dimension &lt; 0, all of the
     * dimension of the first one); may be empty when allowEmpty. Returns copies.
     */
    static double[][] points(String field, double[][] points, int dimension, boolean allowEmpty) {
        if (points == null) throw new InvalidInputException(field, null, "a non-null array of points");
        if (points.length == 0 && !allowEmpty) throw new InvalidInputException(field, "0 points", "at least one point");
        double[][] out = new double[points.length][];
        int d = dimension;
        for (int k = 0; k < points.length; k++) {
            double[] p = point(field + "[" + k + "]", points[k]);
            if (d < 0) d = p.length;
            if (p.length != d) {
                throw new InvalidInputException(field + "[" + k + "]", "length " + p.length, "length " + d);
            }
            out[k] = p;
        }
        return out;
    }
}
