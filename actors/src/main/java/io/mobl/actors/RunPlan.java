package io.mobl.actors;

import io.mobl.core.algorithm.RunListener;

/**
 * What one {@link WeightCoordinator} runs for one preference: deterministic WC-MHGD on a problem
 * ({@link PreferenceRun}) or stochastic WC-MHGD on a problem's data ({@link StochasticPreferenceRun}).
 */
public sealed interface RunPlan permits PreferenceRun, StochasticPreferenceRun, AlgorithmPreferenceRun {
    /** The run's name, as in telemetry and points. */
    String run();

    /** The preference's position in its sweep, from 0. */
    int index();

    /** r at the start. */
    double[] preference();

    /** Receives this preference's telemetry and point, in order, on the coordinator's thread. */
    RunListener listener();
}
