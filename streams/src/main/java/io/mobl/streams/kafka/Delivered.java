package io.mobl.streams.kafka;

import io.mobl.protocol.Minibatch;

/**
 * A usable minibatch (decoded and checked by {@link Intake}) and where it came from.
 *
 * @param batch     the minibatch
 * @param topic     source topic
 * @param partition source partition
 * @param offset    source offset
 */
record Delivered(Minibatch batch, String topic, int partition, long offset) {
    @Override
    public String toString() { return "Delivered[" + batch.batchId() + " from " + topic + "-" + partition + "@" + offset + "]"; }
}
