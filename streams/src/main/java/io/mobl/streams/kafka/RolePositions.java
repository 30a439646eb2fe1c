package io.mobl.streams.kafka;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The committed offset of one partition of a run's data, from where each role stands in it. Kafka keeps one offset
 * per partition and group, but the upper-level topic holds several objectives in one partition, each at its own
 * position: the offset committed is the smallest (every role finds its next batch at or after it) and its metadata
 * lists each role's, as {@code mobl.roles=<role>@<offset>,...} (e.g. {@code mobl.roles=0@58,2@60}), so that a
 * fresh reader of the group starts every role exactly where it stopped. Written by the source
 * ({@link KafkaSourceSettings.OffsetCommits#SOURCE}) or by the journal in its transaction, read by
 * {@link PartitionReader} when it starts.
 */
final class RolePositions {
    static final String PREFIX = "mobl.roles=";
    /** Well under the broker's default {@code offset.metadata.max.bytes} (4096): past it the roles are left out. */
    static final int MAX_METADATA_CHARS = 3000;

    private RolePositions() {}

    /** The offset to commit for a partition whose roles stand at {@code positions} (role → next offset), non-empty. */
    static OffsetAndMetadata commit(SortedMap<Integer, Long> positions) {
        long min = Long.MAX_VALUE;
        StringBuilder b = new StringBuilder(PREFIX);
        for (Map.Entry<Integer, Long> e : positions.entrySet()) {
            min = Math.min(min, e.getValue());
            if (b.length() > PREFIX.length()) b.append(',');
            b.append(e.getKey()).append('@').append(e.getValue());
        }
        if (positions.isEmpty()) throw new IllegalArgumentException("no positions");
        return new OffsetAndMetadata(min, b.length() > MAX_METADATA_CHARS ? "" : b.toString());
    }

    /**
     * Each role's position from a committed offset: what its metadata lists, never below the offset itself; empty
     * when the metadata is not mobl's or does not parse (every role then starts at the offset).
     */
    static SortedMap<Integer, Long> parse(OffsetAndMetadata committed) {
        SortedMap<Integer, Long> out = new TreeMap<>();
        String m = committed.metadata();
        if (m == null || !m.startsWith(PREFIX)) return out;
        try {
            for (String entry : m.substring(PREFIX.length()).split(",")) {
                int at = entry.indexOf('@');
                out.put(Integer.parseInt(entry.substring(0, at)), Math.max(committed.offset(), Long.parseLong(entry.substring(at + 1))));
            }
        } catch (RuntimeException e) {
            out.clear();
        }
        return out;
    }
}
