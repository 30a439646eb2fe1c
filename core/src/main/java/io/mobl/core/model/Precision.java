package io.mobl.core.model;

import io.mobl.protocol.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The number format a {@link MultiHeadNetwork} computes its batch products in. Parameters, gradients and every
 * vector the algorithms see stay float64 either way: float32 halves the memory traffic and roughly doubles the
 * matmul rate of the forward and backward passes, at about 1e-7 relative rounding per operation (the
 * algorithms' own sums, step sizes and weight QPs keep float64).
 */
public enum Precision {
    FLOAT32("float32", DataType.FLOAT, 4),
    FLOAT64("float64", DataType.DOUBLE, 8);

    private final String label;
    private final DataType dataType;
    private final int bytes;

    Precision(String label, DataType dataType, int bytes) {
        this.label = label;
        this.dataType = dataType;
        this.bytes = bytes;
    }

    /** "float32" or "float64", as the CLI and the JSON results write it. */
    public String label() { return label; }

    public DataType dataType() { return dataType; }

    /** Bytes per entry. */
    public int bytes() { return bytes; }

    /** The precision named "float32" or "float64" (case-insensitive). */
    public static Precision of(String name) {
        for (Precision p : values()) {
            if (p.label.equals(name.toLowerCase(Locale.ROOT))) return p;
        }
        throw new InvalidInputException("dtype", name, "one of " + Arrays.stream(values()).map(Precision::label).toList());
    }

    @Override
    public String toString() {
        return label;
    }
}
