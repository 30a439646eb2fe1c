package io.mobl.ops.cli;

import io.mobl.streams.kafka.KafkaSourceSettings;
import io.mobl.streams.kafka.TopicNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mobl.core.data.DataSets;
import io.mobl.core.data.HyperCleaningSplit;
import io.mobl.core.data.IdxFormat;
import io.mobl.core.data.ImageMinibatches;
import io.mobl.core.data.LabelledImages;
import io.mobl.core.experiment.HyperCleaningRun;
import io.mobl.core.model.Batch;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.codec.MinibatchCodec;
import io.mobl.streams.kafka.KafkaBatchSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.pekko.actor.ActorSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./mobl produce --dataset fashion-mnist|mnist} against a real embedded broker: a small slice is written and
 * read back with a raw consumer, and every row is checked against the source IDX files read independently (the
 * pixels of a source image, its true label where the split left it clean, another class where it corrupted it).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProduceDataSetTest extends BrokerCliTest {
    /** Reads the topics from the start until {@code expected} records came, then half a second more. */
    private static List<Minibatch> readAll(List<String> topics, int expected) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "check-" + String.join("-", topics), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<Minibatch> batches = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(topics);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (batches.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    batches.add(MinibatchCodec.decode(r.value()));
                }
            }
            // nothing beyond the expected records
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) batches.add(MinibatchCodec.decode(r.value()));
        }
        return batches;
    }

    @Test
    void fashionMnistBatchesCarryTheSourcePixelsAndTheSplitsLabels() throws Exception {
        assumeTrue(DataSets.installed("fashion-mnist"), "Fashion-MNIST is not installed (scripts/fetch-datasets.sh)");
        String run = "fm";
        int rows = 4;
        int count = 14; // lower-level per upper is 9 with the default stream options: one round and a bit
        assertThat(mobl("produce", "--bootstrap-servers", broker.bootstrapServers(), "--run", run, "--dataset",
                "fashion-mnist", "--count", Integer.toString(count), "--minibatch-rows", Integer.toString(rows),
                "--train-size", "60", "--validation-size", "20", "--corruption", "0.5", "--seed", "7"))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("produced " + count + " minibatches");
        List<Minibatch> all = readAll(List.of(TopicNames.defaults(run).lower(), TopicNames.defaults(run).upper()), count);
        assertThat(all).hasSize(count);
        List<Minibatch> lower = all.stream().filter(Minibatch::isLower).toList();
        List<Minibatch> upper = all.stream().filter(b -> !b.isLower()).toList();
        assertThat(upper).isNotEmpty();
        assertThat(lower.size()).isGreaterThan(upper.size());

        // the source files, read here on their own; a row of pixels identifies its image (Fashion-MNIST has
        // a few duplicate images, so an image maps to all the labels it carries)
        Path dir = DataSets.fashionMnistDirectory();
        double[][] images = concat(IdxFormat.readImages(dir.resolve("train-images-idx3-ubyte.gz")),
                IdxFormat.readImages(dir.resolve("t10k-images-idx3-ubyte.gz")));
        int[] labels = concat(IdxFormat.readLabels(dir.resolve("train-labels-idx1-ubyte.gz")),
                IdxFormat.readLabels(dir.resolve("t10k-labels-idx1-ubyte.gz")));
        Map<Integer, List<Integer>> byHash = new HashMap<>();
        for (int i = 0; i < images.length; i++) {
            byHash.computeIfAbsent(hash(images[i], 0, images[i].length), k -> new ArrayList<>()).add(i);
        }
        java.util.function.BiFunction<double[], Integer, List<Integer>> labelsOfRow = (pixels, from) -> {
            List<Integer> found = new ArrayList<>();
            for (int i : byHash.getOrDefault(hash(pixels, from, 784), List.of())) {
                boolean same = true;
                for (int j = 0; j < 784 && same; j++) same = (float) images[i][j] == (float) pixels[from + j];
                if (same) found.add(labels[i]);
            }
            return found.isEmpty() ? null : found;
        };
        // the split the consumer side rebuilds from the same seed: which training labels were corrupted
        HyperCleaningSplit split = HyperCleaningRun.splits(List.of(new LabelledImages("fashion-mnist", images, labels, 10)),
                new HyperCleaningSplit.Sizes(60, 20, 0, 0, 0.5), 7).get(0);

        int clean = 0;
        int corrupted = 0;
        for (Minibatch b : lower) {
            assertThat(b.dtype()).isEqualTo(Minibatch.Dtype.FLOAT32);
            assertThat(b.objective()).isEqualTo(Minibatch.LOWER);
            assertThat(b.rows()).isEqualTo(rows);
            assertThat(b.featureDim()).isEqualTo(784);
            assertThat(b.labelDim()).isEqualTo(10);
            Batch decoded = ImageMinibatches.toBatch(b);
            for (int i = 0; i < rows; i++) {
                List<Integer> truth = labelsOfRow.apply(b.features(), i * 784);
                assertThat(truth).as("row %d of %s is a source image", i, b.batchId()).isNotNull();
                int id = (int) b.sampleIds()[i];
                assertThat(id).isBetween(0, 59);
                int label = decoded.labels()[i];
                if (split.corrupted()[id]) {
                    assertThat(truth).as("a corrupted label is another class").doesNotContain(label);
                    corrupted++;
                } else {
                    assertThat(truth).contains(label);
                    clean++;
                }
                // pixels in [0, 1] are byte/255 in float precision
                for (int j = 0; j < 784; j++) {
                    double v = b.feature(i, j);
                    assertThat(v).isBetween(0.0, 1.0);
                    assertThat(Math.abs(v * 255 - Math.rint(v * 255))).isLessThan(1e-4);
                }
            }
        }
        assertThat(clean).isPositive();
        assertThat(corrupted).isPositive();
        // lower-level batches walk the training set in order: ids 0..rows·k-1 in sequence
        assertThat(lower.stream().flatMapToLong(b -> Arrays.stream(b.sampleIds())).sorted().toArray())
                .containsExactly(java.util.stream.LongStream.range(0, (long) lower.size() * rows).map(i -> i % 60).sorted().toArray());
        for (Minibatch b : upper) {
            assertThat(b.objective()).isZero();
            Batch decoded = ImageMinibatches.toBatch(b);
            for (int i = 0; i < rows; i++) {
                assertThat(labelsOfRow.apply(b.features(), i * 784)).contains(decoded.labels()[i]);
                assertThat(b.sampleIds()[i]).isBetween(0L, 19L);
            }
        }
        assertThat(lower.stream().map(Minibatch::batchId).distinct().count()).isEqualTo(lower.size());
    }

    @Test
    void aKafkaBatchSourceHandsOutTheMnistSplitsImagesAndLabelsAsNetworkBatches() throws Exception {
        assumeTrue(DataSets.installed("mnist"), "MNIST is not installed (scripts/fetch-datasets.sh)");
        String run = "mn";
        assertThat(mobl("produce", "--bootstrap-servers", broker.bootstrapServers(), "--run", run, "--dataset", "mnist",
                "--count", "20", "--minibatch-rows", "5", "--train-size", "100", "--validation-size", "30"))
                .as(err.toString()).isZero();
        // the split produce made (its default --seed 1 and --corruption 0.5), rebuilt here from the source digits
        HyperCleaningSplit split = HyperCleaningRun.splits(List.of(DataSets.load("mnist")),
                new HyperCleaningSplit.Sizes(100, 30, 0, 0, 0.5), 1).get(0);
        ActorSystem system = ActorSystem.create("produce-dataset-test");
        try (KafkaBatchSource source = KafkaBatchSource.start(KafkaSourceSettings.of(broker.bootstrapServers(), run, 1))) {
            List<Minibatch> used = new ArrayList<>();
            int corrupted = 0;
            for (int k = 0; k < 3; k++) {
                Minibatch b = source.next(Minibatch.LOWER, Duration.ofSeconds(60));
                Batch batch = ImageMinibatches.toBatch(b);
                assertThat(batch.size()).isEqualTo(5);
                assertThat(batch.classes()).isEqualTo(10);
                // row i is training image sampleIds[i] of the split, with the label the split gave it (noisy or not)
                for (int i = 0; i < 5; i++) {
                    int id = (int) b.sampleIds()[i];
                    assertThat(id).isBetween(0, 99);
                    assertThat(batch.labels()[i]).as("label of training image %d", id).isEqualTo(split.train().labels()[id]);
                    assertPixels(batch.features().getRow(i).toDoubleVector(), split.train().pixels()[id], "training image " + id);
                    if (split.corrupted()[id]) corrupted++;
                }
                used.add(b);
            }
            assertThat(corrupted).as("a corrupted label among the 15 training images").isPositive();
            Minibatch u = source.next(0, Duration.ofSeconds(60));
            assertThat(u.objective()).isZero();
            Batch validation = ImageMinibatches.toBatch(u);
            assertThat(validation.oneHot().sumNumber().doubleValue()).isEqualTo(5.0);
            for (int i = 0; i < 5; i++) {
                int id = (int) u.sampleIds()[i];
                assertThat(validation.labels()[i]).isEqualTo(split.validation().labels()[id]);
                assertPixels(validation.features().getRow(i).toDoubleVector(), split.validation().pixels()[id], "validation image " + id);
            }
            used.add(u);
            source.iterationDone(0, used);
            assertThat(source.stats().handedOut()).isEqualTo(4);
        } finally {
            system.terminate();
        }
    }

    /** The network's row holds the source image's pixels in float32 precision. */
    private static void assertPixels(double[] row, double[] source, String what) {
        assertThat(row).as(what).hasSize(784);
        for (int j = 0; j < 784; j++) {
            assertThat((float) row[j]).as("%s pixel %d", what, j).isEqualTo((float) source[j]);
        }
    }

    @Test
    void aMissingDataSetNamesTheFetchScript(@TempDir Path empty) throws Exception {
        String before = System.getProperty("mobl.data");
        System.setProperty("mobl.data", Files.createDirectories(empty.resolve("nothing")).toString());
        try {
            assertThat(mobl("produce", "--bootstrap-servers", broker.bootstrapServers(), "--run", "missing",
                    "--dataset", "mnist", "--count", "1")).isEqualTo(2);
            assertThat(err.toString()).contains("dataset").contains("scripts/fetch-datasets.sh");
        } finally {
            if (before == null) System.clearProperty("mobl.data");
            else System.setProperty("mobl.data", before);
        }
        assertThat(mobl("produce", "--bootstrap-servers", broker.bootstrapServers(), "--dataset", "mnist,cifar")).isEqualTo(2);
        assertThat(err.toString()).contains("--dataset").contains("mnist,cifar");
    }

    /** A hash of an image's grey levels (0..255), the same for its float64 source and its float32 copy. */
    private static int hash(double[] pixels, int from, int length) {
        int h = 1;
        for (int j = from; j < from + length; j++) h = 31 * h + (int) Math.rint(pixels[j] * 255);
        return h;
    }

    private static double[][] concat(double[][] a, double[][] b) {
        double[][] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
