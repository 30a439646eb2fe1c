package io.mobl.actors.serialization;

import io.mobl.protocol.codec.RecordDecodeException;
import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.ByteBufferSerializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Pekko serializer of the messages that carry vectors ({@link VectorMessage}): each message is one version byte
 * followed by its fields as its {@link WireCodec} writes them with {@link WireWriter}, the doubles copied in bulk,
 * little-endian, bit for bit. Artery calls the {@link ByteBufferSerializer} methods, which write straight into its
 * envelope buffer; the {@code byte[]} methods serve everything else ({@code serialize-messages}, persistence).
 *
 * <p>The codecs are the classes listed in {@value #CODECS}, one per message class; the manifest sent with a
 * message is its codec's {@link WireCodec#manifest()}. A message with no codec, an unknown manifest and another
 * format version all fail with an exception that says which, so that nothing falls back to another serializer.
 *
 * <p>Bound in the actor runtime's {@code reference.conf} under the name {@code mobl-vectors}, with the fixed
 * identifier {@value #IDENTIFIER}: every node of a cluster must agree on it.
 */
public final class VectorSerializer extends SerializerWithStringManifest implements ByteBufferSerializer {
    /** The serializer's identifier; Pekko keeps 0–40 for its own. Never change it: it travels with each message. */
    public static final int IDENTIFIER = 7_319_001;
    /** The configuration key that lists the codecs' class names. */
    public static final String CODECS = "mobl.serialization.vector-codecs";
    /** Version of the message layout; a node refuses messages of another. */
    public static final byte VERSION = 1;

    private final ExtendedActorSystem system;
    private final Map<Class<?>, WireCodec<?>> byClass = new HashMap<>();
    private final Map<String, WireCodec<?>> byManifest = new HashMap<>();
    private volatile ActorRefResolver resolver;

    public VectorSerializer(ExtendedActorSystem system) {
        this.system = system;
        List<String> names = system.settings().config().getStringList(CODECS);
        for (String name : names) register(instantiate(name));
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public String manifest(Object message) {
        return codecFor(message).manifest();
    }

    @Override
    public byte[] toBinary(Object message) {
        WireCodec<VectorMessage> codec = codecFor(message);
        VectorMessage typed = (VectorMessage) message;
        ByteBuffer buffer = ByteBuffer.allocate(1 + codec.encodedSize(typed, this::actorRefSize));
        write(codec, typed, buffer);
        if (buffer.hasRemaining()) {
            throw new IllegalStateException(codec.getClass().getName() + ".encodedSize says " + buffer.capacity()
                    + " bytes with the version byte, write wrote " + buffer.position());
        }
        return buffer.array();
    }

    @Override
    public void toBinary(Object message, ByteBuffer buffer) {
        write(codecFor(message), (VectorMessage) message, buffer);
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        return read(ByteBuffer.wrap(bytes), manifest);
    }

    @Override
    public Object fromBinary(ByteBuffer buffer, String manifest) throws NotSerializableException {
        return read(buffer, manifest);
    }

    /** The codecs in force, by message class (for tests and start-up checks). */
    public Map<Class<?>, WireCodec<?>> codecs() {
        return Map.copyOf(byClass);
    }

    private void write(WireCodec<VectorMessage> codec, VectorMessage message, ByteBuffer buffer) {
        ByteOrder order = buffer.order();
        try {
            WireWriter.littleEndian(buffer).put(VERSION);
            codec.write(message, new WireWriter(buffer, resolver()));
        } finally {
            buffer.order(order);
        }
    }

    private Object read(ByteBuffer buffer, String manifest) throws NotSerializableException {
        WireCodec<?> codec = byManifest.get(manifest);
        if (codec == null) {
            throw new NotSerializableException("no vector codec has the manifest '" + manifest + "' on this node ("
                    + byManifest.keySet() + " in " + CODECS + "): the nodes of a cluster must run the same mobl");
        }
        ByteOrder order = buffer.order();
        try {
            WireWriter.littleEndian(buffer);
            if (!buffer.hasRemaining()) throw new RecordDecodeException(manifest, "an empty message");
            byte version = buffer.get();
            if (version != VERSION) {
                throw new RecordDecodeException("version", "vector message format " + version + " (this node reads "
                        + VERSION + "): the nodes of a cluster must run the same mobl");
            }
            WireReader reader = new WireReader(buffer, resolver());
            Object message = codec.read(reader);
            reader.end(manifest);
            return message;
        } finally {
            buffer.order(order);
        }
    }

    @SuppressWarnings("unchecked")
    private WireCodec<VectorMessage> codecFor(Object message) {
        WireCodec<?> codec = byClass.get(message.getClass());
        if (codec == null) {
            throw new IllegalArgumentException("no vector codec for " + message.getClass().getName()
                    + ": list a WireCodec of it in " + CODECS + " (the codecs in force are for " + byClass.keySet() + ")");
        }
        return (WireCodec<VectorMessage>) codec;
    }

    private int actorRefSize(org.apache.pekko.actor.typed.ActorRef<?> ref) {
        return WireWriter.actorRefSize(ref, resolver());
    }

    /** Made on first use: the serializer is built while the actor system starts, before its extensions exist. */
    private ActorRefResolver resolver() {
        ActorRefResolver r = resolver;
        if (r == null) {
            r = ActorRefResolver.get(Adapter.toTyped(system));
            resolver = r;
        }
        return r;
    }

    private void register(WireCodec<?> codec) {
        WireCodec<?> sameClass = byClass.putIfAbsent(codec.type(), codec);
        if (sameClass != null) {
            throw new IllegalStateException(CODECS + " lists two codecs of " + codec.type().getName() + ": "
                    + sameClass.getClass().getName() + " and " + codec.getClass().getName());
        }
        WireCodec<?> sameManifest = byManifest.putIfAbsent(codec.manifest(), codec);
        if (sameManifest != null) {
            throw new IllegalStateException(CODECS + " lists two codecs with the manifest '" + codec.manifest() + "': "
                    + sameManifest.getClass().getName() + " and " + codec.getClass().getName());
        }
    }

    private WireCodec<?> instantiate(String name) {
        try {
            Class<?> type = Class.forName(name, true, system.dynamicAccess().classLoader());
            if (!WireCodec.class.isAssignableFrom(type)) {
                throw new IllegalStateException(CODECS + " lists " + name + ", which is not a WireCodec");
            }
            return (WireCodec<?>) type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(CODECS + " lists " + name
                    + ", which cannot be made (a public class with a public constructor without arguments?)", e);
        }
    }
}
