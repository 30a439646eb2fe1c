package io.mobl.streams.kafka;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real single-node Kafka broker (KRaft, combined broker + controller) running in this JVM: Apache Kafka's
 * own {@link KafkaRaftServer}, with storage formatted by {@link StorageTool}, listening on free loopback ports,
 * logs in a temporary directory that {@link #close()} deletes. mobl starts one when no bootstrap servers are
 * configured, and the tests use the same broker. Startup takes a few seconds; the broker is ready when
 * {@code Admin.describeCluster()} answers.
 *
 * <p>Single-node settings: replication factor 1 for the internal topics, one partition for the offsets and
 * transaction topics (a group coordinator loads in milliseconds), no initial rebalance delay, a small log
 * cleaner buffer. Any of them can be overridden by {@link #start(Map)}.
 *
 * <p>{@link #stop()} shuts the broker down and keeps its data; {@link #restart()} starts it again on the same
 * directory and ports, so clients connected to it see a broker that went away and came back with every record,
 * offset and transaction it had (a test of what a run does when its broker restarts).
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final int ATTEMPTS = 3;

    private final Path dir;
    private final Properties props;
    private KafkaRaftServer server;
    private final String bootstrapServers;
    private final Admin admin;
    private boolean closed;

    private EmbeddedKafkaBroker(Path dir, Properties props, KafkaRaftServer server, String bootstrapServers, Admin admin) {
        this.dir = dir;
        this.props = props;
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.admin = admin;
    }

    public static EmbeddedKafkaBroker start() {
        return start(Map.of());
    }

    /** Starts a broker with these broker properties laid over the defaults. */
    public static EmbeddedKafkaBroker start(Map<String, String> overrides) {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                return startOnce(overrides);
            } catch (RuntimeException e) {
                // The ports were free when we looked; another process may have taken one since.
                last = e;
                log.warn("embedded Kafka broker failed to start (attempt {} of {}): {}", attempt, ATTEMPTS, e.toString());
            }
        }
        throw last;
    }

    private static EmbeddedKafkaBroker startOnce(Map<String, String> overrides) {
        long t0 = System.nanoTime();
        Path dir;
        try {
            dir = Files.createTempDirectory("mobl-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a log directory for the embedded Kafka broker", e);
        }
        KafkaRaftServer server = null;
        Admin admin = null;
        try {
            int[] ports = freePorts(2);
            int brokerPort = ports[0];
            int controllerPort = ports[1];
            String host = "127.0.0.1";
            Properties props = new Properties();
            props.put("process.roles", "broker,controller");
            props.put("node.id", "1");
            props.put("controller.quorum.voters", "1@" + host + ":" + controllerPort);
            props.put("listeners", "PLAINTEXT://" + host + ":" + brokerPort + ",CONTROLLER://" + host + ":" + controllerPort);
            props.put("advertised.listeners", "PLAINTEXT://" + host + ":" + brokerPort);
            props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            props.put("controller.listener.names", "CONTROLLER");
            props.put("inter.broker.listener.name", "PLAINTEXT");
            props.put("log.dirs", dir.resolve("data").toString());
            props.put("num.partitions", "1");
            props.put("default.replication.factor", "1");
            props.put("min.insync.replicas", "1");
            props.put("offsets.topic.replication.factor", "1");
            props.put("offsets.topic.num.partitions", "1");
            props.put("transaction.state.log.replication.factor", "1");
            props.put("transaction.state.log.min.isr", "1");
            props.put("transaction.state.log.num.partitions", "1");
            props.put("group.initial.rebalance.delay.ms", "0");
            props.put("log.cleaner.dedupe.buffer.size", String.valueOf(8L * 1024 * 1024));
            props.put("log.cleaner.backoff.ms", "1000");
            props.put("auto.create.topics.enable", "true");
            props.putAll(overrides);

            Path propsFile = dir.resolve("server.properties");
            try (OutputStream out = Files.newOutputStream(propsFile)) {
                props.store(out, "mobl embedded Kafka broker");
            }
            String clusterId = Uuid.randomUuid().toString();
            ByteArrayOutputStream formatOutput = new ByteArrayOutputStream();
            int rc;
            try (PrintStream ps = new PrintStream(formatOutput, true, StandardCharsets.UTF_8)) {
                rc = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", propsFile.toString(),
                        "--ignore-formatted"}, ps);
            }
            if (rc != 0) {
                throw new IllegalStateException("kafka-storage format exited with " + rc + ": "
                        + formatOutput.toString(StandardCharsets.UTF_8).trim());
            }

            KafkaConfig config = new KafkaConfig(props, false);
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();

            String bootstrap = host + ":" + brokerPort;
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) READY_TIMEOUT.toMillis()));
            awaitReady(admin);
            log.info("embedded Kafka broker ready at {} in {} ms (log dir {})", bootstrap,
                    (System.nanoTime() - t0) / 1_000_000, dir);
            return new EmbeddedKafkaBroker(dir, props, server, bootstrap, admin);
        } catch (Exception e) {
            if (admin != null) admin.close(Duration.ofSeconds(1));
            if (server != null) {
                try {
                    server.shutdown();
                    server.awaitShutdown();
                } catch (RuntimeException ignored) {
                    // already failing; keep the first error
                }
            }
            deleteRecursively(dir);
            throw e instanceof RuntimeException r ? r : new IllegalStateException("embedded Kafka broker did not start", e);
        }
    }

    private static void awaitReady(Admin admin) throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            try {
                if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) return;
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("embedded Kafka broker not ready after " + READY_TIMEOUT, e);
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("embedded Kafka broker has no nodes after " + READY_TIMEOUT);
            Thread.sleep(50);
        }
    }

    private static int[] freePorts(int n) throws IOException {
        ServerSocket[] sockets = new ServerSocket[n];
        int[] ports = new int[n];
        try {
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                sockets[i].setReuseAddress(true);
                ports[i] = sockets[i].getLocalPort();
            }
        } finally {
            for (ServerSocket s : sockets) if (s != null) s.close();
        }
        return ports;
    }

    /** "127.0.0.1:port", for {@code bootstrap.servers}. */
    public String bootstrapServers() { return bootstrapServers; }

    /** The temporary directory holding the broker's logs and metadata; deleted by {@link #close()}. */
    public Path directory() { return dir; }

    /** An Admin client owned by the broker (closed with it); do not close it yourself. */
    public Admin admin() { return admin; }

    /** Creates a topic (replication factor 1) and waits until the broker serves it; compacted topics keep the newest record per key. */
    public void createTopic(String name, int partitions, boolean compacted) {
        NewTopic topic = new NewTopic(name, Optional.of(partitions), Optional.empty());
        if (compacted) topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        try {
            admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            Topics.awaitTopics(admin, List.of(name), Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + name + ": " + e.getMessage(), e);
        }
    }

    /** Shuts the broker down and waits for it, keeping its data for {@link #restart()}. Idempotent. */
    public synchronized void stop() {
        if (closed) throw new IllegalStateException("the embedded Kafka broker is closed");
        if (server == null) return;
        long t0 = System.nanoTime();
        server.shutdown();
        server.awaitShutdown();
        server = null;
        log.info("embedded Kafka broker at {} stopped in {} ms (data kept in {})", bootstrapServers, (System.nanoTime() - t0) / 1_000_000, dir);
    }

    /** Whether the broker is running (not {@link #stop()}ped or closed). */
    public synchronized boolean running() {
        return server != null;
    }

    /**
     * Starts a {@link #stop()}ped broker again: the same directory (records, offsets, transactions) and the same
     * ports, so clients reconnect to the address they had. Returns once the broker answers.
     */
    public synchronized void restart() {
        if (closed) throw new IllegalStateException("the embedded Kafka broker is closed");
        if (server != null) return;
        long t0 = System.nanoTime();
        RuntimeException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            KafkaRaftServer s = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
            try {
                s.startup();
                awaitReady(admin);
                server = s;
                log.info("embedded Kafka broker at {} restarted in {} ms", bootstrapServers, (System.nanoTime() - t0) / 1_000_000);
                return;
            } catch (Exception e) {
                // a port still held by the old sockets: shut this attempt down and try again
                last = e instanceof RuntimeException r ? r : new IllegalStateException("embedded Kafka broker did not restart", e);
                log.warn("embedded Kafka broker failed to restart (attempt {} of {}): {}", attempt, ATTEMPTS, e.toString());
                try {
                    s.shutdown();
                    s.awaitShutdown();
                } catch (RuntimeException ignored) {
                    // keep the first error
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw last;
                }
            }
        }
        throw last;
    }

    /** Shuts the broker down, waits for it, and deletes its directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        long t0 = System.nanoTime();
        try {
            admin.close(Duration.ofSeconds(2));
        } finally {
            try {
                if (server != null) {
                    server.shutdown();
                    server.awaitShutdown();
                }
            } finally {
                deleteRecursively(dir);
                log.info("embedded Kafka broker at {} stopped in {} ms", bootstrapServers, (System.nanoTime() - t0) / 1_000_000);
            }
        }
    }

    static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) return;
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.warn("cannot delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", root, e.toString());
        }
    }
}
