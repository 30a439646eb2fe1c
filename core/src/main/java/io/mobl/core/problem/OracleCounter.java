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

    public OracleCalls snapshot() {
        return new OracleCalls(upper.sum(), lower.sum(), jacobian.sum(), hessian.sum());
    }
}
