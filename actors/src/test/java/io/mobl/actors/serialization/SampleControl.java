package io.mobl.actors.serialization;

import io.mobl.protocol.CborSerializable;
import java.util.Arrays;
import java.util.Objects;

/** A small control record of the kind that travels as Jackson CBOR (a preference change for one run). */
public record SampleControl(String run, int preferenceIndex, double[] preference) implements CborSerializable {
    @Override
    public boolean equals(Object o) {
        return o instanceof SampleControl c && run.equals(c.run) && preferenceIndex == c.preferenceIndex
                && Arrays.equals(preference, c.preference);
    }

    @Override
    public int hashCode() {
        return Objects.hash(run, preferenceIndex, Arrays.hashCode(preference));
    }
}
