package io.mobl.ops.cli;

import io.mobl.streams.kafka.EmbeddedKafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A CLI test against one real embedded broker, started before the class's tests and removed after them. */
abstract class BrokerCliTest extends CliTest {
    static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) broker.close();
    }
}
