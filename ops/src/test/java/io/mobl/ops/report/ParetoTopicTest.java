package io.mobl.ops.report;

import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.codec.JsonCodec;
import io.mobl.streams.kafka.EmbeddedKafkaBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code report --topic}'s reader against a real embedded broker. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ParetoTopicTest {
    private static ParetoPoint point(String run, double a) {
        return new ParetoPoint(run, new double[] {a, 1 - a}, new double[] {a}, new double[] {a, 2 * a}, 0, 10,
                new OracleCalls(1, 2, 3, 4));
    }

    private static KafkaProducer<String, byte[]> transactional(EmbeddedKafkaBroker broker, String id) {
        KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, id), new StringSerializer(), new ByteArraySerializer());
        p.initTransactions();
        return p;
    }

    /**
     * Pareto points a journal wrote in a transaction that was aborted, or that is still open (its writer died), are
     * not part of the front: the report reads with read_committed, and stops at the open transaction instead of
     * waiting for it.
     */
    @Test
    void theFrontHoldsOnlyCommittedPointsAndAnOpenTransactionDoesNotHoldTheReportUp() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            broker.createTopic("front", 1, true);
            ParetoPoint committed = point("r", 0.25);
            try (KafkaProducer<String, byte[]> writer = transactional(broker, "w1")) {
                writer.beginTransaction();
                writer.send(new ProducerRecord<>("front", committed.key(), JsonCodec.encode(committed)));
                writer.commitTransaction();
                writer.beginTransaction();
                writer.send(new ProducerRecord<>("front", point("r", 0.75).key(), JsonCodec.encode(point("r", 0.75))));
                writer.abortTransaction();
            }
            KafkaProducer<String, byte[]> dying = transactional(broker, "w2");
            dying.beginTransaction();
            dying.send(new ProducerRecord<>("front", point("r", 0.5).key(), JsonCodec.encode(point("r", 0.5))));
            dying.flush();
            dying.close(Duration.ZERO); // never committed nor aborted: open until the transaction times out

            ParetoTopic.Front front = ParetoTopic.read(broker.bootstrapServers(), "front", Duration.ofSeconds(20));
            assertThat(front.points()).containsExactly(committed);
            assertThat(front.skipped()).isEmpty();
        }
    }
}
