package io.mobl.protocol;

/**
 * Marks a message that may cross nodes of a mobl cluster as Jackson CBOR: control messages and small records
 * (a preference change, a pause, a finished point's summary). The actor runtime's {@code reference.conf} binds
 * this interface to Pekko's {@code jackson-cbor} serializer, so implementing it is all a message type needs.
 *
 * <p>Not for vectors: a message that carries x, y, a hypergradient or a warm start of length p or q goes through
 * the runtime's binary vector serializer instead ({@code io.mobl.actors.serialization.VectorMessage}), which
 * copies the doubles as they are, bit for bit, without a field per entry.
 *
 * <p>It lives here, in the lowest module, so that every module's messages can implement it: the protocol's own
 * records as well as the actors' commands and replies. It needs no Pekko class; the binding is configuration.
 * Java serialization is off ({@code pekko.actor.allow-java-serialization = off}), so a message that crosses
 * nodes with no binding is refused by Pekko rather than sent some other way.
 */
public interface CborSerializable {}
