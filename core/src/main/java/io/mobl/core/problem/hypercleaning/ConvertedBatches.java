package io.mobl.core.problem.hypercleaning;

import io.mobl.core.stochastic.SampleBatch;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last few sample batches a stochastic hyper-cleaning problem has converted from minibatches into its network's
 * form, kept by the batch's identity (a record's equals would compare every value): Alg. 3 multiplies by each
 * ℬ_j once per objective, so one conversion serves S oracle calls. Thread-safe; least recently used goes first.
 *
 * @param <T> the converted form
 */
final class ConvertedBatches<T> {
    /** An iteration's 𝒟_G and ℬ_1 … ℬ_Q for Q up to about 30. */
    private static final int KEPT = 32;

    private final Map<Identity, T> kept = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Identity, T> eldest) {
            return size() > KEPT;
        }
    };

    /** The conversion of this very batch, or null. */
    T kept(SampleBatch batch) {
        synchronized (kept) {
            return kept.get(new Identity(batch));
        }
    }

    /** Keeps {@code converted} as this batch's conversion and returns it. */
    T keep(SampleBatch batch, T converted) {
        synchronized (kept) {
            kept.put(new Identity(batch), converted);
        }
        return converted;
    }

    /** Rejects a sample batch of another role than the oracle reads. */
    static void checkRole(SampleBatch batch, int role) {
        if (batch.objective() != role) {
            throw new InvalidInputException("sample batch.objective", batch.objective(),
                    role == Minibatch.LOWER ? "-1 (lower-level data)" : role + " (data of upper objective " + role + ")");
        }
    }

    private record Identity(SampleBatch batch) {
        @Override public boolean equals(Object o) { return o instanceof Identity i && i.batch == batch; }
        @Override public int hashCode() { return System.identityHashCode(batch); }
    }
}
