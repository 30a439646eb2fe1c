package io.mobl.actors.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.NotSerializableException;
import java.io.Serializable;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.event.Logging;
import org.apache.pekko.serialization.DisabledJavaSerializer;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Nothing falls back silently: with Java serialization off and {@code serialize-messages = on} (every message is
 * serialized and read back, as if it crossed nodes), a message type without a binding is refused and never
 * delivered, while the bound ones, a CBOR control and a vector message, arrive as equal copies.
 */
class SerializationBindingTest {
    private static final ActorTestKit KIT = ActorTestKit.create("bindings", Wire.serializeEveryMessage());
    private static final Serialization SERIALIZATION = SerializationExtension.get(Adapter.toClassic(KIT.system()));

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** A message type someone forgot to bind. */
    record Unbound(int iteration) {}

    /** One that Java serialization would have taken, had it been on. */
    record JavaOnly(int iteration) implements Serializable {}

    @Test
    void javaSerializationIsOffInTheRuntimesConfiguration() {
        assertThat(KIT.system().settings().config().getBoolean("pekko.actor.allow-java-serialization")).isFalse();
        assertThat(com.typesafe.config.ConfigFactory.load().getBoolean("pekko.actor.allow-java-serialization")).isFalse();
    }

    @Test
    void aMessageTypeWithNoBindingHasNoSerializer() {
        assertThatThrownBy(() -> SERIALIZATION.findSerializerFor(new Unbound(1)))
                .isInstanceOf(NotSerializableException.class)
                .hasMessageContaining(Unbound.class.getName());
        assertThat(SERIALIZATION.serialize(new Unbound(1)).isFailure()).isTrue();
    }

    @Test
    void aSerializableMessageTypeWithNoBindingIsRefusedRatherThanJavaSerialized() {
        assertThat(SERIALIZATION.findSerializerFor(new JavaOnly(1))).isInstanceOf(DisabledJavaSerializer.class);
        assertThatThrownBy(() -> SERIALIZATION.serialize(new JavaOnly(1)).get())
                .hasMessageContaining("allow-java-serialization");
    }

    @Test
    void anUnboundMessageIsNotDeliveredAndTheRefusalIsLogged() {
        TestProbe<Object> target = KIT.createTestProbe();
        TestProbe<Logging.Error> errors = KIT.createTestProbe();
        KIT.system().eventStream().tell(new EventStream.Subscribe<>(Logging.Error.class, errors.ref()));
        // subscribing takes effect asynchronously: wait until a marker published after it comes through
        Logging.Error marker = new Logging.Error("test", SerializationBindingTest.class, "subscribed");
        KIT.system().eventStream().tell(new EventStream.Publish<>(marker));
        assertThat(errors.expectMessageClass(Logging.Error.class).message()).isEqualTo("subscribed");
        try {
            target.ref().tell(new Unbound(7));
            Logging.Error error = errors.expectMessageClass(Logging.Error.class, Duration.ofSeconds(10));
            assertThat(error.cause()).hasMessageContaining(Unbound.class.getName())
                    .hasRootCauseInstanceOf(NotSerializableException.class)
                    .hasStackTraceContaining("No configured serialization-bindings for class");
            target.ref().tell(new JavaOnly(7));
            assertThat(errors.expectMessageClass(Logging.Error.class, Duration.ofSeconds(10)).cause())
                    .hasMessageContaining(JavaOnly.class.getName())
                    .hasStackTraceContaining("allow-java-serialization");
            target.expectNoMessage(Duration.ofMillis(300));
        } finally {
            KIT.system().eventStream().tell(new EventStream.Unsubscribe<>(errors.ref()));
        }
    }

    @Test
    void boundMessagesArriveAsEqualCopies() {
        TestProbe<Object> target = KIT.createTestProbe();
        SampleControl control = new SampleControl("r1", 2, new double[] {0.7, 0.3});
        assertThat(SERIALIZATION.findSerializerFor(control)).isInstanceOf(JacksonCborSerializer.class);
        target.ref().tell(control);
        Object received = target.expectMessageClass(SampleControl.class);
        assertThat(received).isEqualTo(control).isNotSameAs(control);

        TestProbe<SampleRequest> replies = KIT.createTestProbe();
        SampleRequest request = new SampleRequest(3, Wire.awkward(500, 11), null,
                Nd4j.create(Wire.awkward(6, 4), new long[] {3, 2}, 'c'), replies.ref());
        ActorRef<Object> untyped = target.ref();
        untyped.tell(request);
        SampleRequest copy = target.expectMessageClass(SampleRequest.class);
        assertThat(copy).isNotSameAs(request);
        Wire.assertSameRequest(copy, request);
    }
}
