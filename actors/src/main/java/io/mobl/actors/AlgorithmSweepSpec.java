package io.mobl.actors;

import io.mobl.core.algorithm.DivergenceGuard;
import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.StepReport;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * A Pareto front exploration of any {@link IterativeAlgorithm}, one {@link StepCoordinator} per preference, all in
 * parallel: each preference runs its own algorithm ({@link Part}), built for it alone so that its oracle counts
 * (a {@code CountingProblem} per preference) and its batches are its own. Checked when built.
 *
 * @param parts         one per preference, in the order of the preferences
 * @param until         when a run ends by itself (K updates; or K and ε)
 * @param checkpointing the journals and the checkpoint interval ({@link Checkpointing#NONE}: nothing durable)
 * @param paretoEvery   also report the current point every this many iterations (0: only the final one)
 * @param observer      sees every step's report (with x_k), in order per preference, on the coordinator's thread:
 *                      what the synchronous loop's listener sees; must not block
 */
public record AlgorithmSweepSpec(List<Part> parts, List<double[]> preferences, Until until, String run,
                                 RunListener listener, Checkpointing checkpointing, int paretoEvery,
                                 StepObserver observer) implements SweepPlan {

    /**
     * One preference's algorithm.
     *
     * @param algorithm the algorithm, on a problem of its own (its counting wrapper)
     * @param source    the batch source a stochastic algorithm reads (its steps' batches are acknowledged to it
     *                  after each reported step, and its positions go into checkpoints); null for a deterministic one
     * @param guard     watches the run for divergence, as the synchronous loop's guard does; null for none
     */
    public record Part(IterativeAlgorithm<?> algorithm, BatchSource source, DivergenceGuard guard) {
        public Part {
            Objects.requireNonNull(algorithm, "algorithm");
        }

        /** A deterministic algorithm without a guard. */
        public static Part of(IterativeAlgorithm<?> algorithm) {
            return new Part(algorithm, null, null);
        }
    }

    /** Sees each step's report as the synchronous loop's listener does, with the preference's index. */
    @FunctionalInterface
    public interface StepObserver {
        StepObserver NONE = (index, report) -> {};

        void onStep(int index, StepReport report);
    }

    /** When a run ends by itself. */
    @FunctionalInterface
    public interface Until {
        /** Whether iteration {@code iteration}, which measured {@code measure}, is the last. */
        boolean finished(int iteration, double measure);

        /** K updates, K + 1 evaluations: the synchronous loop's {@code IterativeRun.run(…, K, …)}. */
        static Until iterations(int iterations) {
            if (iterations < 0) throw new InvalidInputException("iterations", iterations, "an integer >= 0");
            return (iteration, measure) -> iteration >= iterations;
        }
    }

    public AlgorithmSweepSpec {
        Objects.requireNonNull(until, "until");
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(checkpointing, "checkpointing");
        Objects.requireNonNull(observer, "observer");
        if (parts == null || parts.isEmpty() || parts.stream().anyMatch(Objects::isNull)) {
            throw new InvalidInputException("parts", parts == null ? null : parts.size() + " parts",
                    "one algorithm per preference");
        }
        parts = List.copyOf(parts);
        preferences = SweepPlan.checkedPreferences(preferences, parts.get(0).algorithm().problem().objectiveCount());
        if (parts.size() != preferences.size()) {
            throw new InvalidInputException("parts", parts.size() + " algorithms",
                    preferences.size() + ", one per preference");
        }
        Checks.atLeast("pareto-every", paretoEvery, 0);
        if (checkpointing.durable()) {
            for (Part part : parts) {
                try {
                    part.algorithm().stateCodec();
                } catch (UnsupportedOperationException e) {
                    throw new InvalidInputException("checkpoint-every", checkpointing.every(), "no checkpoints: "
                            + e.getMessage() + " (run it without --checkpoint-every or a journal)");
                }
            }
        }
    }

    /**
     * A sweep of K updates per preference, preference i running {@code parts.apply(i)} (made here, on the
     * caller's thread), nothing durable, no observer.
     */
    public static AlgorithmSweepSpec of(IntFunction<Part> parts, List<double[]> preferences, int iterations, String run,
                                        RunListener listener) {
        if (preferences == null || preferences.isEmpty()) {
            throw new InvalidInputException("preferences", preferences, "at least one preference vector");
        }
        List<Part> made = new ArrayList<>(preferences.size());
        for (int i = 0; i < preferences.size(); i++) made.add(parts.apply(i));
        return new AlgorithmSweepSpec(made, preferences, Until.iterations(iterations), run, listener,
                Checkpointing.NONE, 0, StepObserver.NONE);
    }

    public AlgorithmSweepSpec withUntil(Until rule) {
        return new AlgorithmSweepSpec(parts, preferences, rule, run, listener, checkpointing, paretoEvery, observer);
    }

    public AlgorithmSweepSpec withCheckpointing(Checkpointing c) {
        return new AlgorithmSweepSpec(parts, preferences, until, run, listener, c, paretoEvery, observer);
    }

    public AlgorithmSweepSpec withParetoEvery(int every) {
        return new AlgorithmSweepSpec(parts, preferences, until, run, listener, checkpointing, every, observer);
    }

    public AlgorithmSweepSpec withObserver(StepObserver o) {
        return new AlgorithmSweepSpec(parts, preferences, until, run, listener, checkpointing, paretoEvery, o);
    }

    /** The parts' sources (those of stochastic algorithms). */
    public List<BatchSource> sources() {
        return parts.stream().map(Part::source).filter(Objects::nonNull).toList();
    }

    @Override
    public int size() {
        return preferences.size();
    }

    @Override
    public AlgorithmPreferenceRun preferenceRun(int index) {
        return new AlgorithmPreferenceRun(parts.get(index), until, run, index, preferences.get(index), listener,
                checkpointing, paretoEvery, observer);
    }
}
