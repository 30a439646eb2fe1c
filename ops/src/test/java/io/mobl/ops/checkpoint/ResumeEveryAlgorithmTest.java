package io.mobl.ops.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.core.algorithm.AlgorithmPlan;
import io.mobl.core.algorithm.Budget;
import io.mobl.core.algorithm.Durability;
import io.mobl.core.algorithm.IterativeAlgorithm;
import io.mobl.core.algorithm.IterativeRun;
import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.StepSizes;
import io.mobl.core.algorithm.StochasticWcMhgdAlgorithm;
import io.mobl.core.algorithm.StochasticWcMhgdConfig;
import io.mobl.core.algorithm.baseline.StochasticMoml;
import io.mobl.core.algorithm.baseline.StochasticMomlConfig;
import io.mobl.core.algorithm.forum.ForumConfig;
import io.mobl.core.algorithm.forum.StochasticForum;
import io.mobl.core.algorithm.forum.StochasticForumConfig;
import io.mobl.core.checkpoint.FileRunJournal;
import io.mobl.core.checkpoint.StateCodec;
import io.mobl.core.problem.BilevelProblem;
import io.mobl.core.problem.CountingProblem;
import io.mobl.core.stochastic.BatchSource;
import io.mobl.core.stochastic.CountingStochasticProblem;
import io.mobl.core.stochastic.GeneratedBatchSource;
import io.mobl.core.stochastic.StochasticQuadraticProblem;
import io.mobl.core.stochastic.StochasticQuadraticSpec;
import io.mobl.ops.cli.AlgorithmOptions;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.codec.JsonCodec;
import io.mobl.protocol.codec.JsonLines;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every algorithm resumes exactly: a run of K = 12 straight, and one that stops at iteration 7 (an exception from its
 * listener, as a crash) with its newest checkpoint at 5 and is started again on the same journal, give the same
 * iterates x_5 … x_12 bit for bit, the same telemetry (oracle calls included) and the same final point. The
 * checkpoint goes through the file journal, so through {@code CheckpointCodec}'s bytes.
 */
class ResumeEveryAlgorithmTest {
    static final int K = 12;
    static final int EVERY = 5;
    static final int CRASH_AT = 7;
    static final double[] PREFERENCE = {0.3, 0.7};

    @TempDir Path dir;

    /** An algorithm with the source it draws from (none for a deterministic one). */
    record Built(IterativeAlgorithm<?> algorithm, BatchSource source) {}

    static Stream<Arguments> algorithms() {
        List<Arguments> cases = new ArrayList<>();
        for (String name : AlgorithmOptions.KNOWN) cases.add(Arguments.of(name, plan(name, "cg")));
        cases.add(Arguments.of("wc-mhgd (ns)", plan("wc-mhgd", "ns")));
        StochasticQuadraticSpec spec = StochasticQuadraticSpec.defaults(7);
        StochasticQuadraticProblem problem = spec.problem();
        cases.add(Arguments.of("wc-mhgd-stochastic", (Supplier<Built>) () -> {
            GeneratedBatchSource source = GeneratedBatchSource.of(spec, 4);
            return new Built(new StochasticWcMhgdAlgorithm(new CountingStochasticProblem(problem),
                    StochasticWcMhgdConfig.defaults(problem, 3, 4, 8, 1.0, K, 0), source), source);
        }));
        cases.add(Arguments.of("moml-stochastic", (Supplier<Built>) () -> {
            GeneratedBatchSource source = GeneratedBatchSource.of(spec, 4);
            return new Built(new StochasticMoml(new CountingStochasticProblem(problem), source,
                    new StochasticMomlConfig(3, 0.2, 0.1, 8, 8, Duration.ofSeconds(1))), source);
        }));
        cases.add(Arguments.of("forum-stochastic", (Supplier<Built>) () -> {
            GeneratedBatchSource source = GeneratedBatchSource.of(spec, 4);
            return new Built(new StochasticForum(new CountingStochasticProblem(problem), source,
                    new StochasticForumConfig(ForumConfig.of(3, 0.2, 0.1, 0.3, 0.5), 8, 8, 8, Duration.ofSeconds(1))),
                    source);
        }));
        return cases.stream();
    }

