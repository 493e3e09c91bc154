package org.streamasr.apis.deepgram;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.streamasr.media.TranscriptEvent;

/**
 * The server messages of Deepgram's live {@code /v1/listen}: {@code Results} (with every field the SDKs and
 * LiveKit index: request id, model info, words with confidence), {@code SpeechStarted}, {@code UtteranceEnd},
 * {@code Metadata}. Keys are written in Deepgram's order, which jambonz matches byte for byte on empty interims.
 */
final class DeepgramLiveMessages {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final String requestId;
    private final DeepgramModel model;
    private final int channels;
    private final boolean punctuated;

    DeepgramLiveMessages(String requestId, DeepgramModel model, int channels, boolean punctuated) {
        this.requestId = requestId;
        this.model = model;
        this.channels = channels;
        this.punctuated = punctuated;
    }

    String results(int channel, TranscriptEvent e, long offsetMs, boolean isFinal, boolean speechFinal,
                   boolean fromFinalize) {
        ObjectNode o = NODES.objectNode();
        o.put("type", "Results");
        channelIndex(o.putArray("channel_index"), channel);
        o.put("duration", Math.max(0, e.endMs() - e.startMs()) / 1000.0);
        o.put("start", (offsetMs + e.startMs()) / 1000.0);
        o.put("is_final", isFinal);
        o.put("speech_final", speechFinal);
        ObjectNode alt = o.putObject("channel").putArray("alternatives").addObject();
        String text = e.text().strip();
        alt.put("transcript", text);
        alt.put("confidence", text.isEmpty() ? 0.0 : 1.0);
        DeepgramWords.put(alt.putArray("words"), e.words(), offsetMs, punctuated);
        ObjectNode meta = o.putObject("metadata");
        meta.put("request_id", requestId);
        model.putInfo(meta.putObject("model_info"));
        meta.put("model_uuid", model.uuid());
        o.put("from_finalize", fromFinalize);
        return o.toString();
    }

    String speechStarted(int channel, long timestampMs) {
        ObjectNode o = NODES.objectNode();
        o.put("type", "SpeechStarted");
        channelIndex(o.putArray("channel"), channel);
        o.put("timestamp", timestampMs / 1000.0);
        return o.toString();
    }

    String utteranceEnd(int channel, long lastWordEndMs) {
        ObjectNode o = NODES.objectNode();
        o.put("type", "UtteranceEnd");
        channelIndex(o.putArray("channel"), channel);
        o.put("last_word_end", lastWordEndMs / 1000.0);
        return o.toString();
    }

    String metadata(String sha256, long durationMs, Instant created) {
        ObjectNode o = NODES.objectNode();
        o.put("type", "Metadata");
        o.put("transaction_key", "deprecated");
        o.put("request_id", requestId);
        o.put("sha256", sha256);
        o.put("created", created.toString());
        o.put("duration", durationMs / 1000.0);
        o.put("channels", channels);
        o.putArray("models").add(model.uuid());
        model.putInfo(o.putObject("model_info").putObject(model.uuid()));
        return o.toString();
    }

    private void channelIndex(ArrayNode a, int channel) {
        a.add(channel);
        a.add(channels);
    }
}
