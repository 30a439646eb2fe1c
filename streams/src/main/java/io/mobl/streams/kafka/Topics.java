package io.mobl.streams.kafka;

import io.mobl.protocol.InvalidInputException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The topics of DESIGN.md §5 (named by {@link TopicNames}) as the broker should hold them:
 * {@link #ensure(Admin, TopicNames)} creates the missing ones (existing topics are left as they are, whatever their
 * settings), {@link #awaitTopics} waits until they are served.
 */
public final class Topics {
    private static final Pattern RUN = Pattern.compile("[a-zA-Z0-9._-]{1,200}");

    private Topics() {}

    /** A topic to create: name, partitions, whether compacted. */
    public record Spec(String name, int partitions, boolean compacted) {
        public NewTopic toNewTopic() {
            NewTopic t = new NewTopic(name, Optional.of(partitions), Optional.empty());
            if (compacted) t.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            return t;
        }
    }

    /** The run name must be usable inside a topic name. */
    public static String checkRun(String run) {
        if (run == null || !RUN.matcher(run).matches()) {
            throw new InvalidInputException("run", run, "1 to 200 letters, digits, '.', '_' or '-' (it becomes part of topic names)");
        }
        return run;
    }

    /**
     * The seven topics of a run, the data topics with {@code dataPartitions} partitions, the others with one; the
     * Pareto and checkpoint topics compacted (the newest record per run/preference is what counts).
     */
    public static List<Spec> specs(TopicNames topics, int dataPartitions) {
        if (dataPartitions < 1) throw new InvalidInputException("dataPartitions", dataPartitions, "an integer >= 1");
        return List.of(
                new Spec(topics.lower(), dataPartitions, false),
                new Spec(topics.upper(), dataPartitions, false),
                new Spec(topics.telemetry(), 1, false),
                new Spec(topics.pareto(), 1, true),
                new Spec(topics.control(), 1, false),
                new Spec(topics.checkpoints(), 1, true),
                new Spec(topics.dlq(), 1, false));
    }

    /** Creates whichever of these topics are missing (data topics with one partition); returns the names it created. */
    public static Set<String> ensure(Admin admin, TopicNames topics) {
        return ensure(admin, specs(topics, 1));
    }

    /** The number of partitions of {@code topic}, which must exist. */
    public static int partitionCount(Admin admin, String topic, Duration timeout) {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .get(topic).partitions().size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot read the partitions of " + topic
                    + " (create the run's topics first, e.g. with Topics.ensure): " + cause.getMessage(), cause);
        }
    }

    /**
     * Waits until the broker serves every partition of these topics (a created topic is committed to the
     * metadata log before the broker that answers {@code describeTopics} has loaded it).
     *
     * <p>A leader in the metadata is not enough: the leader may not have opened the partition yet. An idempotent
     * producer whose first request meets that moment gets NOT_LEADER_OR_FOLLOWER, its second request is appended,
     * and every retry of the first then fails as out of order until it expires — its records are silently lost
     * (KAFKA-15591). So readiness is proven by asking each partition's leader for its end offset, which the leader
     * answers only once the partition is open.
     */
    public static void awaitTopics(Admin admin, Collection<String> names, Duration timeout) throws InterruptedException {
        if (names.isEmpty()) return;
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                Map<String, TopicDescription> d = admin.describeTopics(names).allTopicNames().get(5, TimeUnit.SECONDS);
                if (d.values().stream().allMatch(t -> !t.partitions().isEmpty()
                        && t.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()))) {
                    Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
                    d.values().forEach(t -> t.partitions().forEach(
                            p -> ends.put(new TopicPartition(t.name(), p.partition()), OffsetSpec.latest())));
                    admin.listOffsets(ends).all().get(5, TimeUnit.SECONDS); // fails while a partition is not open
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                last = e; // not there yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("topics " + names + " not available after " + timeout, last);
    }

    /** The end offset of every partition of {@code topic}, as the partitions' leaders report it now. */
    public static Map<TopicPartition, Long> endOffsets(Admin admin, String topic, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        d.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    /** Creates whichever of these topics are missing; waits until they are served; returns the names it created. */
    public static Set<String> ensure(Admin admin, List<Spec> specs) {
        try {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (Spec s : specs) if (!existing.contains(s.name())) missing.add(s.toNewTopic());
            Set<String> created = new LinkedHashSet<>();
            if (missing.isEmpty()) return created;
            var results = admin.createTopics(missing).values();
            for (var e : results.entrySet()) {
                try {
                    e.getValue().get(30, TimeUnit.SECONDS);
                    created.add(e.getKey());
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) throw ex; // someone else was quicker: fine
                }
            }
            awaitTopics(admin, created, Duration.ofSeconds(30));
            return created;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot create mobl topics: " + cause.getMessage(), cause);
        }
    }
}
