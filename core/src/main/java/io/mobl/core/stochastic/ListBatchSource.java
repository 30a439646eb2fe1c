package io.mobl.core.stochastic;

import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.SourcePosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An in-memory {@link BatchSource} over given minibatches: one FIFO queue per role, filled at construction and by
 * {@link #add} (from any thread, e.g. a test's producer). {@link #next} waits up to its timeout for a batch of the
 * role and then throws {@link TimeoutException}, as a Kafka-backed source does when no data comes. Remembers what
 * was acknowledged through {@link #iterationDone}, in order.
 */
public final class ListBatchSource implements BatchSource {
    private final Map<Integer, LinkedBlockingQueue<Minibatch>> queues = new ConcurrentHashMap<>();
    private final List<Minibatch> acknowledged = new ArrayList<>();
    private final Map<Integer, Long> acknowledgedCount = new java.util.TreeMap<>();

    public ListBatchSource(List<Minibatch> batches) {
        batches.forEach(this::add);
    }

    /** A source with nothing in it (until {@link #add}). */
    public static ListBatchSource empty() {
        return new ListBatchSource(List.of());
    }

    public void add(Minibatch batch) {
        if (batch == null) throw new InvalidInputException("minibatch", null, "a minibatch");
        queue(batch.objective()).add(batch);
    }

    @Override
    public Minibatch next(int objective, Duration timeout) throws InterruptedException, TimeoutException {
        Minibatch batch = queue(objective).poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (batch == null) {
            throw new TimeoutException("no " + NoDataException.role(objective) + " minibatch within " + timeout);
        }
        return batch;
    }

    @Override
    public synchronized void iterationDone(long iteration, List<Minibatch> used) {
        acknowledged.addAll(used);
        for (Minibatch batch : used) acknowledgedCount.merge(batch.objective(), 1L, Long::sum);
    }

    /**
     * Per role seen so far, topic {@value SourcePosition#MEMORY}, partition 0, the offset the number of its batches
     * acknowledged: a source built over the same batches and told {@link #resumeAt} them skips exactly those.
     */
    @Override
    public synchronized List<SourcePosition> positions() {
        List<SourcePosition> positions = new ArrayList<>();
        acknowledgedCount.forEach((role, count) -> positions.add(new SourcePosition(SourcePosition.MEMORY, 0, role, count)));
        return positions;
    }

    /** Drops, per role, the first {@code nextOffset} batches (those the checkpointed run has used). */
    @Override
    public synchronized void resumeAt(List<SourcePosition> positions) {
        for (SourcePosition position : positions) {
            if (!position.topic().equals(SourcePosition.MEMORY) || position.partition() != 0) {
                throw new InvalidInputException("positions", position, "a position of an in-memory source ("
                        + SourcePosition.MEMORY + "-0)");
            }
            LinkedBlockingQueue<Minibatch> queue = queue(position.objective());
            if (queue.size() < position.nextOffset()) {
                throw new InvalidInputException("positions", position, "at most " + queue.size()
                        + " batches of the role to skip");
            }
            for (long i = 0; i < position.nextOffset(); i++) queue.poll();
            acknowledgedCount.put(position.objective(), position.nextOffset());
        }
    }

    /** Every batch acknowledged so far, in the order of the acknowledgements. */
    public synchronized List<Minibatch> acknowledged() {
        return List.copyOf(acknowledged);
    }

    /** Batches of a role not yet delivered. */
    public int remaining(int objective) {
        return queue(objective).size();
    }

    private LinkedBlockingQueue<Minibatch> queue(int objective) {
        return queues.computeIfAbsent(objective, o -> new LinkedBlockingQueue<>());
    }
}
