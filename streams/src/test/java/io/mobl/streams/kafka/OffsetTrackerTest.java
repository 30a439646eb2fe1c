package io.mobl.streams.kafka;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.TreeMap;

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

    @Test
    void holdsMoreOffsetsThanItsFirstRingAndReleasesThemInOrder() {
        OffsetTracker<Long> t = new OffsetTracker<>();
        for (long o = 0; o < 1000; o += 2) t.register(p0, o, o); // gaps, as compaction or transaction markers leave
        for (long o = 998; o > 0; o -= 2) assertThat(t.done(p0, o)).isNull();
        assertThat(t.pending()).isEqualTo(500);
        assertThat(t.done(p0, 0)).isEqualTo(998L);
        assertThat(t.pending()).isZero();
    }

    /**
     * The ring against the plain definition (a sorted map of offset → done; release the done prefix), over random
     * interleavings of new offsets with gaps, rewinds, and done marks for known, repeated and unknown offsets.
     */
    @Property(tries = 300)
    void behavesLikeTheSortedMapDefinition(@ForAll @Size(max = 400) List<@IntRange(min = 0, max = 99) Integer> ops) {
        OffsetTracker<Long> ring = new OffsetTracker<>();
        TreeMap<Long, Boolean> model = new TreeMap<>();
        long next = 0;
        for (int op : ops) {
            if (op < 45) { // a new offset, sometimes after a gap
                long o = next + (op % 5 == 0 ? 2 : 0);
                next = o + 1;
                ring.register(p0, o, o);
                model.put(o, false);
            } else if (op < 50) { // the consumer goes back
                long o = Math.max(0, next - 1 - op % 4);
                ring.register(p0, o, o);
                model.tailMap(o, true).clear();
                model.put(o, false);
                next = o + 1;
            } else { // done, for an offset that may be pending, released already or never seen
                long o = Math.max(0, next - 1 - (op - 50) % 12);
                Long expected = null;
                if (model.containsKey(o)) {
                    model.put(o, true);
                    while (!model.isEmpty() && model.firstEntry().getValue()) expected = model.pollFirstEntry().getKey();
                }
                assertThat(ring.done(p0, o)).isEqualTo(expected);
            }
            assertThat(ring.pending()).isEqualTo(model.size());
        }
    }
}
