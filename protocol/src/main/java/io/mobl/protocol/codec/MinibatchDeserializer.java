package io.mobl.protocol.codec;

import io.mobl.protocol.Minibatch;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka adapter for {@link MinibatchCodec#decode}. A null value (tombstone) decodes to null, as Kafka's
 * convention has it; a bad record throws {@link RecordDecodeException}, which a plain KafkaConsumer reports as
 * a {@code RecordDeserializationException} naming partition and offset. Streams that must survive poison
 * records read raw bytes and call {@link MinibatchCodec#decode} themselves (see mobl-streams' PartitionReader).
 */
public final class MinibatchDeserializer implements Deserializer<Minibatch> {
    @Override
    public Minibatch deserialize(String topic, byte[] data) {
        return data == null ? null : MinibatchCodec.decode(data);
    }
}
