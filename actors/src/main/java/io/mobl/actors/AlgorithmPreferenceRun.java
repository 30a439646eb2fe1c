package io.mobl.actors;

import io.mobl.core.algorithm.RunListener;

/**
 * What one {@link StepCoordinator} runs: one preference of an {@link AlgorithmSweepSpec}.
 *
 * @param part       the preference's algorithm, source and guard
 * @param index      the preference's position in its sweep, from 0 (the key of its journal)
 * @param preference r at the start (a checkpoint's r on resume)
 */
public record AlgorithmPreferenceRun(AlgorithmSweepSpec.Part part, AlgorithmSweepSpec.Until until, String run, int index,
                                     double[] preference, RunListener listener, Checkpointing checkpointing,
                                     int paretoEvery, AlgorithmSweepSpec.StepObserver observer) implements RunPlan {
    public AlgorithmPreferenceRun {
        preference = preference.clone();
    }

    @Override public double[] preference() { return preference.clone(); }
}
