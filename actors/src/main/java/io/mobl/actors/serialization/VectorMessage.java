package io.mobl.actors.serialization;

/**
 * Marks a message that carries vectors (x, y, a hypergradient, a warm start: length p or q, up to 10⁶) and may
 * cross nodes. The runtime's {@code reference.conf} binds this interface to {@link VectorSerializer}, which
 * writes the message with the {@link WireCodec} listed for its class in {@code mobl.serialization.vector-codecs}.
 * A message marked so whose class has no codec fails to serialize, with a message naming the class and the key;
 * it is never sent some other way.
 *
 * <p>Control messages and small records implement {@link io.mobl.protocol.CborSerializable} instead.
 */
public interface VectorMessage {}
