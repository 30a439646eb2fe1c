package io.mobl.streams.kafka;

import io.mobl.protocol.Minibatch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * The lower-level data of a run: one {@link PartitionReader} per partition of the lower-level topic, merged into
 * one sequence in <b>(offset, partition) order</b>: the next batch is the one with the smallest offset among the
 * partitions' next batches, the lower partition first on a tie. The sequence is a function of the topic's data and
 * the partitions' start positions only, never of which consumer happened to be quicker, so a run resumed from
 * positions gets exactly the batches it would have got.
 *
 * <p>{@link MinibatchProducer} puts the i-th lower-level batch in partition i mod P, at offset about i / P: this
 * order is then the order the batches were produced in, and the partitions empty evenly. <b>When a partition has no
 * batch ready, the reader waits for it</b>, even if the others have some (taking another partition's batch instead
 * would make the sequence depend on timing); a partition that stays dry, e.g. one a foreign producer never writes
 * to, holds the lower level up, and the timeout says which one. A dry partition holds up only batches that could
 * still be preceded by one of its own: once its reader has gone past offset o, a batch at o or earlier elsewhere
 * comes first whatever it gets later, so the partitions' last batches are all taken when the data ends. One
 * caller at a time (the lower-level solver).
 */
final class LowerLevelReader {
    private final String run;
    private final String topic;
    /** By partition, ascending. */
    private final List<PartitionReader> partitions;

    LowerLevelReader(String run, String topic, List<PartitionReader> partitions) {
        this.run = run;
        this.topic = topic;
        this.partitions = List.copyOf(partitions);
    }

    List<PartitionReader> partitions() { return partitions; }

    /** The next lower-level batch in (offset, partition) order, waiting until {@code deadline} ({@link System#nanoTime()}). */
    synchronized Delivered next(long deadline) throws InterruptedException, TimeoutException {
        if (partitions.size() == 1) return partitions.get(0).take(Minibatch.LOWER, deadline);
        while (true) {
            // The smallest (offset, partition) among the ready batches and, for a partition with none ready, the
            // offset its next batch will have at least. Ascending partitions with a strict < keep ties in order.
            PartitionReader first = null;
            PartitionReader.Head firstHead = null;
            for (PartitionReader p : partitions) {
                PartitionReader.Head h = p.head(Minibatch.LOWER);
                if (first == null || h.offset() < firstHead.offset()) {
                    first = p;
                    firstHead = h;
                }
            }
            // only this (synchronized) caller takes lower-level batches, so a ready head is still there
            if (firstHead.ready()) return first.take(Minibatch.LOWER, deadline);
            // a dry partition may still get a batch that comes first: wait for it, or for its reader to go past
            if (!first.awaitBeyond(Minibatch.LOWER, firstHead.offset(), deadline)) throw new TimeoutException(dry(first));
        }
    }

    private String dry(PartitionReader waitedFor) {
        List<Integer> ready = new ArrayList<>();
        for (PartitionReader p : partitions) if (p.head(Minibatch.LOWER).ready()) ready.add(p.topicPartition().partition());
        return "no lower-level minibatch of run " + run + " in time: partition " + waitedFor.topicPartition().partition()
                + " of " + topic + " has none ready (" + waitedFor.progress() + ")" + (ready.isEmpty() ? "" : " (partitions " + ready + " have)")
                + "; lower-level batches are taken in (offset, partition) order, so every partition must get data"
                + " (mobl produce spreads them round robin)";
    }

}
