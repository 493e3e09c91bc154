package org.streamasr.media;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.streamasr.runtime.DropCounter;

/**
 * The counters of every media adapter of one server, so /metrics can list them, and their open connections' outbound
 * queues ({@link #outbound()}), so shutdown can let them flush. One instance per server, passed to the adapters that
 * it wires; tests make their own.
 */
public final class MediaMetrics {
    private final Map<String, DropCounter> dropCounters = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final OutboundDrain outbound = new OutboundDrain();

    /** The outbound queues of the adapters' open WebSocket connections. */
    public OutboundDrain outbound() {
        return outbound;
    }

    /** The drop counter of a component, created on first use ("rtp", "mediajson", "opus", ...). */
    public DropCounter dropCounter(String component) {
        return dropCounters.computeIfAbsent(component, DropCounter::new);
    }

    /** A monotonic counter such as "rtp.packets.received" or "opus.frames.concealed". */
    public LongAdder counter(String name) {
        return counters.computeIfAbsent(name, k -> new LongAdder());
    }

    /** component → reason → count. */
    public Map<String, Map<String, Long>> drops() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        dropCounters.forEach((k, v) -> out.put(k, v.snapshot()));
        return out;
    }

    public Map<String, Long> counters() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
