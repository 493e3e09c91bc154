package org.streamasr.apis.deepgram;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.streamasr.apis.FileTranscript;

/**
 * The body of Deepgram's pre-recorded {@code POST /v1/listen}: {@code metadata} (request id, sha256, created,
 * duration, channels, models, model_info) and {@code results.channels[0].alternatives[0]} (transcript, confidence,
 * words), plus {@code results.utterances} when the query asks {@code utterances=true}.
 */
public final class DeepgramPrerecorded {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private DeepgramPrerecorded() {
    }

    /**
     * @param punctuated {@code punctuate} or {@code smart_format}: words carry {@code punctuated_word}
     * @param utterances {@code utterances=true}: add {@code results.utterances}
     */
    public static ObjectNode response(FileTranscript t, String requestId, String model, String engine,
                                      boolean punctuated, boolean utterances, Instant created) {
        DeepgramModel m = new DeepgramModel(model, engine);
        ObjectNode o = NODES.objectNode();
        ObjectNode meta = o.putObject("metadata");
        meta.put("transaction_key", "deprecated");
        meta.put("request_id", requestId);
        meta.put("sha256", t.sha256() == null ? "" : t.sha256());
        meta.put("created", created.toString());
        meta.put("duration", t.durationSeconds());
        meta.put("channels", 1);
        meta.putArray("models").add(m.uuid());
        m.putInfo(meta.putObject("model_info").putObject(m.uuid()));
        ObjectNode results = o.putObject("results");
        ObjectNode channel = results.putArray("channels").addObject();
        ObjectNode alt = channel.putArray("alternatives").addObject();
        alt.put("transcript", t.text());
        alt.put("confidence", t.segments().isEmpty() ? 0.0 : 1.0);
        DeepgramWords.put(alt.putArray("words"), t.words(), 0, punctuated);
        if (t.language() != null && !t.language().equals("auto")) channel.put("detected_language", t.language());
        if (utterances) {
            ArrayNode us = results.putArray("utterances");
            for (FileTranscript.Segment s : t.segments()) {
                ObjectNode u = us.addObject();
                u.put("start", s.startMs() / 1000.0);
                u.put("end", s.endMs() / 1000.0);
                u.put("confidence", 1.0);
                u.put("channel", 0);
                u.put("transcript", s.text());
                DeepgramWords.put(u.putArray("words"), s.words(), 0, punctuated);
                u.put("id", java.util.UUID.nameUUIDFromBytes((requestId + "/" + s.startMs()).getBytes(
                        java.nio.charset.StandardCharsets.UTF_8)).toString());
            }
        }
        return o;
    }
}