    /** The named algorithm as {@code mobl run} plans it on a small built-in quadratic problem. */
    static Supplier<Built> plan(String name, String hypergradient) {
        AlgorithmOptions options = AlgorithmOptions.parse(List.of("--algorithm", name, "--hypergradient", hypergradient,
                "--iterations", String.valueOf(K)));
        BilevelProblem problem = io.mobl.core.problem.quadratic.QuadraticProblems.dense(3, 5, 6, 2, 4, 0.5);
        AlgorithmPlan plan = options.plan(name, problem, StepSizes.of(problem), K);
        return () -> new Built(plan.on(new CountingProblem(problem)), Durability.NO_SOURCE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("algorithms")
    void aRunResumedFromItsCheckpointGoesOnBitForBitAsIfItHadNeverStopped(String name, Supplier<Built> build) {
        Trace straight = run(build.get(), null, 0, Integer.MAX_VALUE);
        assertThat(straight.xs()).hasSize(K + 1);

        Path journals = dir.resolve("journals");
        assertThatThrownBy(() -> run(build.get(), journals, EVERY, CRASH_AT)).isInstanceOf(Crash.class);
        Trace resumed = run(build.get(), journals, EVERY, Integer.MAX_VALUE);

        assertThat(resumed.resumedAt()).isEqualTo(EVERY);
        assertThat(resumed.xs()).hasSize(K + 1 - EVERY);
        for (int k = EVERY; k <= K; k++) {
            assertThat(resumed.xs().get(k - EVERY)).as("x_%d", k).containsExactly(straight.xs().get(k));
        }
        assertThat(withoutTimes(resumed.telemetry())).isEqualTo(withoutTimes(straight.telemetry().subList(EVERY, K + 1)));
        assertThat(JsonCodec.encodeToString(resumed.point())).isEqualTo(JsonCodec.encodeToString(straight.point()));
        // the journal's history has every iteration once, the crashed run's lines after the checkpoint cut off
        Path files = FileRunJournal.directory(journals, "r", 0);
        List<IterateTelemetry> history = JsonLines.read(files.resolve(FileRunJournal.TELEMETRY), JsonCodec::decodeTelemetry);
        assertThat(withoutTimes(history)).isEqualTo(withoutTimes(straight.telemetry()));
        assertThat(JsonLines.read(files.resolve(FileRunJournal.POINTS), JsonCodec::decodeParetoPoint).stream()
                .map(JsonCodec::encodeToString)).containsExactly(JsonCodec.encodeToString(straight.point()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("algorithms")
    void aCheckpointMissingAnEntryIsRefusedNamingIt(String name, Supplier<Built> build) {
        refuseWithoutFirstEntry(build.get().algorithm());
    }

    private static <S> void refuseWithoutFirstEntry(IterativeAlgorithm<S> algorithm) {
        StateCodec<S> codec = algorithm.stateCodec();
        var image = codec.encode(algorithm.initialState(PREFERENCE, algorithm.problem().initialUpper()));
        String first = image.vectors().firstKey();
        var vectors = new java.util.TreeMap<>(image.vectors());
        vectors.remove(first);
        var broken = new io.mobl.core.checkpoint.StateImage(image.iteration(), image.preference(), vectors, image.counters());
        assertThatThrownBy(() -> codec.decode(broken)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("checkpoint.vectors." + first);
    }

    record Trace(List<double[]> xs, List<IterateTelemetry> telemetry, ParetoPoint point, long resumedAt) {}

    static final class Crash extends RuntimeException {}

    /** A run of K on a file journal under {@code journals} (null: none), stopped by a crash at {@code crashAt}. */
    private static Trace run(Built built, Path journals, int every, int crashAt) {
        return traced(built.algorithm(), built.source(), journals, every, crashAt);
    }

    private static <S> Trace traced(IterativeAlgorithm<S> algorithm, BatchSource source, Path journals, int every,
                                    int crashAt) {
        Recording<S> recording = new Recording<>(algorithm);
        List<IterateTelemetry> telemetry = new ArrayList<>();
        RunListener listener = new RunListener() {
            @Override
            public void onIteration(IterateTelemetry t) {
                if (t.iteration() == crashAt) throw new Crash();
                telemetry.add(t);
            }
        };
        var journal = journals == null ? io.mobl.core.checkpoint.RunJournal.NONE : FileRunJournal.open(journals, "r", 0);
        try (journal) {
            IterativeRun.Durable<S> result = IterativeRun.runDurably(recording, PREFERENCE,
                    algorithm.problem().initialUpper(), new Budget(K, 0), listener, null,
                    new Durability(journal, every, "r", 0, source));
            return new Trace(recording.xs, telemetry, result.point(), result.resumedAt());
        }
    }

    private static List<IterateTelemetry> withoutTimes(List<IterateTelemetry> telemetry) {
        return telemetry.stream().map(t -> new IterateTelemetry(t.run(), t.preference(), t.iteration(), t.objectives(),
                t.weights(), t.stationarity(), t.stepNorm(), t.oracleCalls(), Map.of())).toList();
    }

    /** The algorithm, keeping every iterate x_k it evaluates. */
    private static final class Recording<S> implements IterativeAlgorithm<S> {
        private final IterativeAlgorithm<S> algorithm;
        final List<double[]> xs = new ArrayList<>();

        Recording(IterativeAlgorithm<S> algorithm) {
            this.algorithm = algorithm;
        }

        @Override public String name() { return algorithm.name(); }
        @Override public BilevelProblem problem() { return algorithm.problem(); }
        @Override public S initialState(double[] preference, INDArray upperStart) { return algorithm.initialState(preference, upperStart); }
        @Override public StateCodec<S> stateCodec() { return algorithm.stateCodec(); }
        @Override public String configuration() { return algorithm.configuration(); }

        @Override
        public Step<S> step(S state) {
            Step<S> step = algorithm.step(state);
            xs.add(step.report().x().toDoubleVector());
            return step;
        }
    }
}
