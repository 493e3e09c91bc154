package org.streamasr.api.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;

/**
 * The hosted API's on-disk state in one H2 MVStore file ({@code <dir>/api.mv.db}): queue requests and their
 * results, pending webhook deliveries, uploads, and small settings. Values are JSON, readable with any MVStore tool.
 * Auto-commit is off: callers {@link #commit()} after each state change they must not lose (a submission is
 * acknowledged only after its commit). Thread-safe (MVStore maps are).
 */
public final class ApiStore implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final MVStore store;
    private final MVMap<String, String> jobs;
    private final MVMap<String, String> deliveries;
    private final MVMap<String, String> uploads;
    private final MVMap<String, String> uploadTokens;
    private final MVMap<String, String> meta;
    private final MVMap<String, String> callTranscripts;
    private final MVMap<String, String> transcriptSegments;

    private ApiStore(MVStore store) {
        this.store = store;
        this.jobs = store.openMap("jobs");
        this.deliveries = store.openMap("webhook-deliveries");
        this.uploads = store.openMap("uploads");
        this.uploadTokens = store.openMap("upload-tokens");
        this.meta = store.openMap("meta");
        this.callTranscripts = store.openMap("call-transcripts");
        this.transcriptSegments = store.openMap("call-transcript-segments");
    }

    /** Opens (creating) the store in {@code dir}; fails clearly when another process holds it. */
    public static ApiStore open(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("api.mv.db");
        try {
            return new ApiStore(new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().compress().open());
        } catch (MVStoreException e) {
            throw new IOException("cannot open the API store " + file + " (is another server using it?): " + e.getMessage(), e);
        }
    }

    public void putJob(JobRecord r) {
        jobs.put(r.id(), write(r));
    }

    public JobRecord job(String id) {
        return read(jobs.get(id), JobRecord.class);
    }

    public void removeJob(String id) {
        jobs.remove(id);
    }

    public List<JobRecord> jobs() {
        List<JobRecord> out = new ArrayList<>();
        for (String v : jobs.values()) out.add(read(v, JobRecord.class));
        return out;
    }

    public void putDelivery(DeliveryRecord d) {
        deliveries.put(d.requestId(), write(d));
    }

    public DeliveryRecord delivery(String requestId) {
        return read(deliveries.get(requestId), DeliveryRecord.class);
    }

    public void removeDelivery(String requestId) {
        deliveries.remove(requestId);
    }

    public int deliveryCount() {
        return deliveries.size();
    }

    public List<DeliveryRecord> deliveries() {
        List<DeliveryRecord> out = new ArrayList<>();
        for (String v : deliveries.values()) out.add(read(v, DeliveryRecord.class));
        return out;
    }

    public void putUpload(UploadRecord u) {
        UploadRecord old = upload(u.id());
        if (old != null && old.token() != null && !old.token().equals(u.token())) uploadTokens.remove(old.token());
        uploads.put(u.id(), write(u));
        if (u.token() != null) uploadTokens.put(u.token(), u.id());
    }

    public UploadRecord upload(String id) {
        return read(uploads.get(id), UploadRecord.class);
    }

    public UploadRecord uploadByToken(String token) {
        String id = uploadTokens.get(token);
        return id == null ? null : upload(id);
    }

    public void removeUpload(String id) {
        UploadRecord old = upload(id);
        if (old != null && old.token() != null) uploadTokens.remove(old.token());
        uploads.remove(id);
    }

    public List<UploadRecord> uploads() {
        List<UploadRecord> out = new ArrayList<>();
        for (String v : uploads.values()) out.add(read(v, UploadRecord.class));
        return out;
    }

    public String meta(String key) {
        return meta.get(key);
    }

    public void putMeta(String key, String value) {
        meta.put(key, value);
    }

    // ---- call transcripts (org.streamasr.transcripts.StoredTranscripts owns the JSON inside) ----

    public void putCallTranscript(String callId, String json) {
        callTranscripts.put(callId, json);
    }

    public String callTranscript(String callId) {
        return callTranscripts.get(callId);
    }

    public List<String> callTranscriptIds() {
        return new ArrayList<>(callTranscripts.keySet());
    }

    /** Segment {@code index} of a call's transcript; segments of one call sort together and in index order. */
    public void putTranscriptSegment(String callId, int index, String json) {
        transcriptSegments.put(segmentKey(callId, index), json);
    }

    public List<String> transcriptSegments(String callId) {
        List<String> out = new ArrayList<>();
        String prefix = callId + '\u0000';
        for (var c = transcriptSegments.cursor(prefix); c.hasNext(); ) {
            if (!c.next().startsWith(prefix)) break;
            out.add(c.getValue());
        }
        return out;
    }

    /** Removes a call's transcript and its segments. */
    public void removeCallTranscript(String callId) {
        callTranscripts.remove(callId);
        String prefix = callId + '\u0000';
        List<String> keys = new ArrayList<>();
        for (var it = transcriptSegments.keyIterator(prefix); it.hasNext(); ) {
            String k = it.next();
            if (!k.startsWith(prefix)) break;
            keys.add(k);
        }
        for (String k : keys) transcriptSegments.remove(k);
    }

    private static String segmentKey(String callId, int index) {
        return callId + '\u0000' + String.format(java.util.Locale.ROOT, "%010d", index);
    }

    /** Writes everything changed so far to disk. */
    public void commit() {
        store.commit();
    }

    /** Reclaims space left by deleted and rewritten entries (called from the periodic sweep). */
    public void compact() {
        store.compact(60, 8 * 1024 * 1024);
    }

    @Override
    public void close() {
        if (!store.isClosed()) store.close();
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
            throw new IllegalStateException("corrupt " + type.getSimpleName() + " in the API store: " + e.getOriginalMessage(), e);
        }
    }
}
