package io.mobl.actors;

import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.UpperEvaluation;
import java.util.HashSet;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Throws from f_s on the first attempt of chosen iterations, and from ∇_y g on chosen calls. Both hypergradient
 * methods evaluate f_s exactly once per estimate, and one worker asks for one objective at a time, so the n-th
 * call for objective s that does not fail belongs to iteration n.
 */
final class FlakyProblem extends DelegatingProblem {
    private final int objective;
    private final Set<Integer> failingIterations;
    private final Set<Integer> failingLowerCalls;
    private int upperCalls;
    private int upperFailures;
    private int lowerCalls;
    private int failures;

    FlakyProblem(BilevelProblem delegate, int objective, Set<Integer> failingIterations, Set<Integer> failingLowerCalls) {
        super(delegate);
        this.objective = objective;
        this.failingIterations = new HashSet<>(failingIterations);
        this.failingLowerCalls = Set.copyOf(failingLowerCalls);
    }

    @Override
    public synchronized UpperEvaluation upper(int s, INDArray x, INDArray y) {
        if (s == objective) {
            int iteration = upperCalls++ - upperFailures;
            if (failingIterations.remove(iteration)) {
                upperFailures++;
                failures++;
                throw new IllegalStateException("injected failure of f_" + s + " at iteration " + iteration);
            }
        }
        return delegate.upper(s, x, y);
    }

    @Override
    public synchronized INDArray lowerGradient(INDArray x, INDArray y) {
        if (failingLowerCalls.contains(lowerCalls++)) {
            failures++;
            throw new IllegalStateException("injected failure of the lower gradient, call " + (lowerCalls - 1));
        }
        return delegate.lowerGradient(x, y);
    }

    synchronized int upperFailures() {
        return upperFailures;
    }

    synchronized int failures() {
        return failures;
    }
}
