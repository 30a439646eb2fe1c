package io.mobl.streams.kafka;

import io.mobl.protocol.ParetoPoint;
import io.mobl.protocol.codec.JsonCodec;
import org.apache.pekko.actor.ClassicActorSystemProvider;

import java.util.Map;

/**
 * Pareto points to the compacted {@link TopicNames#pareto()}, JSON keyed by run/preference (so compaction keeps the
 * newest point per preference), for a run without a journal. Results must not vanish: a full buffer makes
 * {@link #offer} throw ({@link Overflow#FAIL}) rather than drop the point. A durable run's points go through its
 * {@link KafkaRunJournal} instead (same JSON, same key).
 */
public final class ParetoSink extends JsonTopicSink<ParetoPoint> {
    public static final int DEFAULT_BUFFER = 1024;

    /** Writes to {@code topics.pareto()}. */
    public ParetoSink(ClassicActorSystemProvider system, String bootstrapServers, TopicNames topics) {
        this(system, bootstrapServers, topics, DEFAULT_BUFFER, Map.of());
    }

    public ParetoSink(ClassicActorSystemProvider system, String bootstrapServers, TopicNames topics, int bufferSize,
                      Map<String, String> producerProperties) {
        super(system, bootstrapServers, topics.pareto(), bufferSize, Overflow.FAIL, ParetoPoint::key, JsonCodec::encode,
                producerProperties);
    }
}
