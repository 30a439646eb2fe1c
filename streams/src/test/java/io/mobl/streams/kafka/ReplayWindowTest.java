package io.mobl.streams.kafka;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ReplayWindow against the plain model it replaces: the last {@code capacity} distinct ids, oldest forgotten first. */
class ReplayWindowTest {
    /** The model: an insertion-ordered map that drops its eldest entry beyond the capacity. */
    private static final class Model {
        private final LinkedHashMap<String, Boolean> ids;

        Model(int capacity) {
            ids = new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > capacity;
                }
            };
        }

        boolean firstTime(String id) {
            return ids.putIfAbsent(id, Boolean.TRUE) == null;
        }
    }

    @Test
    void agreesWithTheModelOnRandomStreamsWithReplaysAndHashCollisions() {
        // "Aa" and "BB" have the same String.hashCode, so ids built from them collide in whole families: long probe
        // runs whose entries the eviction must shift back correctly.
        List<String> pool = new ArrayList<>();
        String[] pair = {"Aa", "BB"};
        for (int k = 0; k < 64; k++) {
            StringBuilder b = new StringBuilder();
            for (int bit = 0; bit < 6; bit++) b.append(pair[(k >> bit) & 1]);
            pool.add(b.toString());
        }
        for (int k = 0; k < 300; k++) pool.add("run-7/batch-" + k);
        Random random = new Random(42);
        for (int capacity : new int[] {1, 2, 3, 5, 16, 100}) {
            ReplayWindow window = new ReplayWindow(capacity);
            Model model = new Model(capacity);
            for (int step = 0; step < 20_000; step++) {
                String id = pool.get(random.nextInt(pool.size()));
                assertThat(window.firstTime(id)).as("capacity %d, step %d, id %s", capacity, step, id).isEqualTo(model.firstTime(id));
                if (step % 97 == 0) assertThat(window.consistent()).as("index matches ring at capacity %d", capacity).isTrue();
            }
            assertThat(window.size()).isEqualTo(Math.min(capacity, model.ids.size()));
        }
    }

    @Test
    void forgetsTheOldestFirstAndAddCountsAsSeen() {
        ReplayWindow window = new ReplayWindow(3);
        for (String id : List.of("a", "b", "c")) assertThat(window.firstTime(id)).isTrue();
        assertThat(window.firstTime("a")).as("a replay within the window").isFalse();
        assertThat(window.firstTime("d")).isTrue(); // evicts a (a replay does not refresh its place)
        assertThat(window.firstTime("b")).isFalse();
        assertThat(window.firstTime("a")).as("forgotten, so new again").isTrue(); // evicts b
        window.add("x"); // evicts c
        assertThat(window.firstTime("x")).isFalse();
        assertThat(window.firstTime("c")).isTrue();
        assertThat(window.size()).isEqualTo(3);
        assertThat(window.consistent()).isTrue();
    }

    @Test
    void aWindowOfZeroRemembersNothing() {
        ReplayWindow window = new ReplayWindow(0);
        assertThat(window.firstTime("a")).isTrue();
        assertThat(window.firstTime("a")).isTrue();
        assertThatThrownBy(() -> new ReplayWindow(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }
}
