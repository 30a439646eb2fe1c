package io.mobl.streams.kafka;

import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;

/**
 * The upper-level data of a run, split by objective. Every objective's batches share one topic, keyed by objective,
 * so the producer's default partitioner puts all of objective s in one partition ({@link #partitionFor}); each
 * partition that holds objectives is read by one {@link PartitionReader} whose roles are those objectives, each with
 * its own bounded queue. A caller asking for objective s takes from s's queue; objective s sees exactly its own
 * batches of its partition, in order, whatever the other objectives' callers do.
 *
 * <p>The reader of a partition fills the queues in partition order and waits while the queue of the batch at hand
 * is full ({@link KafkaSourceSettings#upperBufferPerObjective()}): back-pressure, never a skip, unless an
 * {@link KafkaSourceSettings#overflowGrace()} is set. A caller therefore never holds another objective's batch,
 * and never overtakes one of its own. With the producer's round robin over objectives and a solver that asks for
 * each once per iteration, no queue holds more than an iteration's worth.
 */
final class UpperLevelDemultiplexer {
    /** Objective s → the reader of its partition. */
    private final PartitionReader[] readerOf;
    /** Partition → its reader, ascending. */
    private final Map<Integer, PartitionReader> partitions;

    UpperLevelDemultiplexer(PartitionReader[] readerOf, Map<Integer, PartitionReader> partitions) {
        this.readerOf = readerOf.clone();
        this.partitions = new TreeMap<>(partitions);
    }

    /** The partition the producer's default partitioner gives the key of objective s ({@link MinibatchProducer#keyOf}). */
    static int partitionFor(int objective, int partitions) {
        byte[] key = Integer.toString(objective).getBytes(StandardCharsets.UTF_8);
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    /** Objective → partition, for S objectives over {@code partitions} partitions. */
    static int[] partitionsOf(int objectives, int partitions) {
        int[] out = new int[objectives];
        for (int s = 0; s < objectives; s++) out[s] = partitionFor(s, partitions);
        return out;
    }

    /** The objectives read from {@code partition}, ascending. */
    static int[] objectivesIn(int partition, int[] partitionOf) {
        List<Integer> out = new ArrayList<>();
        for (int s = 0; s < partitionOf.length; s++) if (partitionOf[s] == partition) out.add(s);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Objective s's next batch, waiting until {@code deadline} ({@link System#nanoTime()}). */
    Delivered next(int objective, long deadline) throws InterruptedException, TimeoutException {
        return readerOf[objective].take(objective, deadline);
    }

    /** The partition objective s is read from. */
    PartitionReader readerOf(int objective) { return readerOf[objective]; }

    /** The readers, one per partition that holds objectives, by partition. */
    Map<Integer, PartitionReader> partitions() { return partitions; }

}
