package io.mobl.streams.kafka;

import io.mobl.protocol.Minibatch;

/**
 * A usable minibatch (decoded and checked by {@link Intake}) and where it came from.
 *
 * @param batch     the minibatch
 * @param topic     source topic
 * @param partition source partition
 * @param offset      source offset (of a batch of per-example records, its last record's)
 * @param firstOffset its first record's offset (a minibatch record: {@code offset})
 */
record Delivered(Minibatch batch, String topic, int partition, long offset, long firstOffset) {
    Delivered(Minibatch batch, String topic, int partition, long offset) {
        this(batch, topic, partition, offset, offset);
    }

    @Override
    public String toString() { return "Delivered[" + batch.batchId() + " from " + topic + "-" + partition + "@" + offset + "]"; }
}
