package io.mobl.ops.progress;

import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Progress bars (me.tongfei progressbar) on standard error: a "preferences" bar with the overall ETA and one bar
 * per running preference. See {@link RunProgress#bars}.
 */
final class ProgressBars implements RunProgress {
    private static final int REFRESH_MILLIS = 250;

    private final int iterations;
    private final Supplier<ProgressBarConsumer> consumers;
    private final ProgressBar overall;
    private final Map<String, ProgressBar> running = new LinkedHashMap<>();

    /** @param consumers where bars render; null = the console */
    ProgressBars(int preferences, int iterations, Supplier<ProgressBarConsumer> consumers) {
        RunProgress.checkTotals(preferences, iterations);
        this.iterations = iterations;
        this.consumers = consumers;
        this.overall = builder("preferences", preferences).build();
    }

    @Override
    public synchronized void onIteration(IterateTelemetry telemetry) {
        ProgressBar bar = running.computeIfAbsent(telemetry.key(), key -> {
            if (running.size() >= overall.getMax()) overall.maxHint(running.size() + 1L); // a preference changed mid-run
            return builder(key, iterations).build();
        });
        bar.stepTo(Math.min(telemetry.iteration() + 1L, iterations));
        bar.setExtraMessage(String.format(Locale.ROOT, "gap %.2e", telemetry.stationarity()));
    }

    @Override
    public synchronized void onPreferenceDone(ParetoPoint point) {
        ProgressBar bar = running.get(point.key());
        if (bar != null) {
            bar.stepTo(Math.min(point.iterations(), iterations));
            bar.maxHint(bar.getCurrent()); // an early stop at the tolerance is a finished bar
            bar.setExtraMessage(String.format(Locale.ROOT, "gap %.2e, done", point.stationarity()));
            bar.close();
        }
        overall.step();
    }

    @Override
    public synchronized void close() {
        running.values().forEach(ProgressBar::close);
        overall.close();
    }

    /** The bars' current positions, for tests: task name to current/max. */
    synchronized Map<String, long[]> positions() {
        Map<String, long[]> positions = new LinkedHashMap<>();
        positions.put(overall.getTaskName(), new long[] {overall.getCurrent(), overall.getMax()});
        running.forEach((key, bar) -> positions.put(key, new long[] {bar.getCurrent(), bar.getMax()}));
        return positions;
    }

    private ProgressBarBuilder builder(String task, long max) {
        ProgressBarBuilder builder = ProgressBar.builder()
                .setTaskName(task)
                .setInitialMax(max)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                .setUpdateIntervalMillis(REFRESH_MILLIS);
        if (consumers != null) builder.setConsumer(consumers.get());
        return builder;
    }
}
