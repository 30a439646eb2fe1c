package io.mobl.streams.kafka;

import io.mobl.protocol.Checkpoint;
import io.mobl.protocol.codec.CheckpointCodec;
import io.mobl.protocol.codec.RecordDecodeException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A checkpoint as records of the compacted checkpoint topic. A checkpoint of p = 10⁶ carries x, y and S warm starts
 * of 8 bytes an entry, tens of MB, and Kafka takes records of at most about 1 MB by default (the topic's
 * {@code max.message.bytes}, the producer's {@code max.request.size}, and a record must also fit the producer's
 * 32 MB {@code buffer.memory}). So the {@link CheckpointCodec} bytes are cut into chunks of at most
 * {@code chunkBytes}, each its own record: chunk 0 keyed {@link Checkpoint#key()} ({@code run/index}), chunk i ≥ 1
 * keyed {@code run/index#i}, all in the partition of {@code run/index}. Compaction keeps the newest record of each
 * key, so each key needs its own record. Headers say which checkpoint and which chunk a record is
 * ({@value #ID}, {@value #CHUNK}, {@value #CHUNKS}).
 *
 * <p>The journal writes all chunks of a checkpoint in one transaction, so a {@code read_committed} reader sees all
 * or none. {@link #assemble} takes the newest chunk 0 and the newest chunk i of every i it names; they must all
 * belong to the same checkpoint (the same id), and the concatenation must pass the codec's checksum: only a complete
 * set is loaded, never part of one. A record under {@code run/index} without the headers is read as a whole
 * checkpoint (one written by another tool). Stale chunks past the newest checkpoint's count (left by a larger older
 * one until compaction removes them) are ignored.
 */
final class CheckpointChunks {
    static final String ID = "mobl.checkpoint.id";
    static final String CHUNK = "mobl.checkpoint.chunk";
    static final String CHUNKS = "mobl.checkpoint.chunks";

    private CheckpointChunks() {}

    /** The record key of chunk i of the checkpoint keyed {@code key}. */
    static String chunkKey(String key, int chunk) {
        return chunk == 0 ? key : key + "#" + chunk;
    }

    /** Whether a record keyed {@code recordKey} is a chunk of the checkpoint keyed {@code key} (a run name has no '#'). */
    static boolean belongsTo(String recordKey, String key) {
        return recordKey != null && (recordKey.equals(key) || recordKey.startsWith(key + "#"));
    }

    /** The records of one checkpoint: its encoded bytes cut into chunks of at most {@code chunkBytes}, in order. */
    static List<ProducerRecord<String, byte[]>> records(String topic, int partition, Checkpoint checkpoint, byte[] encoded,
                                                        int chunkBytes, String id) {
        int n = Math.max(1, (encoded.length + chunkBytes - 1) / chunkBytes);
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] slice = Arrays.copyOfRange(encoded, i * chunkBytes, Math.min(encoded.length, (i + 1) * chunkBytes));
            RecordHeaders headers = new RecordHeaders();
            headers.add(ID, utf8(id));
            headers.add(CHUNK, utf8(Integer.toString(i)));
            headers.add(CHUNKS, utf8(Integer.toString(n)));
            out.add(new ProducerRecord<>(topic, partition, chunkKey(checkpoint.key(), i), slice, headers));
        }
        return out;
    }

    /**
     * The checkpoint keyed {@code key}, from the newest record of each key ({@code latest}); empty when there is
     * none (or a tombstone).
     *
     * @throws RecordDecodeException naming the field when the chunks do not make one whole, intact checkpoint of
     *                               this key
     */
    static Optional<Checkpoint> assemble(String key, Map<String, ConsumerRecord<String, byte[]>> latest) {
        ConsumerRecord<String, byte[]> head = latest.get(key);
        if (head == null || head.value() == null) return Optional.empty();
        byte[] bytes;
        String id = header(head.headers(), ID);
        if (id == null) {
            bytes = head.value(); // one record, as any tool may write it
        } else {
            int n = number(head, CHUNKS, Integer.MAX_VALUE);
            if (n < 1) throw new RecordDecodeException("checkpoint." + CHUNKS, key + ": " + n + " chunks (expected at least 1)");
            if (number(head, CHUNK, n) != 0) throw new RecordDecodeException("checkpoint." + CHUNK, key + ": the record keyed " + key + " is not chunk 0");
            ByteArrayOutputStream all = new ByteArrayOutputStream(head.value().length * n);
            all.writeBytes(head.value());
            for (int i = 1; i < n; i++) {
                ConsumerRecord<String, byte[]> r = latest.get(chunkKey(key, i));
                String where = "checkpoint chunk " + i + " of " + n;
                if (r == null || r.value() == null) {
                    throw new RecordDecodeException(where, key + ": missing (checkpoint " + id + " is incomplete; it is not loaded)");
                }
                if (!id.equals(header(r.headers(), ID)) || number(r, CHUNK, n) != i) {
                    throw new RecordDecodeException(where, key + ": the newest record keyed " + chunkKey(key, i) + " belongs to checkpoint "
                            + header(r.headers(), ID) + ", not " + id + " (the set is incomplete; it is not loaded)");
                }
                all.writeBytes(r.value());
            }
            bytes = all.toByteArray();
        }
        Checkpoint c = CheckpointCodec.decode(bytes);
        if (!c.key().equals(key)) {
            throw new RecordDecodeException("checkpoint.run", "the record keyed " + key + " holds the checkpoint of " + c.key());
        }
        return Optional.of(c);
    }

    private static int number(ConsumerRecord<String, byte[]> r, String header, int below) {
        String v = header(r.headers(), header);
        try {
            int n = Integer.parseInt(v);
            if (n < 0 || n >= below && below != Integer.MAX_VALUE) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new RecordDecodeException("checkpoint." + header, r.key() + " at offset " + r.offset() + ": header " + header + " = " + v
                    + " (expected a chunk number" + (below == Integer.MAX_VALUE ? "" : " below " + below) + ")");
        }
    }

    private static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
