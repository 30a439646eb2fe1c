package io.mobl.streams.kafka;

import io.mobl.core.checkpoint.RunJournal;
import io.mobl.protocol.Checkpoint;
import io.mobl.protocol.InvalidInputException;
import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.Minibatch;
import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.SourcePosition;
import io.mobl.protocol.codec.CheckpointCodec;
import io.mobl.protocol.codec.JsonCodec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The {@link RunJournal} of one run/preference on Kafka, exactly-once. One transactional producer per
 * run/preference, {@code transactional.id = <prefix>.<run>/<index>}: {@link #recover()} calls
 * {@code initTransactions}, which fences any earlier producer of the same id (a process that was killed and
 * restarted, or another node) and aborts the transaction it left open, so from then on only this journal commits
 * for the run/preference and the earlier one's next commit fails ({@link IllegalStateException} saying so).
 *
 * <p>{@link #append} keeps telemetry and Pareto points in memory (never blocks, never touches Kafka); each
 * {@link #commit} sends them (the telemetry of the iterations its checkpoint covers: a coordinator that goes on
 * while the commit is made off its thread appends later iterations, which wait for the next commit, so a resume
 * never redoes an iteration whose telemetry is already published), the checkpoint (as {@link CheckpointChunks}, to {@link TopicNames#checkpoints()}) and
 * the consumer offsets of its positions ({@code sendOffsetsToTransaction}: per partition the smallest role
 * position, each role's in the offset's metadata, see {@link RolePositions}) in <b>one transaction</b>, and commits
 * it. Readers with {@code isolation.level=read_committed} see an iteration's records once, when its commit is
 * done; after a crash, what was appended or sent since the last commit is invisible and is recomputed from the
 * checkpoint. The source must then not commit offsets itself ({@link KafkaSourceSettings#withJournalCommits()}).
 * Transactions are short (a commit's sends and its end), whatever the interval between checkpoints.
 *
 * <p>A commit that meets a broker that is away (restarting) retries — the same call after a timeout, the whole
 * transaction after an abortable error — until {@link Settings#commitTimeout()}; then it throws and the run stops.
 *
 * <p>Chunked checkpoints rather than a raised record limit: a checkpoint of p = 10⁶ is tens of MB; one record would
 * need the topic's {@code max.message.bytes}, the producer's {@code max.request.size} and {@code buffer.memory} and
 * the broker's {@code socket.request.max.bytes} (100 MB) raised for the largest run ever to come, on clusters mobl
 * may not administer (DESIGN §5: existing topics are left as they are). Chunks of {@link Settings#chunkBytes()}
 * (512 KiB) fit the defaults; the transaction makes a set all-or-nothing and the codec's checksum covers the whole.
 */
public final class KafkaRunJournal implements RunJournal {
    private static final Logger log = LoggerFactory.getLogger(KafkaRunJournal.class);
    private static final Duration ATTEMPT = Duration.ofSeconds(30);

    /**
     * How the journals of a run write.
     *
     * @param bootstrapServers      Kafka bootstrap servers
     * @param topics                telemetry, Pareto and checkpoint topics, and the data topics whose offsets are
     *                              committed
     * @param groups                the consumer groups whose offsets a run/preference's checkpoints commit: those
     *                              its source reads for ({@link ConsumerGroups.Naming#PER_RUN} by default,
     *                              {@link ConsumerGroups.Naming#PER_PREFERENCE} for a sweep whose preferences each
     *                              read the whole stream)
     * @param transactionalIdPrefix transactional ids are {@code <prefix>.<run>/<index>}
     * @param chunkBytes            the largest checkpoint record (64 B .. 16 MiB; default 512 KiB, under Kafka's
     *                              1 MB default)
     * @param commitTimeout         how long a commit (or {@link #recover()}) keeps trying while the broker is away
     * @param producerProperties    extra Kafka producer properties (they win over mobl's)
     */
    public record Settings(String bootstrapServers, TopicNames topics, ConsumerGroups.Naming groups,
                           String transactionalIdPrefix, int chunkBytes, Duration commitTimeout,
                           Map<String, Object> producerProperties) {
        public Settings {
            if (bootstrapServers == null || bootstrapServers.isBlank()) throw new InvalidInputException("bootstrapServers", bootstrapServers, "host:port[,host:port...]");
            if (topics == null) throw new InvalidInputException("topics", null, "the run's topic names");
            if (groups == null) throw new InvalidInputException("groups", null, "how the run names its consumer groups");
            if (transactionalIdPrefix == null || transactionalIdPrefix.isBlank()) throw new InvalidInputException("transactionalIdPrefix", transactionalIdPrefix, "a non-empty prefix");
            if (chunkBytes < 64 || chunkBytes > 16 << 20) throw new InvalidInputException("chunkBytes", chunkBytes, "64 .. 16777216 bytes (default 524288; above ~1 MB the topic's max.message.bytes must allow it)");
            if (commitTimeout == null || commitTimeout.isNegative() || commitTimeout.isZero()) throw new InvalidInputException("commitTimeout", commitTimeout, "a positive duration");
            producerProperties = Map.copyOf(producerProperties);
        }

        /** Defaults: the run's groups, prefix {@code mobl.journal}, chunks of 512 KiB, commits retried for 2 minutes. */
        public static Settings of(String bootstrapServers, TopicNames topics) {
            return new Settings(bootstrapServers, topics, ConsumerGroups.Naming.PER_RUN, "mobl.journal", 512 << 10,
                    Duration.ofMinutes(2), Map.of());
        }

        public Settings withGroups(ConsumerGroups.Naming naming) {
            return new Settings(bootstrapServers, topics, naming, transactionalIdPrefix, chunkBytes, commitTimeout, producerProperties);
        }

        public Settings withTransactionalIdPrefix(String prefix) {
            return new Settings(bootstrapServers, topics, groups, prefix, chunkBytes, commitTimeout, producerProperties);
        }

        public Settings withChunkBytes(int bytes) {
            return new Settings(bootstrapServers, topics, groups, transactionalIdPrefix, bytes, commitTimeout, producerProperties);
        }

        public Settings withCommitTimeout(Duration d) {
            return new Settings(bootstrapServers, topics, groups, transactionalIdPrefix, chunkBytes, d, producerProperties);
        }

        public Settings withProducerProperties(Map<String, Object> props) {
            return new Settings(bootstrapServers, topics, groups, transactionalIdPrefix, chunkBytes, commitTimeout, props);
        }
    }

    /** The journals of a run: {@code open(run, index)} makes the journal of one run/preference. */
    public static RunJournal.Factory factory(Settings settings) {
        return (run, preferenceIndex) -> new KafkaRunJournal(settings, run, preferenceIndex);
    }

    private final Settings settings;
    private final String run;
    private final int preferenceIndex;
    private final String key;
    private final ConsumerGroups groups;
    private final KafkaProducer<String, byte[]> producer;
    private final Object pendingLock = new Object();
    /** Appended since the last commit: {@link IterateTelemetry} and {@link ParetoPoint}s, in order. */
    private final List<Object> pending = new ArrayList<>();
    private final Object commitLock = new Object();
    private volatile boolean closed;
    private boolean initialized;
    private boolean inTransaction;
    private volatile String failed;
    private long commits;

    private KafkaRunJournal(Settings settings, String run, int preferenceIndex) {
        this.settings = settings;
        this.run = Topics.checkRun(run);
        if (preferenceIndex < 0) throw new InvalidInputException("preferenceIndex", preferenceIndex, "an index >= 0");
        this.preferenceIndex = preferenceIndex;
        this.key = Checkpoint.key(run, preferenceIndex);
        this.groups = settings.groups().of(run, preferenceIndex);
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "mobl-journal-" + key);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // each blocking call is one attempt; commit() retries attempts until commitTimeout
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) ATTEMPT.toMillis());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(ATTEMPT.toMillis() + 1000, settings.commitTimeout().toMillis()));
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) Math.max(60_000, settings.commitTimeout().toMillis() + 30_000));
        props.putAll(settings.producerProperties());
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** {@code <prefix>.<run>/<index>}: the same for every process that journals this run/preference. */
    public String transactionalId() {
        return settings.transactionalIdPrefix() + "." + key;
    }

    /** The consumer groups whose offsets this journal commits. */
    public ConsumerGroups groups() { return groups; }

    /**
     * Fences every earlier writer of this run/preference, then reads the newest committed checkpoint of it from
     * the checkpoint topic ({@code read_committed}, every record up to the end the topic had once the earlier
     * writer's transaction was aborted), decoded with {@link CheckpointCodec}.
     *
     * @throws io.mobl.protocol.codec.RecordDecodeException naming the field when the checkpoint is corrupt,
     *                                                     incomplete or of another version (never half-loaded)
     */
    @Override
    public Optional<Checkpoint> recover() {
        long deadline = System.nanoTime() + settings.commitTimeout().toNanos();
        synchronized (commitLock) {
            ensureUsable();
            initialize(deadline);
            return read(deadline);
        }
    }

    /** Under commitLock: initTransactions once (fencing earlier producers of the id). */
    private void initialize(long deadline) {
        if (initialized) return;
        retrying(deadline, "initialise the transactions of " + transactionalId(), () -> {
            producer.initTransactions();
            return null;
        });
        initialized = true;
        log.info("journal {} (transactional id {}) is the writer of {} now", key, transactionalId(), key);
    }

    private Optional<Checkpoint> read(long deadline) {
        String topic = settings.topics().checkpoints();
        TopicPartition tp = new TopicPartition(topic, partitionOf(topic, key));
        long end;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()))) {
            // the high watermark: read_committed stops short of it while another writer's transaction is open
            end = admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                    .partitionResult(tp).get(ATTEMPT.toMillis(), TimeUnit.MILLISECONDS).offset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the end of " + tp, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the end of the checkpoint topic " + tp + " (does it exist?): " + e.getMessage(), e);
        }
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "mobl-journal-recover-" + key);
        Map<String, ConsumerRecord<String, byte[]>> latest = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            while (consumer.position(tp) < end) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("could not read the checkpoints of " + key + " in " + tp + " up to offset " + end
                            + " within " + settings.commitTimeout() + " (stuck at " + consumer.position(tp)
                            + ": another writer's transaction is still open, or the broker is away)");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end && CheckpointChunks.belongsTo(r.key(), key)) latest.put(r.key(), r);
                }
            }
        }
        Optional<Checkpoint> c = CheckpointChunks.assemble(key, latest);
        c.ifPresent(x -> log.info("journal {}: recovered the checkpoint of iteration {} ({} positions)", key, x.iteration(), x.positions().size()));
        return c;
    }

    /** The partition the default partitioner gives {@code key} in {@code topic}. */
    private int partitionOf(String topic, String recordKey) {
        int partitions = producer.partitionsFor(topic).size();
        return Utils.toPositive(Utils.murmur2(recordKey.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    @Override
    public void append(IterateTelemetry telemetry) {
        add(telemetry);
    }

    @Override
    public void append(ParetoPoint point) {
        add(point);
    }

    private void add(Object record) {
        if (record == null) throw new IllegalArgumentException("null record");
        if (closed) throw new IllegalStateException("journal " + key + " is closed");
        synchronized (pendingLock) {
            pending.add(record);
        }
    }

    /** Telemetry and Pareto points appended and not yet committed. */
    public int pending() {
        synchronized (pendingLock) {
            return pending.size();
        }
    }

    /** Transactions committed by this journal. */
    public long commits() {
        synchronized (commitLock) {
            return commits;
        }
    }

    /**
     * Sends what was appended since the last commit (of the telemetry, that of the iterations before the
     * checkpoint's k; all of it for a null checkpoint), the checkpoint (null: records only) and the offsets of its
     * positions in one transaction, and commits it. Blocks until it is committed; retries while the broker is away,
     * up to {@link Settings#commitTimeout()}.
     *
     * @throws IllegalStateException when the journal was fenced (another journal of this run/preference was opened:
     *                               this writer must stop), or the commit could not be made in time
     * @throws InvalidInputException when the checkpoint is another run/preference's, or a position names a topic
     *                               whose offsets this journal does not commit
     */
    @Override
    public void commit(Checkpoint checkpoint) {
        Prepared prepared = prepare(checkpoint);
        long deadline = System.nanoTime() + settings.commitTimeout().toNanos();
        synchronized (commitLock) {
            ensureUsable();
            initialize(deadline);
            List<Object> records = snapshot(checkpoint);
            while (true) {
                try {
                    send(records, prepared, deadline);
                    retrying(deadline, "commit the transaction of " + key, () -> {
                        producer.commitTransaction();
                        return null;
                    });
                    inTransaction = false;
                    commits++;
                    break;
                } catch (ProducerFencedException e) {
                    throw fenced(e);
                } catch (OutOfOrderSequenceException | AuthorizationException | UnsupportedVersionException e) {
                    failed = e.toString();
                    throw new IllegalStateException("journal " + key + " cannot commit (" + e + "); the run must stop", e);
                } catch (KafkaException e) {
                    abortQuietly(deadline);
                    if (System.nanoTime() - deadline > 0) {
                        throw new IllegalStateException("journal " + key + " could not commit within " + settings.commitTimeout() + ": " + e, e);
                    }
                    log.warn("journal {}: the transaction failed ({}); trying again", key, e.toString());
                    sleep(200);
                }
            }
            Set<Object> sent = Collections.newSetFromMap(new IdentityHashMap<>());
            sent.addAll(records);
            synchronized (pendingLock) {
                pending.removeIf(sent::contains);
            }
        }
    }

    /**
     * For tests of what a writer that dies mid-commit leaves: begins the transaction and sends everything
     * {@link #commit} would, and stops there (the transaction stays open).
     */
    void sendWithoutCommitting(Checkpoint checkpoint) {
        Prepared prepared = prepare(checkpoint);
        long deadline = System.nanoTime() + settings.commitTimeout().toNanos();
        synchronized (commitLock) {
            ensureUsable();
            initialize(deadline);
            send(snapshot(checkpoint), prepared, deadline);
            producer.flush();
        }
    }

    /** For tests: the producer dies at once, whatever it was doing (its open transaction is left to the broker). */
    void abandon() {
        closed = true;
        producer.close(Duration.ZERO);
    }

    /** A checkpoint's records and offsets, made before the transaction. */
    private record Prepared(List<ProducerRecord<String, byte[]>> chunks, Map<String, Map<TopicPartition, OffsetAndMetadata>> offsets) {}

    private Prepared prepare(Checkpoint checkpoint) {
        if (checkpoint == null) return new Prepared(List.of(), Map.of());
        if (!checkpoint.key().equals(key)) {
            throw new InvalidInputException("checkpoint.run", checkpoint.key(), key + ", the run/preference of this journal");
        }
        Map<String, SortedMap<TopicPartition, SortedMap<Integer, Long>>> byGroup = new TreeMap<>();
        List<SourcePosition> positions = checkpoint.positions();
        for (int i = 0; i < positions.size(); i++) {
            SourcePosition p = positions.get(i);
            if (p.topic().equals(SourcePosition.MEMORY)) continue; // an in-memory source: no offsets
            String group;
            if (p.topic().equals(settings.topics().lower()) && p.objective() == Minibatch.LOWER) group = groups.lower();
            else if (p.topic().equals(settings.topics().upper()) && p.objective() >= 0) group = groups.upper();
            else {
                throw new InvalidInputException("checkpoint.positions[" + i + "]", p, "a position of a lower-level batch in "
                        + settings.topics().lower() + " or of an upper-level one in " + settings.topics().upper()
                        + " (the topics whose offsets this journal commits)");
            }
            byGroup.computeIfAbsent(group, g -> new TreeMap<>(java.util.Comparator.comparingInt(TopicPartition::partition)))
                    .computeIfAbsent(new TopicPartition(p.topic(), p.partition()), tp -> new TreeMap<>())
                    .put(p.objective(), p.nextOffset());
        }
        Map<String, Map<TopicPartition, OffsetAndMetadata>> offsets = new TreeMap<>();
        byGroup.forEach((group, partitions) -> {
            Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>();
            partitions.forEach((tp, roles) -> m.put(tp, RolePositions.commit(roles)));
            offsets.put(group, m);
        });
        String topic = settings.topics().checkpoints();
        byte[] encoded = CheckpointCodec.encode(checkpoint);
        List<ProducerRecord<String, byte[]>> chunks = CheckpointChunks.records(topic, partitionOf(topic, key), checkpoint, encoded,
                settings.chunkBytes(), UUID.randomUUID().toString());
        return new Prepared(chunks, offsets);
    }

    /** Under commitLock: begins the transaction and sends the records, the chunks and the offsets. */
    private void send(List<Object> records, Prepared prepared, long deadline) {
        producer.beginTransaction();
        inTransaction = true;
        for (Object r : records) {
            if (r instanceof IterateTelemetry t) {
                producer.send(new ProducerRecord<>(settings.topics().telemetry(), t.key(), JsonCodec.encode(t)));
            } else if (r instanceof ParetoPoint p) {
                producer.send(new ProducerRecord<>(settings.topics().pareto(), p.key(), JsonCodec.encode(p)));
            }
        }
        for (ProducerRecord<String, byte[]> chunk : prepared.chunks()) producer.send(chunk);
        prepared.offsets().forEach((group, offsets) -> retrying(deadline, "send the offsets of group " + group, () -> {
            producer.sendOffsetsToTransaction(offsets, new ConsumerGroupMetadata(group));
            return null;
        }));
    }

    /** What a commit of {@code checkpoint} publishes: every Pareto point, the telemetry of iterations before its k (all for null). */
    private List<Object> snapshot(Checkpoint checkpoint) {
        synchronized (pendingLock) {
            List<Object> out = new ArrayList<>(pending.size());
            for (Object r : pending) {
                if (checkpoint != null && r instanceof IterateTelemetry t && t.iteration() >= checkpoint.iteration()) continue;
                out.add(r);
            }
            return out;
        }
    }

    /** Calls {@code op} again after each timeout (the broker is away) until {@code deadline}. */
    private <T> T retrying(long deadline, String what, Supplier<T> op) {
        while (true) {
            try {
                return op.get();
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("journal " + key + " could not " + what + " within " + settings.commitTimeout()
                            + " (is the broker at " + settings.bootstrapServers() + " up?): " + e.getMessage(), e);
                }
                log.warn("journal {}: could not {} yet ({}); trying again", key, what, e.getMessage());
            } catch (ProducerFencedException e) {
                throw fenced(e);
            }
        }
    }

    private void abortQuietly(long deadline) {
        if (!inTransaction) return;
        try {
            retrying(deadline, "abort the transaction of " + key, () -> {
                producer.abortTransaction();
                return null;
            });
        } catch (RuntimeException e) {
            log.warn("journal {}: aborting failed: {}", key, e.toString());
        }
        inTransaction = false;
    }

    private IllegalStateException fenced(ProducerFencedException e) {
        failed = "fenced";
        return new IllegalStateException("journal " + key + " was fenced: another journal of run " + run + " preference "
                + preferenceIndex + " (transactional id " + transactionalId() + ") was opened since, in this or another process;"
                + " this writer must stop (nothing of this commit is visible)", e);
    }

    private void ensureUsable() {
        if (closed) throw new IllegalStateException("journal " + key + " is closed");
        if (failed != null) throw new IllegalStateException("journal " + key + " can no longer commit (" + failed + ")");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Commits nothing more: records appended since the last commit are dropped (logged). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        int dropped = pending();
        if (dropped > 0) log.info("journal {} closed with {} records appended after its last commit (not published)", key, dropped);
        producer.close(Duration.ofSeconds(5));
    }
}
