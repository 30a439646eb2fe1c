package io.mobl.actors;

import io.mobl.core.algorithm.Solution;
import io.mobl.protocol.ParetoPoint;
import java.util.concurrent.CompletionStage;

/** A running solve for one preference: a {@link SweepHandle} of size one, without the index. */
public final class RunHandle {
    private final SweepHandle sweep;

    RunHandle(SweepHandle sweep) {
        this.sweep = sweep;
    }

    public CompletionStage<Solution> solution() {
        return sweep.solutions().thenApply(list -> list.get(0));
    }

    public CompletionStage<ParetoPoint> point() {
        return solution().thenApply(Solution::point);
    }

    public CompletionStage<Integer> setPreference(double[] preference) {
        return sweep.setPreference(0, preference);
    }

    public CompletionStage<Integer> pause() {
        return sweep.pause(0);
    }

    public CompletionStage<Integer> resume() {
        return sweep.resume(0);
    }

    public CompletionStage<Integer> stop() {
        return sweep.stop(0);
    }
}
