package io.mobl.core.algorithm;

import java.util.LinkedHashMap;
import java.util.Map;

/** Wall time of each phase of one outer iteration, in nanoseconds. */
public record PhaseTimes(long lowerNanos, long hypergradientNanos, long weightsNanos) {
    public Map<String, Long> asMap() {
        Map<String, Long> map = new LinkedHashMap<>();
        map.put("lower", lowerNanos);
        map.put("hypergradient", hypergradientNanos);
        map.put("weights", weightsNanos);
        return map;
    }
}
