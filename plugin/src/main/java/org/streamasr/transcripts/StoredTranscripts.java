package org.streamasr.transcripts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.streamasr.api.store.ApiStore;

/** Call transcripts in the hosted API's H2 store (maps "call-transcripts" and "call-transcript-segments"), as JSON. */
public final class StoredTranscripts implements TranscriptStore {
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final ApiStore store;

    public StoredTranscripts(ApiStore store) {
        this.store = store;
    }

    @Override
    public void put(CallTranscriptRecord record) {
        store.putCallTranscript(record.callId(), write(record));
    }

    @Override
    public CallTranscriptRecord get(String callId) {
        return read(store.callTranscript(callId), CallTranscriptRecord.class);
    }

    @Override
    public List<String> callIds() {
        return store.callTranscriptIds();
    }

    @Override
    public void putSegment(String callId, int index, TranscriptSegment segment) {
        store.putTranscriptSegment(callId, index, write(segment));
    }

    @Override
    public List<TranscriptSegment> segments(String callId) {
        List<TranscriptSegment> out = new ArrayList<>();
        for (String s : store.transcriptSegments(callId)) out.add(read(s, TranscriptSegment.class));
        return out;
    }

    @Override
    public void remove(String callId) {
        store.removeCallTranscript(callId);
    }

    @Override
    public void flush() {
        store.commit();
    }

    private static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + o.getClass().getSimpleName(), e);
        }
    }

    private static <T> T read(String json, Class<T> type) {
        if (json == null) return null;
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt " + type.getSimpleName() + " in the transcript store: "
                    + e.getOriginalMessage(), e);
        }
    }
}
