package io.mobl.core.stochastic;

import io.mobl.protocol.Checks;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.SourcePosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory {@link BatchSource} that serves a {@link MinibatchGenerator} in order: the i-th call for a role
 * gets that role's batch i, of {@code rows} samples. Runs without Kafka, and the tests' reference source: two
 * sources over the same generator deliver the same sequence per role, whichever threads ask, so a synchronous
 * and an actor run fed by them see the same batches. It never waits. Thread-safe; it keeps the batch ids
 * acknowledged through {@link #iterationDone} for inspection (memory grows with the iterations: meant for tests
 * and bounded runs).
 */
public final class GeneratedBatchSource implements BatchSource {
    private final MinibatchGenerator generator;
    private final int rows;
    private final AtomicLong[] next;
    private final List<Acknowledged> acknowledged = new ArrayList<>();
    private final long[] acknowledgedCount;

    /** One acknowledgement: the iteration and the batch ids it used. */
    public record Acknowledged(long iteration, List<String> batchIds) {}

    /**
     * @param objectives S; roles LOWER and 0..S−1 are served
     * @param rows       samples per minibatch
     */
    public GeneratedBatchSource(MinibatchGenerator generator, int objectives, int rows) {
        this.generator = generator;
        this.rows = Checks.atLeast("rows", rows, 1);
        Checks.atLeast("objectives", objectives, 1);
        this.next = new AtomicLong[objectives + 1];
        for (int i = 0; i < next.length; i++) next[i] = new AtomicLong();
        this.acknowledgedCount = new long[objectives + 1];
    }

    /** A source of a stochastic quadratic problem's data. */
    public static GeneratedBatchSource of(StochasticQuadraticSpec spec, int rows) {
        return new GeneratedBatchSource(spec.generator(), spec.objectives(), rows);
    }

    @Override
    public Minibatch next(int objective, Duration timeout) {
        if (objective < Minibatch.LOWER || objective >= next.length - 1) {
            throw new InvalidInputException("objective", objective, "-1 (lower level) or 0.." + (next.length - 2));
        }
        return generator.batch(objective, next[objective + 1].getAndIncrement(), rows);
    }

    @Override
    public synchronized void iterationDone(long iteration, List<Minibatch> used) {
        acknowledged.add(new Acknowledged(iteration, used.stream().map(Minibatch::batchId).toList()));
        for (Minibatch batch : used) acknowledgedCount[batch.objective() + 1]++;
    }

    /**
     * Per role, topic {@value SourcePosition#MEMORY}, partition 0, the offset the number of its batches acknowledged
     * so far: the index of the next batch a resumed source serves that role.
     */
    @Override
    public synchronized List<SourcePosition> positions() {
        List<SourcePosition> positions = new ArrayList<>(next.length);
        for (int role = 0; role < next.length; role++) {
            positions.add(new SourcePosition(SourcePosition.MEMORY, 0, role - 1, acknowledgedCount[role]));
        }
        return positions;
    }

    /** Serves each role from its position on: the generator's batch i is the same on every source. */
    @Override
    public synchronized void resumeAt(List<SourcePosition> positions) {
        for (SourcePosition position : positions) {
            int role = position.objective() + 1;
            if (!position.topic().equals(SourcePosition.MEMORY) || position.partition() != 0 || role >= next.length) {
                throw new InvalidInputException("positions", position, "a position of this in-memory source ("
                        + SourcePosition.MEMORY + "-0, roles -1.." + (next.length - 2) + ")");
            }
            next[role].set(position.nextOffset());
            acknowledgedCount[role] = position.nextOffset();
        }
    }

    /** Every acknowledgement so far, in order. */
    public synchronized List<Acknowledged> acknowledged() {
        return List.copyOf(acknowledged);
    }

    /** How many batches of a role were delivered. */
    public long delivered(int objective) {
        return next[objective + 1].get();
    }
}
