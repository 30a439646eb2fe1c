package io.mobl.ops.progress;

import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Shows how far a run is: iterations per preference, preferences done, and an ETA.
 *
 * <p>{@link #forConsole} picks the form: progress bars on a terminal ({@link System#console()} present), plain
 * log lines otherwise (CI, a pipe, a container), so logs never fill with bar redraws. Feed it once per outer
 * iteration ({@link #onIteration}) and once per finished preference ({@link #onPreferenceDone}); it is
 * thread-safe, so coordinators running preferences in parallel may share one.
 */
public sealed interface RunProgress extends AutoCloseable permits ProgressBars, ProgressLines {

    /**
     * Bars on a terminal, log lines (logger {@code io.mobl.progress}, every 10 % of K per preference) otherwise.
     *
     * @param preferences how many preferences the run will finish (1 for a single preference)
     * @param iterations  K, the most iterations one preference runs
     */
    static RunProgress forConsole(int preferences, int iterations) {
        if (System.console() != null) return bars(preferences, iterations);
        return lines(preferences, iterations, 0, LoggerFactory.getLogger("io.mobl.progress")::info, System::nanoTime);
    }

    /** Progress bars on standard error: one for the preferences done, one per preference running. */
    static RunProgress bars(int preferences, int iterations) {
        return new ProgressBars(preferences, iterations, null);
    }

    /**
     * Plain lines, e.g. {@code demo/0.3000,0.7000: iteration 50/500 (10%), gap 1.2e-03; preferences 0/5 done;
     * ETA 2m10s}.
     *
     * @param every report every this many iterations of a preference; 0 = at every 10 % of K
     * @param out   where lines go (a logger, a list in tests)
     * @param nanos a monotonic clock, in nanoseconds
     */
    static RunProgress lines(int preferences, int iterations, int every, Consumer<String> out, LongSupplier nanos) {
        return new ProgressLines(preferences, iterations, every, out, nanos);
    }

    /** One upper-level iteration of one preference finished. */
    void onIteration(IterateTelemetry telemetry);

    /** A preference finished (after K iterations or early, at the tolerance). */
    void onPreferenceDone(ParetoPoint point);

    /** Ends the display; bars are left on screen at their final state. */
    @Override
    void close();

    static void checkTotals(int preferences, int iterations) {
        if (preferences < 1) throw new InvalidInputException("preferences", preferences, "a count >= 1");
        if (iterations < 1) throw new InvalidInputException("iterations", iterations, "a count >= 1");
    }
}
