package io.mobl.actors.serialization;

/**
 * How {@link VectorSerializer} writes and reads one message type: its fields in a fixed order, through
 * {@link WireWriter} and {@link WireReader}. List the codec's class in {@code mobl.serialization.vector-codecs}
 * (it needs a public constructor without arguments) and let the message implement {@link VectorMessage}.
 *
 * <pre>{@code
 * public final class SolveLowerCodec implements WireCodec<SolveLower> {
 *     public Class<SolveLower> type() { return SolveLower.class; }
 *     public String manifest() { return "solve-lower"; }
 *     public int encodedSize(SolveLower m, Sizes sizes) {
 *         return 8 + WireWriter.arraySize(m.x()) + WireWriter.arraySize(m.warmStart()) + sizes.actorRef(m.replyTo());
 *     }
 *     public void write(SolveLower m, WireWriter out) {
 *         out.putInt(m.iteration()).putInt(m.attempt()).putArray(m.x()).putArray(m.warmStart()).putActorRef(m.replyTo());
 *     }
 *     public SolveLower read(WireReader in) {
 *         return new SolveLower(in.getInt("iteration"), in.getInt("attempt"), in.getArray("x"),
 *                 in.getArray("warmStart"), in.getActorRef("replyTo"));
 *     }
 * }
 * }</pre>
 *
 * @param <T> the message type
 */
public interface WireCodec<T extends VectorMessage> {

    /** The message class this codec writes (exactly this class; subclasses need their own codec). */
    Class<T> type();

    /**
     * A short name that travels with every message and picks the codec on the receiving node. Stable across
     * versions of mobl: renaming the class must not change it.
     */
    String manifest();

    /** The exact number of bytes {@link #write} writes for {@code message}. */
    int encodedSize(T message, Sizes sizes);

    void write(T message, WireWriter out);

    /** Reads the fields in the order {@link #write} wrote them; the field names go into decode errors. */
    T read(WireReader in);

    /** Sizes that depend on the actor system (an actor ref's serialized form names its node). */
    interface Sizes {
        int actorRef(org.apache.pekko.actor.typed.ActorRef<?> ref);
    }
}
