package io.mobl.core.problem;

import io.mobl.protocol.OracleCalls;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe tallies of oracle calls, one per kind of oracle. */
public final class OracleCounter {
    private final LongAdder upper = new LongAdder();
    private final LongAdder lower = new LongAdder();
    private final LongAdder jacobian = new LongAdder();
    private final LongAdder hessian = new LongAdder();

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

    /** Adds every count of {@code calls}. */
    public void add(OracleCalls calls) {
        upper.add(calls.upperGradients());
        lower.add(calls.lowerGradients());
        jacobian.add(calls.jacobianVectorProducts());
        hessian.add(calls.hessianVectorProducts());
    }

    public OracleCalls snapshot() {
        return new OracleCalls(upper.sum(), lower.sum(), jacobian.sum(), hessian.sum());
    }
}
