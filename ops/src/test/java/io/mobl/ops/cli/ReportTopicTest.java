package io.mobl.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mobl.ops.Records;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.codec.JsonCodec;
import io.mobl.protocol.codec.ParetoPointJsonLines;
import io.mobl.streams.kafka.EmbeddedKafkaBroker;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** {@code mobl report --topic} against a real embedded Kafka broker. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReportTopicTest {
    private static EmbeddedKafkaBroker broker;
    @TempDir Path dir;
    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) broker.close();
    }

    private int mobl(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private static ParetoPoint point(String run, double t, double shift) {
        return Records.point(run, new double[] {t, 1 - t}, new double[] {Math.sqrt(t) + shift, Math.sqrt(1 - t) + shift});
    }

    @Test
    void theTopicIsDrawnAsItsLatestPointPerKeyExactlyAsTheSameFileWouldBe() throws Exception {
        String topic = "mobl.pareto.report-test";
        broker.createTopic(topic, 1, true);
        // (key, value) in publication order; null value = tombstone, a String = bytes that do not decode
        List<Map.Entry<String, Object>> records = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            ParetoPoint stale = point("a", i / 6.0, 1.0);
            records.add(Map.entry(stale.key(), stale));
        }
        records.add(Map.entry("junk", "{not a point"));
        ParetoPoint gone = point("b", 0.5, 0.0);
        records.add(Map.entry(gone.key(), gone));
        for (int i = 5; i >= 2; i--) {
            ParetoPoint fresh = point("a", i / 6.0, 0.001 * i);
            records.add(Map.entry(fresh.key(), fresh));
        }
        records.add(new java.util.AbstractMap.SimpleEntry<>(gone.key(), null));
        publish(topic, records);

        // What compaction keeps: the latest value per key, in the order of those records; tombstones delete.
        Map<String, ParetoPoint> latest = new LinkedHashMap<>();
        for (Map.Entry<String, Object> r : records) {
            latest.remove(r.getKey());
            if (r.getValue() instanceof ParetoPoint p) latest.put(r.getKey(), p);
        }
        List<ParetoPoint> expected = new ArrayList<>(latest.values());
        assertThat(expected).hasSize(5); // 4 fresh points of run a, and a's r = 1/6 point, never updated

        Path fromTopic = dir.resolve("topic.html");
        assertThat(mobl("report", "--topic", topic, "--bootstrap-servers", broker.bootstrapServers(),
                "--out", fromTopic.toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("(5 point(s))");
        assertThat(err.toString()).hasLineCount(1).contains("skipped a record that does not decode")
                .contains(topic + "-0@5");

        Path file = dir.resolve("expected.jsonl");
        ParetoPointJsonLines.write(file, expected);
        Path fromFile = dir.resolve("file.html");
        assertThat(mobl("report", "--from", file.toString(), "--out", fromFile.toString())).as(err.toString()).isZero();

        NodeList rows = rows(fromTopic);
        assertThat(rows.getLength()).isEqualTo(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            NodeList cells = ((Element) rows.item(i)).getElementsByTagName("td");
            assertThat(Double.parseDouble(((Element) cells.item(2)).getAttribute("title"))).isEqualTo(expected.get(i).objectives()[0]);
            assertThat(Double.parseDouble(((Element) cells.item(3)).getAttribute("title"))).isEqualTo(expected.get(i).objectives()[1]);
        }
        assertThat(body(fromTopic)).isEqualTo(body(fromFile));

        Path svg = dir.resolve("front.svg");
        assertThat(mobl("report", "--topic", topic, "--bootstrap-servers", broker.bootstrapServers(),
                "--out", svg.toString())).isZero();
        assertThat(Files.readString(svg).split("<ellipse", -1)).hasSize(expected.size() + 1);
    }

    @Test
    void theBootstrapServersMayComeFromTheConfiguration() {
        String topic = "mobl.pareto.configured";
        broker.createTopic(topic, 2, true);
        ParetoPoint only = point("c", 0.25, 0);
        publish(topic, List.of(Map.entry(only.key(), only)));
        assertThat(mobl("report", "--topic", topic, "--set", "mobl.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                "--out", dir.resolve("c.png").toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("(1 point(s))");
    }

    @Test
    void anUnknownTopicOrAMissingSourceIsOneLineAndExitCodeTwo() {
        assertThat(mobl("report", "--topic", "no.such.topic", "--bootstrap-servers", broker.bootstrapServers(),
                "--out", dir.resolve("x.png").toString())).isEqualTo(2);
        assertThat(err.toString()).hasLineCount(1).startsWith("mobl: --topic = no.such.topic: expected a topic on");

        assertThat(mobl("report", "--topic", "mobl.pareto", "--out", dir.resolve("x.png").toString())).isEqualTo(2);
        assertThat(err.toString()).hasLineCount(1).startsWith("mobl: --bootstrap-servers = null: expected host:port");

        assertThat(mobl("report", "--out", dir.resolve("x.png").toString())).isEqualTo(2);
        assertThat(err.toString()).hasLineCount(1).startsWith("mobl: --from/--topic = neither: expected exactly one");
    }

    private static void publish(String topic, List<Map.Entry<String, Object>> records) {
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (Map.Entry<String, Object> r : records) {
                byte[] value = r.getValue() instanceof ParetoPoint p ? JsonCodec.encode(p)
                        : r.getValue() instanceof String text ? text.getBytes(StandardCharsets.UTF_8) : null;
                // one partition per key, as a keyed producer would choose it, but fixed so the order is known
                producer.send(new ProducerRecord<>(topic, 0, r.getKey().getBytes(StandardCharsets.UTF_8), value));
            }
            producer.flush();
        }
    }

    private static NodeList rows(Path html) throws Exception {
        var page = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(Files.readAllBytes(html)));
        return ((Element) page.getElementsByTagName("tbody").item(0)).getElementsByTagName("tr");
    }

    private static String body(Path html) throws Exception {
        String text = Files.readString(html);
        return text.substring(text.indexOf("<tbody>"), text.indexOf("</tbody>"));
    }
}
