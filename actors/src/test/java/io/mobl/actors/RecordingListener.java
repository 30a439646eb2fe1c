package io.mobl.actors;

import io.mobl.core.algorithm.RunListener;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.ParetoPoint;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Keeps what a run reports, from any number of threads, and the most preferences that were running at once
 * (between their first telemetry and their point).
 */
final class RecordingListener implements RunListener {
    private final List<IterateTelemetry> telemetry = new ArrayList<>();
    private final List<ParetoPoint> points = new ArrayList<>();
    private final Set<String> active = new HashSet<>();
    private final Set<String> started = new HashSet<>();
    private final CountDownLatch reached;
    private final int iteration;
    private int mostActive;

    RecordingListener() {
        this(Integer.MAX_VALUE);
    }

    /** @param iteration {@link #awaitIteration} returns once a telemetry of this iteration arrived */
    RecordingListener(int iteration) {
        this.iteration = iteration;
        this.reached = new CountDownLatch(1);
    }

    @Override
    public synchronized void onIteration(IterateTelemetry t) {
        telemetry.add(t);
        String run = t.run() + "#" + t.key();
        if (started.add(run)) {
            active.add(run);
            mostActive = Math.max(mostActive, active.size());
        }
        if (t.iteration() >= iteration) reached.countDown();
    }

    @Override
    public synchronized void onParetoPoint(ParetoPoint point) {
        points.add(point);
        active.remove(point.run() + "#" + point.key());
    }

    void awaitIteration() throws InterruptedException {
        if (!reached.await(30, TimeUnit.SECONDS)) throw new AssertionError("iteration " + iteration + " never came");
    }

    synchronized List<IterateTelemetry> telemetry() {
        return List.copyOf(telemetry);
    }

    synchronized List<ParetoPoint> points() {
        return List.copyOf(points);
    }

    synchronized int mostActive() {
        return mostActive;
    }
}
