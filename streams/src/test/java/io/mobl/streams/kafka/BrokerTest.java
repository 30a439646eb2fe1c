package io.mobl.streams.kafka;

import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.pekko.actor.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A test class with one real embedded KRaft broker, its admin client and a Pekko actor system for the streams,
 * started before the class's tests and stopped after them (a subclass's own {@code @AfterAll} runs first).
 */
abstract class BrokerTest {
    static EmbeddedKafkaBroker broker;
    static Admin admin;
    static ActorSystem system;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
        admin = broker.admin();
        system = ActorSystem.create("broker-test");
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (system != null) system.terminate();
        if (system != null) system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
        if (broker != null) broker.close();
    }
}
