package io.mobl.ops.progress;

import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/** Progress as plain lines, for logs that are not a terminal. See {@link RunProgress#lines}. */
final class ProgressLines implements RunProgress {
    private final int iterations;
    private final int every;
    private final Consumer<String> out;
    private final LongSupplier nanos;
    private final long start;
    private final Map<String, Integer> completed = new HashMap<>();
    private final Map<String, Long> reported = new HashMap<>();
    private int preferences;
    private int done;

    ProgressLines(int preferences, int iterations, int every, Consumer<String> out, LongSupplier nanos) {
        RunProgress.checkTotals(preferences, iterations);
        if (every < 0) throw new InvalidInputException("every", every, "an iteration count >= 0 (0 = every 10 %)");
        this.preferences = preferences;
        this.iterations = iterations;
        this.every = every;
        this.out = Objects.requireNonNull(out, "out");
        this.nanos = Objects.requireNonNull(nanos, "nanos");
        this.start = nanos.getAsLong();
    }

    @Override
    public synchronized void onIteration(IterateTelemetry telemetry) {
        String key = telemetry.key();
        int k = Math.min(telemetry.iteration() + 1, iterations);
        if (!completed.containsKey(key) && completed.size() >= preferences) preferences++; // a preference changed mid-run
        completed.merge(key, k, Math::max);
        long step = every > 0 ? k / every : (10L * k) / iterations;
        if (step > reported.getOrDefault(key, 0L)) {
            reported.put(key, step);
            out.accept(String.format(Locale.ROOT, "%s: iteration %d/%d (%d%%), gap %.3e; preferences %d/%d done; ETA %s",
                    key, k, iterations, 100L * k / iterations, telemetry.stationarity(), done, preferences, eta()));
        }
    }

    @Override
    public synchronized void onPreferenceDone(ParetoPoint point) {
        String key = point.key();
        if (!completed.containsKey(key) && completed.size() >= preferences) preferences++;
        completed.put(key, iterations); // early stops count as done: nothing of this preference is left to run
        done++;
        out.accept(String.format(Locale.ROOT, "%s: done after %d iterations, gap %.3e; preferences %d/%d done; %s",
                key, point.iterations(), point.stationarity(), done, preferences,
                done >= preferences ? "elapsed " + format(Duration.ofNanos(nanos.getAsLong() - start)) : "ETA " + eta()));
    }

    @Override
    public void close() {
        // Lines need no cleanup.
    }

    /** Remaining work over the rate so far; "?" before the first iteration. */
    private String eta() {
        long work = 0;
        for (int k : completed.values()) work += k;
        long total = (long) preferences * iterations;
        long elapsed = nanos.getAsLong() - start;
        if (work == 0 || elapsed <= 0) return "?";
        return format(Duration.ofNanos((long) ((double) elapsed * (total - work) / work)));
    }

    static String format(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds >= 3600) return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
        if (seconds >= 60) return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        return seconds + "s";
    }
}
