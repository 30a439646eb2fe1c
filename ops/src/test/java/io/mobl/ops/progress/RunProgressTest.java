package io.mobl.ops.progress;

import io.mobl.ops.Records;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.ParetoPoint;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunProgressTest {
    private static final double[] R1 = {0.3, 0.7};
    private static final double[] R2 = {0.6, 0.4};
    private final AtomicLong clock = new AtomicLong();
    private final List<String> lines = new ArrayList<>();

    @Test
    void withoutATerminalProgressIsPlainLines() {
        try (RunProgress progress = RunProgress.forConsole(2, 10)) {
            assertThat(progress).isInstanceOf(ProgressLines.class);
        }
    }

    @Test
    void linesComeAtEveryTenthOfKWithAnEtaFromTheRateSoFar() {
        RunProgress progress = RunProgress.lines(1, 20, 0, lines::add, clock::get);
        for (int k = 0; k < 10; k++) {
            clock.addAndGet(1_000_000_000L);
            progress.onIteration(iteration(R1, k));
        }

        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).isEqualTo("demo/0.3000,0.7000: iteration 2/20 (10%), gap 5.000e-01; "
                + "preferences 0/1 done; ETA 18s");
        assertThat(lines.get(4)).isEqualTo("demo/0.3000,0.7000: iteration 10/20 (50%), gap 1.000e-01; "
                + "preferences 0/1 done; ETA 10s");
    }

    @Test
    void linesCanComeEveryNIterations() {
        RunProgress progress = RunProgress.lines(1, 100, 7, lines::add, clock::get);
        for (int k = 0; k < 30; k++) progress.onIteration(iteration(R1, k));
        assertThat(lines).hasSize(4).allSatisfy(line -> assertThat(line).containsPattern("iteration (7|14|21|28)/100"));
    }

    @Test
    void eachPreferenceReportsItsOwnProgressAndTheRunCountsThemDone() {
        RunProgress progress = RunProgress.lines(2, 10, 0, lines::add, clock::get);
        for (int k = 0; k < 10; k++) {
            clock.addAndGet(60_000_000_000L);
            progress.onIteration(iteration(R1, k));
            if (k < 5) progress.onIteration(iteration(R2, k));
        }
        progress.onPreferenceDone(point(R2, 5));
        progress.onPreferenceDone(point(R1, 10));

        assertThat(lines.stream().filter(l -> l.startsWith("demo/0.3000,0.7000: iteration"))).hasSize(10);
        assertThat(lines.stream().filter(l -> l.startsWith("demo/0.6000,0.4000: iteration"))).hasSize(5);
        assertThat(lines.get(lines.size() - 2)).isEqualTo(
                "demo/0.6000,0.4000: done after 5 iterations, gap 1.000e-07; preferences 1/2 done; ETA 0s");
        assertThat(lines.get(lines.size() - 1)).isEqualTo(
                "demo/0.3000,0.7000: done after 10 iterations, gap 1.000e-07; preferences 2/2 done; elapsed 10m00s");
    }

    @Test
    void barsFollowEachPreferenceAndFinishEarlyStopsAtTheirLastIteration() {
        List<String> rendered = new CopyOnWriteArrayList<>();
        ProgressBars bars = new ProgressBars(2, 10, () -> new DelegatingProgressBarConsumer(rendered::add, 120));
        for (int k = 0; k < 4; k++) bars.onIteration(iteration(R1, k));
        bars.onIteration(iteration(R2, 0));
        assertThat(bars.positions()).containsOnlyKeys("preferences", "demo/0.3000,0.7000", "demo/0.6000,0.4000");
        assertThat(bars.positions().get("demo/0.3000,0.7000")).containsExactly(4, 10);
        assertThat(bars.positions().get("demo/0.6000,0.4000")).containsExactly(1, 10);

        bars.onPreferenceDone(point(R1, 4));
        Map<String, long[]> positions = bars.positions();
        assertThat(positions.get("demo/0.3000,0.7000")).containsExactly(4, 4);
        assertThat(positions.get("preferences")).containsExactly(1, 2);
        bars.close();
        assertThat(String.join("\n", rendered)).contains("preferences").contains("demo/0.3000,0.7000");
    }

    @Test
    void nonsensicalTotalsAreRejected() {
        assertThatThrownBy(() -> RunProgress.lines(0, 10, 0, lines::add, clock::get))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("preferences = 0");
        assertThatThrownBy(() -> RunProgress.lines(1, 0, 0, lines::add, clock::get))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("iterations = 0");
        assertThatThrownBy(() -> RunProgress.lines(1, 10, -1, lines::add, clock::get))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("every = -1");
    }

    private static IterateTelemetry iteration(double[] preference, int k) {
        return Records.telemetry("demo", preference, k, new double[] {1, 2});
    }

    private static ParetoPoint point(double[] preference, int iterations) {
        return new ParetoPoint("demo", preference, new double[] {0}, new double[] {1, 2}, 1e-7, iterations,
                OracleCalls.NONE);
    }
}
