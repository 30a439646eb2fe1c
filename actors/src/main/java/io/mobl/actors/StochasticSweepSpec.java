package io.mobl.actors;

import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.StochasticBilevelProblem;
import io.mobl.protocol.InvalidInputException;
import java.util.List;
import java.util.Objects;

/**
 * A Pareto front exploration in the stochastic setting: Alg. 2/3 for each of several preferences, all in parallel,
 * each with its own batch source. Checked when built, so a wrong input fails at the call.
 *
 * @param sources one per preference, in the order of the preferences
 */
public record StochasticSweepSpec(StochasticBilevelProblem problem, StochasticWcMhgdConfig config,
                                  List<double[]> preferences, List<BatchSource> sources, String run,
                                  RunListener listener) implements SweepPlan {
    public StochasticSweepSpec {
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(listener, "listener");
        preferences = SweepPlan.checkedPreferences(preferences, problem.objectiveCount());
        if (sources == null || sources.size() != preferences.size() || sources.stream().anyMatch(Objects::isNull)) {
            throw new InvalidInputException("sources", sources == null ? null : sources.size() + " sources",
                    preferences.size() + " batch sources, one per preference");
        }
        sources = List.copyOf(sources);
    }

    @Override
    public int size() {
        return preferences.size();
    }

    @Override
    public StochasticPreferenceRun preferenceRun(int index) {
        return new StochasticPreferenceRun(problem, config, sources.get(index), run, index, preferences.get(index),
                listener);
    }
}
