package io.mobl.core.algorithm;

import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;

/** Receives what a run reports; the default does nothing. Implementations must be cheap (once per iteration). */
public interface RunListener {
    RunListener NONE = new RunListener() {};

    default void onIteration(IterateTelemetry telemetry) {}

    default void onParetoPoint(ParetoPoint point) {}
}
