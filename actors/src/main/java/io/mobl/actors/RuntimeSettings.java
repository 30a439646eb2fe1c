package io.mobl.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mobl.protocol.InvalidInputException;
import java.time.Duration;
import java.util.Objects;

/**
 * How the actor runtime waits and retries: the keys under {@code mobl.actors} in {@code reference.conf}, where
 * each is documented with its default.
 *
 * @param askTimeout   {@code ask-timeout}: how long the coordinator waits for one answer of a math actor
 * @param maxAttempts  {@code max-attempts}: attempts per request before the run fails (≥ 1)
 * @param retryBackoff {@code retry-backoff}: wait before the second attempt, doubled for each further one
 * @param runTimeout   {@code run-timeout}: the longest a sweep may take
 * @param clusterResend {@code cluster-resend}: how often a sweep submitted to a cluster starts its unanswered
 *                      preferences again ({@link ClusterSweep})
 */
public record RuntimeSettings(Duration askTimeout, int maxAttempts, Duration retryBackoff, Duration runTimeout,
                              Duration clusterResend) {

    /** The dispatcher the math actors run on, configured in {@code reference.conf}. */
    public static final String MATH_DISPATCHER = "mobl-math-dispatcher";

    private static final Duration LONGEST_TIMER = Duration.ofDays(200);

    public RuntimeSettings {
        positive("mobl.actors.ask-timeout", askTimeout);
        if (maxAttempts < 1) throw new InvalidInputException("mobl.actors.max-attempts", maxAttempts, "an integer >= 1");
        Objects.requireNonNull(retryBackoff, "retryBackoff");
        if (retryBackoff.isNegative()) {
            throw new InvalidInputException("mobl.actors.retry-backoff", retryBackoff, "a duration >= 0");
        }
        positive("mobl.actors.run-timeout", runTimeout);
        positive("mobl.actors.cluster-resend", clusterResend);
    }

    /** The settings in {@code mobl.actors} of {@code config} (reference.conf supplies every default). */
    public static RuntimeSettings fromConfig(Config config) {
        Config c = config.getConfig("mobl.actors");
        return new RuntimeSettings(c.getDuration("ask-timeout"), c.getInt("max-attempts"),
                c.getDuration("retry-backoff"), c.getDuration("run-timeout"), c.getDuration("cluster-resend"));
    }

    /** The settings from {@code application.conf} over {@code reference.conf}. */
    public static RuntimeSettings load() {
        return fromConfig(ConfigFactory.load());
    }

    /** The wait before attempt {@code attempt} (≥ 2): the back-off doubled for each attempt after the second. */
    public Duration backoffBefore(int attempt) {
        return retryBackoff.multipliedBy(1L << Math.min(20, Math.max(0, attempt - 2)));
    }

    public RuntimeSettings withAskTimeout(Duration timeout) {
        return new RuntimeSettings(timeout, maxAttempts, retryBackoff, runTimeout, clusterResend);
    }

    public RuntimeSettings withRetries(int attempts, Duration backoff) {
        return new RuntimeSettings(askTimeout, attempts, backoff, runTimeout, clusterResend);
    }

    private static void positive(String key, Duration value) {
        Objects.requireNonNull(value, key);
        if (value.isNegative() || value.isZero() || value.compareTo(LONGEST_TIMER) > 0) {
            throw new InvalidInputException(key, value, "a positive duration of at most 200d");
        }
    }
}
