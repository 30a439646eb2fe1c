package io.mobl.streams.kafka;

import io.mobl.protocol.IterateTelemetry;
import io.mobl.protocol.codec.JsonCodec;
import org.apache.pekko.actor.ClassicActorSystemProvider;

import java.util.Map;

/**
 * Per-iteration telemetry to {@link TopicNames#telemetry()}, JSON keyed by run/preference, for a run without a
 * journal: records go out as they come, lossy under overload by design ({@link Overflow#DROP_NEWEST}: the optimizer
 * never waits on Kafka; {@link #dropped()} says how many records were refused). A durable run's telemetry goes
 * through its {@link KafkaRunJournal} instead, in the transaction of each checkpoint (same JSON, same key), so that
 * no iteration is published twice across a resume.
 */
public final class TelemetrySink extends JsonTopicSink<IterateTelemetry> {
    public static final int DEFAULT_BUFFER = 1024;

    /** Writes to {@code topics.telemetry()}. */
    public TelemetrySink(ClassicActorSystemProvider system, String bootstrapServers, TopicNames topics) {
        this(system, bootstrapServers, topics, DEFAULT_BUFFER, Map.of());
    }

    public TelemetrySink(ClassicActorSystemProvider system, String bootstrapServers, TopicNames topics, int bufferSize,
                         Map<String, String> producerProperties) {
        super(system, bootstrapServers, topics.telemetry(), bufferSize, Overflow.DROP_NEWEST, IterateTelemetry::key, JsonCodec::encode,
                producerProperties);
    }
}
