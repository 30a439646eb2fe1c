package io.mobl.streams.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.OracleCalls;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.codec.JsonCodec;
import io.mobl.protocol.codec.MinibatchDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JSON sinks and the minibatch producer against a real embedded KRaft broker (one for the class). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KafkaSinksTest extends BrokerTest {
    static final TopicNames TOPICS = TopicNames.defaults("sinks");

    @BeforeAll
    static void createTopics() {
        Topics.ensure(admin, TOPICS);
    }

    static final OracleCalls CALLS = new OracleCalls(10, 20, 30, 40);

    static IterateTelemetry telemetry(int k) {
        double a = 0.1 + 0.8 * (k % 5) / 4.0;
        return new IterateTelemetry("sinks", new double[] {a, 1 - a}, k, new double[] {1.0 / (k + 1), 2.0},
                new double[] {0.5, 0.5}, 1e-3 * k, 0.01, CALLS, Map.of("lower", 1000L + k, "update", 5L));
    }

    /** Reads a topic from the beginning with a plain KafkaConsumer until n records arrived. */
    static <V> List<ConsumerRecord<String, V>> readBack(String topic, int n, Deserializer<V> values) {
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        try (KafkaConsumer<String, V> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()), new StringDeserializer(), values)) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (out.size() < n && System.nanoTime() < deadline) c.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        return out;
    }

    @Test
    void telemetryIsPlainJsonThatAKafkaConsumerReadsBack() throws Exception {
        List<IterateTelemetry> sent = new ArrayList<>();
        try (TelemetrySink sink = new TelemetrySink(system, broker.bootstrapServers(), TOPICS)) {
            for (int k = 0; k < 100; k++) {
                IterateTelemetry t = telemetry(k);
                assertThat(sink.offer(t)).isTrue();
                sent.add(t);
            }
            sink.flush(Duration.ofSeconds(20));
            assertThat(sink.sent()).isEqualTo(100);
            assertThat(sink.dropped()).isZero();
            assertThat(sink.failed()).isZero();
        }
        List<ConsumerRecord<String, String>> back = readBack(TOPICS.telemetry(), 100, new StringDeserializer());
        assertThat(back).hasSize(100);
        ObjectMapper plain = new ObjectMapper();
        for (int i = 0; i < back.size(); i++) {
            ConsumerRecord<String, String> r = back.get(i);
            IterateTelemetry t = JsonCodec.decodeTelemetry(r.value());
            assertThat(t).isEqualTo(sent.get(i)); // one partition: in order
            assertThat(r.key()).isEqualTo(t.key()).startsWith("sinks/");
            JsonNode n = plain.readTree(r.value());
            assertThat(n.get("iteration").asInt()).isEqualTo(i);
            assertThat(n.get("oracleCalls").get("JV(g)").asLong()).isEqualTo(30);
        }
    }

    @Test
    void paretoPointsAreKeyedByRunAndPreference() throws Exception {
        List<ParetoPoint> points = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            double a = i / 6.0;
            points.add(new ParetoPoint("sinks", new double[] {a, 1 - a}, new double[] {i, -i},
                    new double[] {a, 1 - a}, 1e-5, 100 + i, CALLS));
        }
        try (ParetoSink sink = new ParetoSink(system, broker.bootstrapServers(), TOPICS)) {
            points.forEach(sink::offer);
            sink.closeAsync().toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertThat(sink.sent()).isEqualTo(5);
            assertThatThrownBy(() -> sink.offer(points.get(0))).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
        List<ConsumerRecord<String, ParetoPoint>> back = readBack(TOPICS.pareto(), 5, JsonCodec.paretoPointDeserializer());
        assertThat(back).extracting(ConsumerRecord::key).containsExactly(points.stream().map(ParetoPoint::key).toArray(String[]::new));
        assertThat(back).extracting(ConsumerRecord::value).containsExactlyElementsOf(points);
    }

    @Test
    void aFullBufferDropsTelemetryButRefusesParetoPointsLoudly() throws Exception {
        // Nothing listens here, so the producer stage blocks (max.block.ms) and the queue fills up.
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        Map<String, String> fast = Map.of("max.block.ms", "100", "delivery.timeout.ms", "400", "request.timeout.ms", "300",
                "linger.ms", "0", "reconnect.backoff.max.ms", "100");
        String nowhere = "127.0.0.1:" + deadPort;
        try (TelemetrySink telemetry = new TelemetrySink(system, nowhere, TOPICS, 4, fast)) {
            int accepted = 0;
            for (int k = 0; k < 50; k++) if (telemetry.offer(telemetry(k))) accepted++;
            assertThat(telemetry.dropped()).isPositive();
            assertThat(accepted + telemetry.dropped()).isEqualTo(50);
            assertThat(accepted).isLessThan(50);
            telemetry.closeAsync().toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertThat(telemetry.failed()).as("each failed send counted once").isEqualTo(accepted);
            assertThat(telemetry.sent()).isZero();
        }
        try (ParetoSink pareto = new ParetoSink(system, nowhere, TOPICS, 2, fast)) {
            ParetoPoint p = new ParetoPoint("sinks", new double[] {0.5, 0.5}, new double[] {1}, new double[] {1, 2}, 0, 1, CALLS);
            assertThatThrownBy(() -> {
                for (int i = 0; i < 50; i++) pareto.offer(p);
            }).isInstanceOf(IllegalStateException.class).hasMessageContaining("buffer of 2 records is full");
        }
    }

    @Test
    void theProducerLimitsItsRateAndRenamesLaterEpochs() throws Exception {
        String topic = TopicNames.defaults("sinks").upper();
        List<Minibatch> data = List.of(KafkaTestSupport.batch("u-0", 0, 0), KafkaTestSupport.batch("u-1", 1, 1),
                KafkaTestSupport.batch("u-2", 0, 2), KafkaTestSupport.batch("u-3", 1, 3), KafkaTestSupport.batch("u-4", 0, 4));
        long t0 = System.nanoTime();
        try (MinibatchProducer producer = new MinibatchProducer(broker.bootstrapServers())) {
            long n = producer.produce(topic, data, MinibatchProducer.Options.once().withRate(50).withEpochs(3));
            assertThat(n).isEqualTo(15);
            assertThat(producer.acknowledged()).isEqualTo(15);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(seconds).as("15 records at 50/s").isGreaterThanOrEqualTo(14 / 50.0);

        List<ConsumerRecord<String, Minibatch>> back = readBack(topic, 15, new MinibatchDeserializer());
        assertThat(back).hasSize(15);
        assertThat(back).extracting(r -> r.value().batchId())
                .contains("u-0", "u-4", "u-0~e1", "u-4~e1", "u-0~e2", "u-3~e2").doesNotHaveDuplicates();
        assertThat(back).allSatisfy(r -> assertThat(r.key()).isEqualTo(Integer.toString(r.value().objective())));
        assertThat(back.stream().filter(r -> r.value().batchId().equals("u-3~e2")).findFirst().orElseThrow().value().features())
                .containsExactly(data.get(3).features());
    }
}
