package io.mobl.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.actors.ActorRuntime;
import io.mobl.actors.AlgorithmSweepSpec;
import io.mobl.actors.RuntimeSettings;
import io.mobl.core.algorithm.AlgorithmPlan;
import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.IterativeRun;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.StepReport;
import io.mobl.core.algorithm.StepSizes;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.CountingProblem;
import io.mobl.core.problem.SampledLowerLevel;
import io.mobl.core.problem.UpperEvaluation;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every algorithm {@code mobl run --algorithm} knows runs on the actor runtime ({@code --runtime actors}) exactly as
 * on the synchronous loop: the x of every iterate, bit for bit, every telemetry record's numbers and the final
 * points (oracle counts included); and a problem that throws on about 1 % of its oracle calls changes nothing but
 * the counts (each failed step is asked again from the same state).
 */
class ActorRuntimeEveryAlgorithmTest {
    static final List<double[]> PREFERENCES = List.of(new double[] {0.3, 0.7}, new double[] {0.5, 0.5},
            new double[] {0.8, 0.2});
    static ActorRuntime runtime;
    static BilevelProblem problem;

    @BeforeAll
    static void start() {
        runtime = new ActorRuntime(RuntimeSettings.load().withRetries(10, Duration.ofMillis(1)));
        problem = DefaultStepsMatrixTest.command("--problem", "quadratic", "--objectives", "2").problem.build();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    static List<String> algorithms() {
        return AlgorithmOptions.KNOWN;
    }

    static AlgorithmPlan plan(String name, int iterations) {
        RunCommand command = DefaultStepsMatrixTest.command("--algorithm", name, "--iterations", String.valueOf(iterations));
        return command.algorithm.plan(name, problem, StepSizes.of(problem));
    }

    /** What the synchronous loop reports for one preference: x bits of every iterate, and the point. */
    record Trace(List<long[]> iterates, List<double[]> objectives, ParetoPoint point) {}

    static Trace sync(AlgorithmPlan plan, double[] preference, int iterations) {
        List<long[]> iterates = new ArrayList<>();
        List<double[]> objectives = new ArrayList<>();
        IterativeAlgorithm<?> algorithm = plan.on(new CountingProblem(problem));
        runLoop(algorithm, preference, iterates, objectives, plan, iterations);
        return new Trace(iterates, objectives, plan.solve(problem, preference, iterations, "equivalence"));
    }

    private static <S> void runLoop(IterativeAlgorithm<S> algorithm, double[] preference, List<long[]> iterates,
                                    List<double[]> objectives, AlgorithmPlan plan, int iterations) {
        IterativeRun.run(algorithm, algorithm.initialState(preference, algorithm.problem().initialUpper()), iterations, r -> {
            iterates.add(bits(r.x()));
            objectives.add(r.objectives());
        }, plan.guard());
    }

    static long[] bits(INDArray x) {
        return Arrays.stream(x.toDoubleVector()).mapToLong(Double::doubleToRawLongBits).toArray();
    }

    /** The actor runtime's sweep of all preferences at once, on {@code on} (the problem, or a flaky one). */
    static List<Trace> actors(AlgorithmPlan plan, java.util.function.Supplier<BilevelProblem> on,
                              List<IterateTelemetry> telemetry, int iterations) throws Exception {
        Map<Integer, List<long[]>> iterates = new ConcurrentHashMap<>();
        Map<Integer, List<double[]>> objectives = new ConcurrentHashMap<>();
        RunListener listener = new RunListener() {
            @Override public void onIteration(IterateTelemetry t) { telemetry.add(t); }
            @Override public void onParetoPoint(ParetoPoint p) {}
        };
        AlgorithmSweepSpec spec = AlgorithmSweepSpec.of(i -> new AlgorithmSweepSpec.Part(
                plan.on(new CountingProblem(on.get())), null, plan.guard()), PREFERENCES, iterations, "equivalence", listener)
                .withObserver((index, r) -> {
                    iterates.computeIfAbsent(index, i -> Collections.synchronizedList(new ArrayList<>())).add(bits(r.x()));
                    objectives.computeIfAbsent(index, i -> Collections.synchronizedList(new ArrayList<>())).add(r.objectives());
                });
        List<ParetoPoint> points = runtime.sweep(spec).points().toCompletableFuture().get(120, TimeUnit.SECONDS);
        List<Trace> traces = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            traces.add(new Trace(iterates.get(i), objectives.get(i), points.get(i)));
        }
        return traces;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("algorithms")
    void theActorRuntimeComputesWhatTheSynchronousLoopComputesBitForBit(String name) throws Exception {
        int K = 12;
        AlgorithmPlan plan = plan(name, K);
        List<IterateTelemetry> telemetry = Collections.synchronizedList(new ArrayList<>());
        List<Trace> actors = actors(plan, () -> problem, telemetry, K);
        for (int i = 0; i < PREFERENCES.size(); i++) {
            Trace expected = sync(plan, PREFERENCES.get(i), K);
            Trace got = actors.get(i);
            assertThat(got.iterates()).as("x of every iterate, preference %d", i).hasSize(K + 1);
            for (int k = 0; k <= K; k++) {
                assertThat(got.iterates().get(k)).as("x_%d bits, preference %d", k, i).isEqualTo(expected.iterates().get(k));
                assertThat(got.objectives().get(k)).isEqualTo(expected.objectives().get(k));
            }
            assertThat(got.point()).as("the point, oracle counts included").isEqualTo(expected.point());
        }
        assertThat(telemetry).hasSize(PREFERENCES.size() * (K + 1));
        for (IterateTelemetry t : telemetry) assertThat(t.run()).isEqualTo("equivalence");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("algorithms")
    void aProblemThatThrowsOnOnePercentOfItsCallsGivesTheSameIteratesAndNeverHangs(String name) throws Exception {
        int K = 60; // enough calls for the cheapest algorithm to meet a few failures
        AlgorithmPlan plan = plan(name, K);
        AtomicInteger thrown = new AtomicInteger();
        List<Trace> actors = actors(plan, () -> flaky(problem, thrown), Collections.synchronizedList(new ArrayList<>()), K);
        for (int i = 0; i < PREFERENCES.size(); i++) {
            Trace expected = sync(plan, PREFERENCES.get(i), K);
            Trace got = actors.get(i);
            for (int k = 0; k <= K; k++) {
                assertThat(got.iterates().get(k)).as("x_%d bits, preference %d", k, i).isEqualTo(expected.iterates().get(k));
            }
            assertThat(got.point().x()).isEqualTo(expected.point().x());
            assertThat(got.point().objectives()).isEqualTo(expected.point().objectives());
        }
        assertThat(thrown.get()).as("failures injected").isPositive();
    }

    /**
     * Throws on about 1 % of its oracle calls: a call fails when the hash of its inputs falls in 1 % of the range and
     * those inputs have not failed before, so the same call asked again (a retried step) succeeds; the failures
     * depend on the inputs alone, never on the timing.
     */
    static BilevelProblem flaky(BilevelProblem delegate, AtomicInteger thrown) {
        Set<Integer> failed = Collections.synchronizedSet(new HashSet<>());
        return new Flaky(delegate, failed, thrown);
    }

    static final class Flaky implements BilevelProblem, SampledLowerLevel {
        private final BilevelProblem d;
        private final Set<Integer> failed;
        private final AtomicInteger thrown;

        Flaky(BilevelProblem d, Set<Integer> failed, AtomicInteger thrown) {
            this.d = d;
            this.failed = failed;
            this.thrown = thrown;
        }

        private void maybeFail(String oracle, INDArray... inputs) {
            int h = oracle.hashCode();
            for (INDArray a : inputs) h = 31 * h + Arrays.hashCode(a.toDoubleVector());
            if (Math.floorMod(h * 0x9E3779B9, 100) == 0 && failed.add(h)) {
                thrown.incrementAndGet();
                throw new IllegalStateException("injected failure of " + oracle);
            }
        }

        @Override public int upperDimension() { return d.upperDimension(); }
        @Override public int lowerDimension() { return d.lowerDimension(); }
        @Override public int objectiveCount() { return d.objectiveCount(); }
        @Override public Set<io.mobl.core.problem.Oracle> oracles() { return d.oracles(); }
        @Override public INDArray initialUpper() { return d.initialUpper(); }
        @Override public INDArray initialLower() { return d.initialLower(); }
        @Override public Optional<io.mobl.core.problem.Smoothness> smoothness() { return d.smoothness(); }

        @Override public UpperEvaluation upper(int s, INDArray x, INDArray y) {
            maybeFail("f" + s, x, y);
            return d.upper(s, x, y);
        }

        @Override public double lowerValue(INDArray x, INDArray y) {
            maybeFail("g", x, y);
            return d.lowerValue(x, y);
        }

        @Override public INDArray lowerGradient(INDArray x, INDArray y) {
            maybeFail("gy", x, y);
            return d.lowerGradient(x, y);
        }

        @Override public INDArray lowerGradientX(INDArray x, INDArray y) {
            maybeFail("gx", x, y);
            return d.lowerGradientX(x, y);
        }

        @Override public INDArray hessianVector(INDArray x, INDArray y, INDArray v) {
            maybeFail("hyy", x, y, v);
            return d.hessianVector(x, y, v);
        }

        @Override public INDArray jacobianVector(INDArray x, INDArray y, INDArray v) {
            maybeFail("hxy", x, y, v);
            return d.jacobianVector(x, y, v);
        }

        @Override public io.mobl.protocol.OracleCalls costOf(io.mobl.core.problem.Oracle oracle) { return d.costOf(oracle); }

        @Override public INDArray lowerGradientInto(INDArray x, INDArray y, INDArray out) {
            maybeFail("gy", x, y);
            return d.lowerGradientInto(x, y, out);
        }

        @Override public INDArray hessianVectorInto(INDArray x, INDArray y, INDArray v, INDArray out) {
            maybeFail("hyy", x, y, v);
            return d.hessianVectorInto(x, y, v, out);
        }

        @Override public INDArray lowerDescent(INDArray x, INDArray start, int iterations, double stepSize) {
            maybeFail("descent", x, start);
            return d.lowerDescent(x, start, iterations, stepSize);
        }

        @Override public BilevelProblem lowerSample(SplittableRandom random, int batchSize) {
            return ((SampledLowerLevel) d).lowerSample(random, batchSize);
        }
    }
}
