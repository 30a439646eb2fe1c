package io.mobl.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mobl.core.data.DataSets;
import io.mobl.core.data.LabelledImages;
import io.mobl.core.experiment.StochasticHyperCleaningRun;
import io.mobl.core.experiment.StochasticHyperCleaningSettings;
import io.mobl.streams.kafka.DeadLetters;
import io.mobl.streams.kafka.TopicNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on a slice of MNIST (500 training images) with a real broker: {@code mobl produce --format records}
 * writes the stochastic hyper-cleaning problem's data as per-example JSON records, some malformed records are mixed
 * in, and {@code mobl experiment stochastic-hyper-cleaning --bootstrap-servers} trains on them through the Kafka
 * record source. The records carry exactly the data the in-memory run draws, in its order, so every preference's
 * scores equal the in-memory run's; and the models learn (test accuracy well above chance, at the lowest
 * corruption rate), while the malformed records all end in the dead-letter topic.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class StochasticHyperCleaningRecordsTest extends BrokerCliTest {
    @Test
    void theExperimentTrainsOnTheRecordsProduceWroteAndScoresWhatTheInMemoryRunScores(@TempDir Path dir) throws Exception {
        assumeTrue(DataSets.installed("mnist"), "MNIST is not installed (scripts/fetch-datasets.sh)");
        String run = "shc-records";
        TopicNames topics = TopicNames.defaults(run);
        int iterations = 3, lowerIterations = 2, train = 500;
        StochasticHyperCleaningSettings settings = StochasticHyperCleaningCommand.withSizes(
                StochasticHyperCleaningSettings.scaledDefaults().withIterations(iterations, lowerIterations), train, 1000);
        long records = iterations * settings.lowerRowsPerIteration();

        // one partition per topic, so that the lower-level records come in the order produce wrote them; 40
        // malformed records ahead of the data (they must not shift the batches)
        broker.createTopic(topics.lower(), 1, false);
        broker.createTopic(topics.upper(), 1, false);
        broker.createTopic(topics.dlq(), 1, false);
        List<String> bad = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 40; i++) {
                String record = switch (i % 4) {
                    case 0 -> "{\"features\":[0.5,0.5],\"label\":[1,2,3,4,5]}";
                    case 1 -> "{\"features\":[" + "0,".repeat(783) + "0],\"label\":[1,2]}";
                    case 2 -> "{\"label\":[1,1,1,1,1]}";
                    default -> "{\"features\":[" + "0,".repeat(783) + "1e999],\"label\":[1,1,1,1,1]}";
                };
                bad.add(record);
                p.send(new ProducerRecord<>(i % 2 == 0 ? topics.lower() : topics.upper(), "0".getBytes(StandardCharsets.UTF_8),
                        record.getBytes(StandardCharsets.UTF_8)));
            }
        }

        assertThat(mobl("produce", "--bootstrap-servers", broker.bootstrapServers(), "--run", run, "--dataset", "mnist",
                "--format", "records", "--train-size", Integer.toString(train), "--count", Long.toString(records)))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("produced ");

        assertThat(mobl("experiment", "stochastic-hyper-cleaning", "--bootstrap-servers", broker.bootstrapServers(),
                "--run", run, "--train-size", Integer.toString(train), "--iterations", Integer.toString(iterations),
                "--lower-iterations", Integer.toString(lowerIterations), "--preferred", "0", "--out", dir.toString()))
                .as("%s%s", out, err).isZero();
        assertThat(out.toString()).contains("reading per-example records from " + topics.lower());
        System.out.println(out); // the experiment's tables, for the record of what the slice reaches

        JsonNode json = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        assertThat(json.get("settings").get("source").asText()).isEqualTo("kafka records of run " + run);
        JsonNode runs = json.get("runs");
        List<StochasticHyperCleaningExperiment.Preference> preferences = StochasticHyperCleaningExperiment.preferences(settings, List.of(0));
        assertThat(runs).hasSize(preferences.size());
        LabelledImages mnist = DataSets.load("mnist");
        for (int i = 0; i < preferences.size(); i++) {
            JsonNode fromKafka = runs.get(i);
            assertThat(fromKafka.get("seed").asLong()).isEqualTo(1); // produce's and the experiment's default --seed
            StochasticHyperCleaningRun.Outcome inMemory = StochasticHyperCleaningRun.run(settings, mnist, preferences.get(i).r(), 1, k -> { });
            for (int s = 0; s < settings.objectives(); s++) {
                assertThat(fromKafka.get("validationLoss").get(s).asDouble()).as("φ_%d of %s", s, preferences.get(i).name())
                        .isEqualTo(inMemory.validationLoss()[s]);
            }
            assertThat(fromKafka.get("regularisation").asDouble()).isEqualTo(inMemory.regularisation());
            // the model of the least corrupted labels (p = 0.2) learned the digits: chance is 10 %
            assertThat(inMemory.test().get(0).accuracy()).as("test accuracy at p=0.20, %s", preferences.get(i).name()).isGreaterThan(0.6);
        }

        List<String> dead = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topics.dlq(), 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (dead.size() < 40 * preferences.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    assertThat(r.headers().lastHeader(DeadLetters.REASON)).isNotNull();
                    dead.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        // each preference's run read the topics from the start, so each dead-lettered all 40
        assertThat(dead).hasSize(40 * preferences.size());
        assertThat(dead.subList(0, 40)).containsExactlyInAnyOrderElementsOf(bad);
    }

    /** The options that only one of the two sources uses are refused on the other, naming the option. */
    @Test
    void optionsOfTheOtherSourceAreRefused() {
        assertThat(mobl("experiment", "stochastic-hyper-cleaning", "--run", "x")).isEqualTo(2);
        assertThat(err.toString()).contains("--run").contains("without --bootstrap-servers");
        assertThat(mobl("experiment", "stochastic-hyper-cleaning", "--seed", "3")).isEqualTo(2);
        assertThat(err.toString()).contains("--seed");
        assertThat(mobl("experiment", "stochastic-hyper-cleaning", "--bootstrap-servers", broker.bootstrapServers(), "--seeds", "2"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--seeds").contains("one split");
        assertThat(mobl("produce", "--bootstrap-servers", broker.bootstrapServers(), "--format", "records")).isEqualTo(2);
        assertThat(err.toString()).contains("--format").contains("synthetic");
        assertThat(mobl("produce", "--bootstrap-servers", broker.bootstrapServers(), "--format", "records", "--dataset",
                "mnist,fashion-mnist")).isEqualTo(2);
        assertThat(err.toString()).contains("one data set with --format records");
        assertThat(mobl("produce", "--bootstrap-servers", broker.bootstrapServers(), "--format", "records", "--dataset",
                "mnist", "--corruption", "0.3")).isEqualTo(2);
        assertThat(err.toString()).contains("--corruption").contains("every corruption rate");
        assertThat(mobl("produce", "--bootstrap-servers", broker.bootstrapServers(), "--format", "records", "--dataset",
                "mnist", "--minibatch-rows", "4")).isEqualTo(2);
        assertThat(err.toString()).contains("--minibatch-rows = 4").contains("one example per record");
        assertThat(mobl("produce", "--format", "json")).isEqualTo(2);
        assertThat(err.toString()).contains("--format = json").contains("batches, records");
    }
}
