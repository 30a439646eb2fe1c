package io.mobl.streams.kafka;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OffsetTrackerTest {
    final TopicPartition p0 = new TopicPartition("t", 0);
    final TopicPartition p1 = new TopicPartition("t", 1);

    @Test
    void releasesOnlyTheContiguousDonePrefix() {
        OffsetTracker<String> t = new OffsetTracker<>();
        for (long o = 10; o < 15; o++) t.register(p0, o, "p0@" + o);
        t.register(p1, 3, "p1@3");
        assertThat(t.done(p0, 12)).isNull();
        assertThat(t.done(p0, 11)).isNull();
        assertThat(t.done(p1, 3)).isEqualTo("p1@3");
        assertThat(t.done(p0, 10)).isEqualTo("p0@12");
        assertThat(t.pending()).isEqualTo(2);
        assertThat(t.done(p0, 14)).isNull();
        assertThat(t.done(p0, 13)).isEqualTo("p0@14");
        assertThat(t.pending()).isZero();
    }

    @Test
    void unknownAndRepeatedOffsetsAreIgnored() {
        OffsetTracker<String> t = new OffsetTracker<>();
        t.register(p0, 0, "a");
        assertThat(t.done(p0, 5)).isNull();
        assertThat(t.done(p1, 0)).isNull();
        assertThat(t.done(p0, 0)).isEqualTo("a");
        assertThat(t.done(p0, 0)).isNull();
    }

    @Test
    void aRewindDropsWhatComesAgain() {
        OffsetTracker<String> t = new OffsetTracker<>();
        for (long o = 0; o < 4; o++) t.register(p0, o, "first@" + o);
        t.register(p0, 2, "again@2"); // the consumer went back to 2
        t.register(p0, 3, "again@3");
        assertThat(t.done(p0, 0)).isEqualTo("first@0");
        assertThat(t.done(p0, 1)).isEqualTo("first@1");
        assertThat(t.done(p0, 2)).isEqualTo("again@2");
        assertThat(t.pending()).isEqualTo(1);
    }
}
