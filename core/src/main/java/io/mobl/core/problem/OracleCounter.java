package io.mobl.core.problem;

import io.mobl.protocol.OracleCalls;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe tallies of oracle calls, one per kind of oracle. */
public final class OracleCounter {
    private final LongAdder upper = new LongAdder();
    private final LongAdder lower = new LongAdder();
    private final LongAdder jacobian = new LongAdder();
    private final LongAdder hessian = new LongAdder();

    void count(Oracle oracle) {
        switch (oracle) {
            case UPPER_GRADIENT -> upper.increment();
            case LOWER_GRADIENT -> lower.increment();
            case JACOBIAN_VECTOR -> jacobian.increment();
            case HESSIAN_VECTOR -> hessian.increment();
        }
    }

    /**
     * Adds {@code calls} calls of one kind at once: the stochastic problems count one call per sample of the batch
     * an oracle was evaluated on (the papers' convention for Gc, JV and HV in the stochastic setting).
     */
    public void add(Oracle oracle, long calls) {
        switch (oracle) {
            case UPPER_GRADIENT -> upper.add(calls);
            case LOWER_GRADIENT -> lower.add(calls);
            case JACOBIAN_VECTOR -> jacobian.add(calls);
            case HESSIAN_VECTOR -> hessian.add(calls);
        }
    }

    public OracleCalls snapshot() {
        return new OracleCalls(upper.sum(), lower.sum(), jacobian.sum(), hessian.sum());
    }
}
