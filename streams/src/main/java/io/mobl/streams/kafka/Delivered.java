package io.mobl.streams.kafka;

import io.mobl.protocol.Minibatch;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.kafka.ConsumerMessage.CommittableOffset;

/**
 * A decoded minibatch and where it came from. Hand it back to {@link BatchPuller#commit(Delivered)} once the
 * iteration that used it is checkpointed.
 *
 * @param batch             the minibatch
 * @param committableOffset its Kafka offset, committable through the consumer that read it
 * @param topic             source topic
 * @param partition         source partition
 * @param offset            source offset
 */
public record Delivered(Minibatch batch, CommittableOffset committableOffset, String topic, int partition, long offset) {
    public TopicPartition topicPartition() { return new TopicPartition(topic, partition); }

    @Override
    public String toString() { return "Delivered[" + batch.batchId() + " from " + topic + "-" + partition + "@" + offset + "]"; }
}
