package io.mobl.actors.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.NotSerializableException;
import io.mobl.actors.Coordinator;
import io.mobl.actors.LocalMessage;
import io.mobl.actors.ShardedCoordinator;
import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.ParetoPoint;
import java.io.Serializable;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
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

    /** A message of the cluster's protocol someone forgot to bind: {@link #unboundMessageTypes} must find it. */
    record ForgottenCommand(String run) implements ShardedCoordinator.Command {}

    /**
     * The message types among {@code classes} (those that implement an actor protocol's Command, Reply, Outcome or
     * ControlReply) that are neither local ({@link LocalMessage}) nor bound to a serializer other than Java's.
     */
    static List<String> unboundMessageTypes(List<Class<?>> classes) {
        List<String> unbound = new ArrayList<>();
        for (Class<?> type : classes) {
            if (type.isInterface() || Modifier.isAbstract(type.getModifiers()) || !isMessage(type)) continue;
            if (LocalMessage.class.isAssignableFrom(type)) continue;
            try {
                if (SERIALIZATION.serializerFor(type) instanceof DisabledJavaSerializer) unbound.add(type.getName());
            } catch (NotSerializableException | RuntimeException e) {
                unbound.add(type.getName());
            }
        }
        return unbound;
    }

    private static boolean isMessage(Class<?> type) {
        for (Class<?> i : type.getInterfaces()) {
            if (Set.of("Command", "Reply", "Outcome", "ControlReply").contains(i.getSimpleName()) || isMessage(i)) return true;
        }
        return type.getSuperclass() != null && isMessage(type.getSuperclass());
    }

    /** Every class compiled from the directory (or jar) that holds {@code anchor}, in its package and below. */
    private static List<Class<?>> classesBeside(Class<?> anchor) throws Exception {
        Path root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        String pkg = anchor.getPackageName();
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root.resolve(pkg.replace('.', '/')))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = root.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (name.endsWith("package-info")) continue;
                classes.add(Class.forName(name, false, anchor.getClassLoader()));
            }
        }
        return classes;
    }

    @Test
    void everyMessageTypeOfTheActorsModuleIsLocalOrBoundAndAForgottenOneIsFound() throws Exception {
        List<Class<?>> main = classesBeside(ShardedCoordinator.class);
        assertThat(main).as("the scan sees the runtime's classes").contains(ShardedCoordinator.Start.class,
                ShardedCoordinator.RunEnded.class, Coordinator.Pause.class);
        assertThat(unboundMessageTypes(main)).as("message types that could cross nodes without a binding").isEmpty();
        // the check itself: it finds a cluster message nobody bound
        assertThat(unboundMessageTypes(List.of(ForgottenCommand.class, Unbound.class, ShardedCoordinator.Start.class)))
                .containsExactly(ForgottenCommand.class.getName());
    }

    @Test
    void theClustersMessagesGoThroughCborAndTheVectorSerializer() throws Exception {
        assertThat(SERIALIZATION.serializerFor(ShardedCoordinator.Start.class)).isInstanceOf(JacksonCborSerializer.class);
        assertThat(SERIALIZATION.serializerFor(ShardedCoordinator.Dismiss.class)).isInstanceOf(JacksonCborSerializer.class);
        assertThat(SERIALIZATION.serializerFor(ShardedCoordinator.RunFailed.class)).isInstanceOf(JacksonCborSerializer.class);
        assertThat(SERIALIZATION.serializerFor(ShardedCoordinator.RunEnded.class)).isInstanceOf(VectorSerializer.class);
        ParetoPoint point = new ParetoPoint("r", new double[] {0.25, 0.75}, new double[] {-0.0, Double.MIN_VALUE,
                1.0 / 3, -7e300}, new double[] {Math.ulp(1.0), 2}, 1e-12, 17, new OracleCalls(1, 2, 3, 4));
        ShardedCoordinator.RunEnded ended = new ShardedCoordinator.RunEnded(3, point, "pekko://mobl@127.0.0.1:1");
        byte[] bytes = SERIALIZATION.serialize(ended).get();
        Object back = SERIALIZATION.deserialize(bytes, VectorSerializer.IDENTIFIER, "run-ended").get();
        assertThat(back).isEqualTo(ended).isNotSameAs(ended); // ParetoPoint.equals compares the doubles' bits
    }

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
