package io.mobl.core.algorithm;

import io.mobl.core.checkpoint.RunJournal;
import io.mobl.core.checkpoint.StateCodec;
import io.mobl.core.checkpoint.StateImage;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.CountingProblem;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.SampledProblemView;
import io.mobl.protocol.Checkpoint;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.SourcePosition;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The synchronous loop, the one every algorithm runs on without actors ({@link SynchronousSolver},
 * {@link StochasticSolver} and {@link AlgorithmPlan#solve} go through it): K iterations make K updates and K + 1
 * evaluations, and the run reports the last evaluated iterate x_K, measured at itself. {@link #runDurably} adds
 * the journal: telemetry per iteration, a checkpoint every N iterations and at the end, and the resume from the
 * newest checkpoint.
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
        Durability durability = source == null ? Durability.none("run", 0)
                : Durability.none("run", 0).withSource(source);
        return loop(algorithm, start, null, null, iterations, null, listener, RunListener.NONE, guard, durability, false)
                .outcome();
    }

    /**
     * What a durable run ended with.
     *
     * @param point     the reported point x_K (or the x_k where the gap reached ε), with the run's oracle calls
     * @param state     the state of that iterate; null when the run had finished before and its point came back
     *                  from its checkpoint without a step
     * @param outcome   the run's figures (its calls those of the whole run, before any resume too); null as state
     * @param resumedAt the iteration the run resumed at from a checkpoint, 0 when it started afresh
     */
    public record Durable<S>(ParetoPoint point, S state, Outcome outcome, long resumedAt) {
        /** The run's final x, as the algorithm's array: the last state's, or the point's for a run that had finished. */
        public INDArray x(java.util.function.Function<S, INDArray> ofState) {
            return state == null ? io.mobl.core.linalg.Vectors.of(point.x()) : ofState.apply(state);
        }
    }

    /**
     * One run for one preference that survives its process: it recovers the newest checkpoint of
     * {@code durability}'s journal (refused, naming the field, when it is another algorithm's, another problem's
     * or of other settings) and goes on from it exactly as if it had never stopped; each iteration's telemetry goes
     * to {@code listener} and the journal, a checkpoint is committed before every N-th iteration and a finished one
     * at the end, with the final point. The run ends at the first k with k = K or a measure ≤ ε ({@code budget}),
     * and reports that x_k. Oracle calls continue from the checkpoint's.
     *
     * @param preference r, which a recovered checkpoint must have too
     * @param upperStart x_0 of a run that starts afresh
     */
    public static <S> Durable<S> runDurably(IterativeAlgorithm<S> algorithm, double[] preference, INDArray upperStart,
                                            Budget budget, RunListener listener, DivergenceGuard guard,
                                            Durability durability) {
        return loop(algorithm, null, preference, upperStart, budget.maxIterations(), budget, r -> {}, listener, guard,
                durability, true);
    }

    private static <S> Durable<S> loop(IterativeAlgorithm<S> algorithm, S start, double[] preference,
                                       INDArray upperStart, int iterations, Budget budget,
                                       Consumer<StepReport> reports, RunListener listener, DivergenceGuard guard,
                                       Durability durability, boolean durable) {
        RunJournal journal = durability.journal();
        BatchSource source = durability.source();
        StateCodec<S> codec = durable ? algorithm.stateCodec() : null;
        String configuration = durable ? algorithm.configuration() : null;
        BilevelProblem problem = algorithm.problem();
        OracleCalls previous = OracleCalls.NONE;
        long resumedAt = 0;
        S state = start;
        if (durable) {
            Optional<Checkpoint> recovered = journal.recover();
            if (recovered.isPresent()) {
                Checkpoint c = recovered.get().requireCompatible(algorithm.name(), configuration,
                        problem.upperDimension(), problem.lowerDimension(), problem.objectiveCount());
                if (!Arrays.equals(c.preference(), preference)) {
                    throw new InvalidInputException("checkpoint.preference", Arrays.toString(c.preference()),
                            Arrays.toString(preference) + ", the run's preference (checkpoint " + c.key() + ")");
                }
                state = codec.decode(StateImage.of(c));
                previous = c.oracleCalls();
                resumedAt = c.iteration();
                Optional<ParetoPoint> last = StateImage.finalPoint(c);
                // a finished run ends where it ended, unless this run's budget goes further (a larger K): then it
                // goes on from the checkpoint, the state after its last step, as the actor runtime does
                if (last.isPresent() && (budget == null ? last.get().iterations() >= iterations
                        : budget.finished(last.get().iterations(), last.get().stationarity()))) {
                    listener.onParetoPoint(last.get());
                    return new Durable<>(last.get(), null, null, resumedAt);
                }
                source.resumeAt(c.positions());
            } else {
                state = algorithm.initialState(preference, upperStart);
            }
        }
        OracleCalls before = calls(algorithm);
        long allocatedBefore = allocated();
        long begin = System.nanoTime();
        long peak = 0;
        StepReport report;
        int k = Math.toIntExact(resumedAt);
        int every = durability.every();
        boolean journaled = durable && journal != RunJournal.NONE;
        while (true) {
            OracleCalls callsBefore = previous.plus(calls(algorithm).minus(before));
            List<SourcePosition> positions = journaled ? source.positions() : List.of();
            if (durable && every > 0 && k > resumedAt && k % every == 0) {
                journal.commit(checkpoint(algorithm, codec, configuration, state, durability, false, callsBefore,
                        positions));
            }
            IterativeAlgorithm.Step<S> step;
            long stepStart = System.nanoTime();
            try {
                step = algorithm.step(state);
            } catch (NonFiniteValueException e) {
                if (guard == null) throw e;
                throw guard.nonFinite(e);
            }
            report = step.report();
            if (guard != null) guard.observe(report.iteration(), report.objectives(), report.stepNorm());
            peak = Math.max(peak, report.workingBytes());
            reports.accept(report);
            OracleCalls callsAfter = previous.plus(calls(algorithm).minus(before));
            if (durable) {
                IterateTelemetry telemetry = step.phaseNanos().isEmpty()
                        ? report.telemetry(durability.run(), preference, callsAfter, System.nanoTime() - stepStart)
                        : new IterateTelemetry(durability.run(), preference, report.iteration(), report.objectives(),
                                report.weights(), Math.max(report.measure(), 0), report.stepNorm(), callsAfter,
                                step.phaseNanos());
                listener.onIteration(telemetry);
                journal.append(telemetry);
            }
            if (source != Durability.NO_SOURCE) source.iterationDone(report.iteration(), step.used());
            boolean finished = budget == null ? k == iterations : budget.finished(k, report.measure());
            if (finished) {
                long nanos = System.nanoTime() - begin;
                long allocatedAfter = allocated();
                Outcome outcome = new Outcome(report, callsAfter, k, nanos, peak,
                        allocatedBefore < 0 || allocatedAfter < 0 ? -1 : allocatedAfter - allocatedBefore);
                ParetoPoint point = null;
                if (durable) {
                    point = report.point(durability.run(), preference, callsAfter);
                    listener.onParetoPoint(point);
                    journal.append(point);
                    // the state after the last step, k + 1, with the point: a restart gives the point back, and a
                    // run with a larger K goes on from here (the actor runtime writes the very same checkpoint)
                    List<SourcePosition> after = journaled ? source.positions() : List.of();
                    journal.commit(codec.encode(step.next()).withPoint(point).toCheckpoint(durability.run(),
                            durability.preferenceIndex(), algorithm.name(), configuration, problem.upperDimension(),
                            problem.lowerDimension(), true, callsAfter, after));
                }
                return new Durable<>(point, state, outcome, resumedAt);
            }
            state = step.next();
            k++;
        }
    }

    /** The checkpoint of {@code state}, before its step: iterations 0..k−1 done, their calls and data positions. */
    private static <S> Checkpoint checkpoint(IterativeAlgorithm<S> algorithm, StateCodec<S> codec, String configuration,
                                             S state, Durability durability, boolean finished, OracleCalls calls,
                                             List<SourcePosition> positions) {
        BilevelProblem p = algorithm.problem();
        return codec.encode(state).toCheckpoint(durability.run(), durability.preferenceIndex(), algorithm.name(),
                configuration, p.upperDimension(), p.lowerDimension(), finished, calls, positions);
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
