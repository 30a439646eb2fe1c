package io.mobl.actors;

import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.StochasticBilevelProblem;
import io.mobl.protocol.Checks;
import java.util.Objects;

/**
 * What one coordinator runs in the stochastic setting: Alg. 2/3 on {@code problem}, fed by {@code source}, for one
 * preference. The lower-level solver reads the source's lower-level batches, hypergradient worker s reads
 * objective s's, and the coordinator acknowledges an iteration's batches once it has been reported.
 *
 * @param source this preference's own source (preferences never share one, so each sees a fixed sequence);
 *               asked from several math threads at once, one per role, so it must be thread-safe across roles
 */
public record StochasticPreferenceRun(StochasticBilevelProblem problem, StochasticWcMhgdConfig config,
                                      BatchSource source, String run, int index, double[] preference,
                                      RunListener listener) implements RunPlan {
    public StochasticPreferenceRun {
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(listener, "listener");
        preference = Checks.preference("preference", preference, problem.objectiveCount()).clone();
    }
}
