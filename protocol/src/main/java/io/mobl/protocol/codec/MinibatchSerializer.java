package io.mobl.protocol.codec;

import io.mobl.protocol.Minibatch;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka adapter for {@link MinibatchCodec#encode}; a null minibatch becomes a null value (a tombstone). */
public final class MinibatchSerializer implements Serializer<Minibatch> {
    @Override
    public byte[] serialize(String topic, Minibatch data) {
        return data == null ? null : MinibatchCodec.encode(data);
    }
}
