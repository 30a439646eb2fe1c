package io.mobl.actors;

/**
 * A Pareto front exploration the {@link SweepManager} runs: one {@link RunPlan} per preference, deterministic
 * ({@link SweepSpec}) or stochastic ({@link StochasticSweepSpec}).
 */
public sealed interface SweepPlan permits SweepSpec, StochasticSweepSpec {
    /** The run's name, as in telemetry and points. */
    String run();

    /** The number of preferences. */
    int size();

    /** What preference {@code index} runs. */
    RunPlan preferenceRun(int index);
}
