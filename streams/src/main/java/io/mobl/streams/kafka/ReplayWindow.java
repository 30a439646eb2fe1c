package io.mobl.streams.kafka;

import java.util.LinkedHashMap;
import java.util.Map;

/** The last {@code capacity} batch ids seen, to recognise replays; the oldest is forgotten first. Thread-safe. */
final class ReplayWindow {
    private final int capacity;
    private final LinkedHashMap<String, Boolean> ids;

    ReplayWindow(int capacity) {
        this.capacity = capacity;
        this.ids = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > ReplayWindow.this.capacity;
            }
        };
    }

    /** True the first time an id is offered (within the window), false for a replay. */
    synchronized boolean firstTime(String id) {
        if (capacity == 0) return true;
        return ids.putIfAbsent(id, Boolean.TRUE) == null;
    }

    synchronized void add(String id) {
        if (capacity > 0) ids.put(id, Boolean.TRUE);
    }

    synchronized int size() { return ids.size(); }
}
