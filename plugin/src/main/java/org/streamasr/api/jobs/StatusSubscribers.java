package org.streamasr.api.jobs;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Who wants to hear when a request's status may have changed (the status event streams). */
final class StatusSubscribers {
    private final Map<String, List<Runnable>> byRequest = new ConcurrentHashMap<>();

    /** Adds {@code onChange} for {@code id}; returns the action that removes it. */
    Runnable add(String id, Runnable onChange) {
        byRequest.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(onChange);
        return () -> byRequest.computeIfPresent(id, (k, list) -> {
            list.remove(onChange);
            return list.isEmpty() ? null : list;
        });
    }

    void notify(String id) {
        List<Runnable> list = byRequest.get(id);
        if (list != null) for (Runnable r : list) r.run();
    }

    /** Queue positions moved: every subscriber may see a change. */
    void notifyEveryone() {
        for (List<Runnable> list : byRequest.values()) for (Runnable r : list) r.run();
    }
}
