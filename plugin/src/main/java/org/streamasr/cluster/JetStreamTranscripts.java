package org.streamasr.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeMap;
import org.streamasr.transcripts.CallTranscriptRecord;
import org.streamasr.transcripts.TranscriptSegment;
import org.streamasr.transcripts.TranscriptStore;

/**
 * Call transcripts in the cluster's key-value bucket {@code asr-transcripts}, so that any node serves the transcript
 * of a call another node held, during the call and after it, and a node's restart loses nothing. Keys are
 * {@code rec.<id>} (the record) and {@code seg.<id>.<index>} (one final each), the call id base64url-encoded
 * because call ids may hold characters that keys may not. Writes go to JetStream at once; {@link #flush} has nothing
 * left to do. The bucket's entries expire after the retention (plus a day), besides the retention sweep's deletes.
 */
public final class JetStreamTranscripts implements TranscriptStore {
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final String RECORD = "rec.";
    private static final String SEGMENT = "seg.";

    private final NatsCluster cluster;
    private final KeyValue kv;

    public JetStreamTranscripts(NatsCluster cluster, Duration retention) throws IOException {
        this.cluster = cluster;
        this.kv = cluster.bucket("asr-transcripts", retention.plusDays(1));
    }

    @Override
    public void put(CallTranscriptRecord record) {
        write(RECORD + NatsCluster.token(record.callId()), record);
    }

    @Override
    public CallTranscriptRecord get(String callId) {
        return read(RECORD + NatsCluster.token(callId), CallTranscriptRecord.class);
    }

    @Override
    public List<String> callIds() {
        List<String> ids = new ArrayList<>();
        for (String k : keys()) {
            if (k.startsWith(RECORD)) ids.add(callId(k.substring(RECORD.length())));
        }
        return ids;
    }

    @Override
    public void putSegment(String callId, int index, TranscriptSegment segment) {
        write(SEGMENT + NatsCluster.token(callId) + "." + index, segment);
    }

    @Override
    public List<TranscriptSegment> segments(String callId) {
        String prefix = SEGMENT + NatsCluster.token(callId) + ".";
        TreeMap<Integer, TranscriptSegment> byIndex = new TreeMap<>();
        for (String k : keys()) {
            if (!k.startsWith(prefix)) continue;
            TranscriptSegment s = read(k, TranscriptSegment.class);
            if (s != null) byIndex.put(Integer.parseInt(k.substring(prefix.length())), s);
        }
        return new ArrayList<>(byIndex.values());
    }

    @Override
    public void remove(String callId) {
        String prefix = SEGMENT + NatsCluster.token(callId) + ".";
        try {
            for (String k : keys()) if (k.startsWith(prefix)) kv.purge(k);
            kv.purge(RECORD + NatsCluster.token(callId));
        } catch (IOException | JetStreamApiException e) {
            throw cluster.unavailable(e);
        }
    }

    @Override
    public void flush() {
        // every write went to JetStream when it was made
    }

    private List<String> keys() {
        try {
            return kv.keys();
        } catch (IOException | JetStreamApiException | InterruptedException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw cluster.unavailable(e);
        }
    }

    private void write(String key, Object value) {
        try {
            kv.put(key, JSON.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        } catch (IOException | JetStreamApiException e) {
            throw cluster.unavailable(e);
        }
    }

    private <T> T read(String key, Class<T> type) {
        try {
            KeyValueEntry e = kv.get(key);
            return e == null || e.getValue() == null ? null : JSON.readValue(e.getValue(), type);
        } catch (IOException | JetStreamApiException e) {
            throw cluster.unavailable(e);
        }
    }


    static String callId(String key) {
        return new String(Base64.getUrlDecoder().decode(key), StandardCharsets.UTF_8);
    }
}
