package io.mobl.actors;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;

/**
 * Marks a message of the single-node runtime that never leaves its node: it carries in-JVM objects (a problem, an
 * algorithm's state, a listener, an exception) between a parent and the children it spawned on the same node, so
 * it has no wire form and needs none. Pekko skips such messages under {@code pekko.actor.serialize-messages = on}.
 *
 * <p>What crosses nodes is the cluster's protocol ({@link ShardedCoordinator}'s commands and replies): each of those
 * is bound to Jackson CBOR or to the vector serializer, and {@code SerializationBindingTest} fails for any message
 * type of this module that is neither local nor bound.
 */
public interface LocalMessage extends NoSerializationVerificationNeeded {}
