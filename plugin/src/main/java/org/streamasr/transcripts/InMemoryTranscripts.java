package org.streamasr.transcripts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Call transcripts in memory only: used while the hosted API (and so its store) is disabled. They are lost at a
 * restart; the server says so at start-up.
 */
public final class InMemoryTranscripts implements TranscriptStore {
    private final Map<String, CallTranscriptRecord> records = new ConcurrentHashMap<>();
    private final Map<String, ConcurrentSkipListMap<Integer, TranscriptSegment>> segments = new ConcurrentHashMap<>();

    @Override
    public void put(CallTranscriptRecord record) {
        records.put(record.callId(), record);
    }

    @Override
    public CallTranscriptRecord get(String callId) {
        return records.get(callId);
    }

    @Override
    public List<String> callIds() {
        return new ArrayList<>(records.keySet());
    }

    @Override
    public void putSegment(String callId, int index, TranscriptSegment segment) {
        segments.computeIfAbsent(callId, k -> new ConcurrentSkipListMap<>()).put(index, segment);
    }

    @Override
    public List<TranscriptSegment> segments(String callId) {
        var m = segments.get(callId);
        return m == null ? List.of() : new ArrayList<>(m.values());
    }

    @Override
    public void remove(String callId) {
        records.remove(callId);
        segments.remove(callId);
    }

    @Override
    public void flush() {
    }
}
