package io.mobl.core.algorithm;

import io.mobl.core.problem.CountingProblem;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.SampledProblemView;
import io.mobl.protocol.OracleCalls;
import java.lang.management.ManagementFactory;
import java.util.function.Consumer;

/**
 * The plain synchronous loop around any {@link IterativeAlgorithm}, with the same convention as
 * {@link SynchronousSolver}: K iterations make K updates and K + 1 evaluations, and the run reports the last
 * evaluated iterate x_K, measured at itself.
 */
public final class IterativeRun {
    private IterativeRun() {}

    /**
     * @param last             the report of x_K
     * @param calls            oracle calls of the whole run (zero when the problem does not count them)
     * @param iterations       K, the updates made
     * @param nanos            wall time of all K + 1 steps
     * @param peakWorkingBytes the largest {@link StepReport#workingBytes()} of the run
     * @param allocatedBytes   JVM heap bytes allocated by this thread during the run (ND4J's vector data lives
     *                         off-heap and is not in it; see {@link StepReport#workingBytes()}); −1 if the JVM
     *                         cannot tell
     */
    public record Outcome(StepReport last, OracleCalls calls, int iterations, long nanos, long peakWorkingBytes,
                          long allocatedBytes) {
        /** Wall time per outer iteration (per evaluation, K + 1 of them), in seconds. */
        public double secondsPerIteration() {
            return nanos / 1e9 / (iterations + 1);
        }
    }

    /**
     * Runs K = {@code iterations} updates from {@code start}.
     *
     * @param listener receives every step's report, once per iteration
     */
    public static <S> Outcome run(IterativeAlgorithm<S> algorithm, S start, int iterations, Consumer<StepReport> listener) {
        return run(algorithm, start, iterations, listener, null);
    }

    /**
     * As {@link #run(IterativeAlgorithm, Object, int, Consumer)}, stopping early with a {@link DivergenceException}
     * that names the step to lower when {@code guard} sees the run diverge (null: no guard).
     */
    public static <S> Outcome run(IterativeAlgorithm<S> algorithm, S start, int iterations, Consumer<StepReport> listener,
                                  DivergenceGuard guard) {
        return run(algorithm, start, iterations, listener, guard, null);
    }

    /**
     * As {@link #run(IterativeAlgorithm, Object, int, Consumer)} for a stochastic algorithm fed by {@code source}:
     * after each step is reported, the minibatches it consumed ({@link IterativeAlgorithm.Step#used()}) are
     * acknowledged to the source ({@link BatchSource#iterationDone}), as the contract of a stochastic step asks.
     */
    public static <S> Outcome runAcknowledging(IterativeAlgorithm<S> algorithm, S start, int iterations,
                                               Consumer<StepReport> listener, BatchSource source) {
        return run(algorithm, start, iterations, listener, null, source);
    }

    private static <S> Outcome run(IterativeAlgorithm<S> algorithm, S start, int iterations, Consumer<StepReport> listener,
                                   DivergenceGuard guard, BatchSource source) {
        if (iterations < 0) throw new io.mobl.protocol.InvalidInputException("iterations", iterations, "an integer >= 0");
        OracleCalls before = calls(algorithm);
        long allocatedBefore = allocated();
        long begin = System.nanoTime();
        long peak = 0;
        S state = start;
        StepReport report;
        int k = 0;
        while (true) {
            IterativeAlgorithm.Step<S> step;
            try {
                step = algorithm.step(state);
            } catch (NonFiniteValueException e) {
                if (guard == null) throw e;
                throw guard.nonFinite(e);
            }
            report = step.report();
            if (guard != null) guard.observe(report.iteration(), report.objectives(), report.stepNorm());
            peak = Math.max(peak, report.workingBytes());
            listener.accept(report);
            if (source != null) source.iterationDone(report.iteration(), step.used());
            if (k == iterations) break;
            state = step.next();
            k++;
        }
        long nanos = System.nanoTime() - begin;
        long allocatedAfter = allocated();
        return new Outcome(report, calls(algorithm).minus(before), iterations, nanos, peak,
                allocatedBefore < 0 || allocatedAfter < 0 ? -1 : allocatedAfter - allocatedBefore);
    }

    /** The oracle calls {@code algorithm}'s problem has counted so far (none where it does not count them). */
    public static OracleCalls calls(IterativeAlgorithm<?> algorithm) {
        if (algorithm.problem() instanceof SampledProblemView sampled) return sampled.calls();
        return algorithm.problem() instanceof CountingProblem counted ? counted.calls() : OracleCalls.NONE;
    }

    /** Heap bytes this thread has allocated so far (HotSpot's ThreadMXBean extension), or −1. */
    public static long allocated() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
                && bean.isThreadAllocatedMemorySupported()) {
            return bean.getThreadAllocatedBytes(Thread.currentThread().getId());
        }
        return -1;
    }
}
