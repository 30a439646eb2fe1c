package io.mobl.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mobl.core.algorithm.RunListener;
import io.mobl.core.algorithm.Solution;
import io.mobl.core.algorithm.SynchronousSolver;
import io.mobl.core.algorithm.WcMhgdConfig;
import io.mobl.core.hypergradient.ConjugateGradient;
import io.mobl.core.problem.quadratic.QuadraticProblem;
import io.mobl.core.problem.quadratic.QuadraticProblems;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.ParetoPoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's Java example is this test's code, and it runs: the same front as core's reference loop. */
class ReadmeExampleTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Path SOURCE = Path.of("src", "test", "java", "io", "mobl", "api", "ReadmeExampleTest.java");

    @Test
    void theReadmeExampleIsThisCodeAndGivesTheReferenceLoopsFront() throws Exception {
        PrintStream console = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        Front front;
        try {
            front = readmeExample();
        } finally {
            System.setOut(console);
        }
        QuadraticProblem reference = QuadraticProblems.dense(1, 8, 12, 2, 10, 0.5);
        assertThat(front.points()).hasSize(5);
        assertThat(printed.toString(StandardCharsets.UTF_8).lines()).hasSize(6);
        // the reference: core's loop with Theorem 5.5's steps, D = 50, N = 10, u = 1, ε = 1e-10 (mobl run's defaults)
        WcMhgdConfig config = WcMhgdConfig.defaults(reference, new ConjugateGradient(10), 50, 1.0, 100, 1e-10);
        List<double[]> grid = List.of(io.mobl.core.metrics.PreferenceGrid.of(2, 5));
        List<Solution> expected = SynchronousSolver.sweep(reference, config, grid, "run", RunListener.NONE);
        for (int i = 0; i < 5; i++) {
            assertThat(front.points().get(i).x()).containsExactly(expected.get(i).point().x());
            assertThat(front.points().get(i).objectives()).containsExactly(expected.get(i).point().objectives());
        }
        assertThat(front.steps()).extracting(s -> s.symbol()).containsExactly("α", "β");
        assertThat(front.steps().get(1).value()).isEqualTo(config.upperStepSize());
    }

    /** The README's block, between the markers; the test compares them character for character. */
    private static Front readmeExample() {
        // README begin
        QuadraticProblem problem = QuadraticProblems.dense(/*seed*/ 1, /*p*/ 8, /*q*/ 12, /*S*/ 2, /*κ*/ 10, /*a*/ 0.5);
        Front front = Mobl.problem(problem)
                .algorithm(Algorithm.wcMhgd().iterations(100))
                .preferences(Preferences.grid(5))
                .run();
        for (ParetoPoint point : front.points()) {
            System.out.println(Arrays.toString(point.preference()) + " -> " + Arrays.toString(point.objectives()));
        }
        System.out.println(front.steps()); // α = 1/L, β from Theorem 5.5, with the constants they came from
        // README end
        return front;
    }

    @Test
    void theReadmeBlockIsCharacterForCharacterTheCodeThisTestRuns() throws Exception {
        String readme = Files.readString(README);
        int section = readme.indexOf("## The Java API");
        int open = readme.indexOf("```java\n", section) + "```java\n".length();
        String block = readme.substring(open, readme.indexOf("```", open));
        String source = Files.readString(SOURCE);
        String region = source.substring(source.indexOf("// README begin\n") + "// README begin\n".length(),
                source.indexOf("        // README end"));
        String dedented = String.join("\n", region.lines().map(line -> line.length() >= 8 ? line.substring(8) : line.strip())
                .toList()) + "\n";
        assertThat(block).isEqualTo(dedented);
    }

    @Test
    void otherAlgorithmsTakeTheirSettingsAndABadValueNamesTheOption() {
        QuadraticProblem problem = QuadraticProblems.dense(2, 4, 6, 2, 5, 0.5);
        Front forum = Mobl.problem(problem).algorithm(Algorithm.forum().iterations(40).rho(0.5))
                .preferences(Preferences.of(new double[] {0.3, 0.7})).run();
        assertThat(forum.algorithm()).isEqualTo("forum");
        assertThat(forum.points()).singleElement().satisfies(p -> assertThat(p.iterations()).isEqualTo(40));
        assertThat(forum.steps()).extracting(s -> s.symbol()).containsExactly("η", "μ");
        assertThatThrownBy(() -> Mobl.problem(problem).algorithm(Algorithm.wcMhgd().lowerIterations(0)).run())
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("--lower-iterations = 0: expected an integer in [1, 1000000]");
        assertThatThrownBy(() -> Mobl.problem(problem).preferences(Preferences.of(new double[] {0.2, 0.2, 0.6})).run())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("preference");
    }

    @Test
    void theActorRuntimeGivesTheSynchronousFrontBitForBit() {
        QuadraticProblem problem = QuadraticProblems.dense(3, 4, 6, 2, 5, 0.5);
        for (Algorithm algorithm : List.of(Algorithm.wcMhgd().iterations(30), Algorithm.forum().iterations(30),
                Algorithm.moco().iterations(30))) {
            Mobl.Run run = Mobl.problem(problem).algorithm(algorithm).preferences(Preferences.grid(3));
            Front sync = run.run();
            Front actors = run.run(Runtime.actors());
            assertThat(actors.points()).hasSize(3);
            for (int i = 0; i < 3; i++) {
                assertThat(actors.points().get(i).x()).as(algorithm + " preference " + i).containsExactly(sync.points().get(i).x());
                assertThat(actors.points().get(i).oracleCalls()).isEqualTo(sync.points().get(i).oracleCalls());
            }
            assertThat(actors.steps()).isEqualTo(sync.steps());
        }
        assertThatThrownBy(() -> Mobl.problem(problem).algorithm(Algorithm.forum().rho(-1)).run(Runtime.actors()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("--rho");
    }
}
