package org.streamasr.apis.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.streamasr.apis.LanguageResolver;
import org.streamasr.apis.LiveAudio;
import org.streamasr.apis.ModelNotServedException;
import org.streamasr.apis.ServedModel;
import org.streamasr.apis.ServedModels;
import org.streamasr.engine.UnsupportedSettingException;
import org.streamasr.media.CallRejectedException;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.adapter.CloseCodes;
import org.streamasr.media.adapter.LenientJson;
import org.streamasr.media.adapter.OutboundChannel;
import org.streamasr.media.adapter.ProtocolSession;

/**
 * One OpenAI realtime transcription connection ({@code /v1/realtime?intent=transcription} or {@code ?model=...}),
 * GA and beta event names. With server VAD (the default, and what Jigasi relies on: it never commits) each engine
 * utterance is a turn: {@code speech_started} at its first words, transcription {@code delta}s as the hypothesis
 * grows (only appends are sent), then {@code speech_stopped}, {@code committed} and {@code completed}. Without VAD
 * ({@code turn_detection: null}) the client's {@code commit} ends the turn and its text comes as one item;
 * {@code clear} drops what was buffered. Bad events get an {@code error} event and the session goes on.
 */
final class RealtimeSession implements ProtocolSession {
    static final String COMPONENT = "openai-realtime";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final AtomicLong IDS = new AtomicLong();

    private final LiveAudio.Opener sink;
    private final ServedModels models;
    private final OutboundChannel out;
    private final DropCounter drops;
    private final boolean beta;
    private final String sessionId = "sess_" + id();
    private RealtimeSessionConfig config;
    private ServedModel model;
    private String language;
    private LiveAudio audio;
    private long appendedSinceCommit;
    // turn state, guarded by this
    private String itemId;
    private String previousItemId;
    private String utterance;
    private String sentText = "";
    private final StringBuilder manualText = new StringBuilder();
    private long turnStartMs = -1;
    private boolean discardFlush;
    private int generation;

    /** Routes one LiveAudio's events; only the current one's end closes the connection (an update may restart it). */
    private final class Tap implements LiveAudio.Listener {
        private final int gen;

        Tap(int gen) {
            this.gen = gen;
        }

        @Override
        public void onResult(int channel, TranscriptEvent e, long offsetMs, boolean flushing) {
            RealtimeSession.this.onResult(channel, e, offsetMs, flushing);
        }

        @Override
        public void onFlushed() {
            RealtimeSession.this.onFlushed();
        }

        @Override
        public void onEnded(String reason) {
            boolean current;
            synchronized (RealtimeSession.this) {
                current = gen == generation && audio != null;
            }
            if (current) RealtimeSession.this.onEnded(reason);
        }
    }

    RealtimeSession(LiveAudio.Opener sink, ServedModels models, ServedModel model, RealtimeSessionConfig config, boolean beta,
                    OutboundChannel out, DropCounter drops) {
        this.sink = sink;
        this.models = models;
        this.model = model;
        this.config = config;
        this.beta = beta;
        this.out = out;
        this.drops = drops;
        send(event(beta ? "transcription_session.created" : "session.created").set("session", config.toJson(sessionId, beta)));
    }

    @Override
    public synchronized void onText(String text) {
        ObjectNode msg = LenientJson.parseObject(text);
        if (msg == null) {
            drops.drop("malformed-json", LenientJson.abbreviate(text));
            error("invalid_request_error", "invalid_json", "The event could not be parsed as JSON.", null, null);
            return;
        }
        String type = LenientJson.text(msg, "type");
        String eventId = LenientJson.text(msg, "event_id");
        if (type == null) {
            error("invalid_request_error", "invalid_event", "The event has no 'type'.", "type", eventId);
            return;
        }
        switch (type) {
            case "session.update", "transcription_session.update" -> update(msg.get("session"), type, eventId);
            case "input_audio_buffer.append" -> append(msg.get("audio"), eventId);
            case "input_audio_buffer.commit" -> commit(eventId);
            case "input_audio_buffer.clear" -> clear();
            default -> {
                drops.drop("unknown-event", type);
                error("invalid_request_error", "invalid_event", "Unsupported event type '" + type + "'; this server "
                        + "takes session.update, input_audio_buffer.append, .commit and .clear.", "type", eventId);
            }
        }
    }

    @Override
    public void onBinary(ByteBuffer data) {
        drops.drop("binary-frame", data.remaining() + " bytes");
        error("invalid_request_error", "invalid_event", "Audio goes in input_audio_buffer.append events (base64), "
                + "not in binary frames.", null, null);
    }

    private void update(JsonNode session, String type, String eventId) {
        RealtimeSessionConfig next;
        try {
            next = config.apply(session, beta || type.startsWith("transcription_session"));
        } catch (RealtimeSessionConfig.InvalidUpdateException e) {
            error("invalid_request_error", "invalid_value", e.getMessage(), e.param, eventId);
            return;
        }
        ServedModel nextModel;
        String nextLanguage;
        try {
            nextModel = models.resolve(next.model());
        } catch (ModelNotServedException e) {
            error("invalid_request_error", "invalid_model", e.getMessage(), "session.audio.input.transcription.model", eventId);
            return;
        }
        try {
            nextLanguage = LanguageResolver.resolve(nextModel.engine(), next.language());
        } catch (UnsupportedSettingException e) {
            error("invalid_request_error", "invalid_value", e.getMessage(), "session.audio.input.transcription.language",
                    eventId);
            return;
        }
        boolean restart = audio != null && (next.sampleRate() != config.sampleRate()
                || !nextModel.engine().equals(model.engine()) || !java.util.Objects.equals(nextLanguage, language));
        if (restart) {
            audio.end();
            audio = null;
        } else if (audio != null) {
            audio.encoding(encoding(next.format())); // same rate: at most mu-law to A-law, the streams go on
        }
        config = next;
        model = nextModel;
        language = nextLanguage;
        boolean betaReply = type.startsWith("transcription_session");
        send(event(betaReply ? "transcription_session.updated" : "session.updated")
                .set("session", config.toJson(sessionId, betaReply)));
    }

    private void append(JsonNode audioField, String eventId) {
        if (audioField == null || !audioField.isTextual()) {
            error("invalid_request_error", "missing_required_parameter", "Missing required parameter: 'audio'.",
                    "audio", eventId);
            return;
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(audioField.asText());
        } catch (IllegalArgumentException e) {
            error("invalid_request_error", "invalid_value", "Invalid 'audio': not valid base64.", "audio", eventId);
            return;
        }
        if (bytes.length == 0) return;
        if (audio == null) {
            try {
                audio = sink.open(COMPONENT, model, language, encoding(config.format()), config.sampleRate(), 1, false,
                        Map.of("model", model.name()), new Tap(++generation));
            } catch (CallRejectedException e) {
                error("server_error", "server_busy", e.getMessage(), null, eventId);
                out.closeAfterFlush(CloseCodes.TRY_AGAIN_LATER, "cannot open a stream: " + e.getMessage());
                return;
            }
        }
        // G.711 goes on as packets, decoded by the ingest pipeline on the media pool
        appendedSinceCommit += bytes.length;
        audio.accept(ByteBuffer.wrap(bytes));
    }

    private static LiveAudio.Encoding encoding(String format) {
        return switch (format) {
            case "g711_ulaw" -> LiveAudio.Encoding.MULAW;
            case "g711_alaw" -> LiveAudio.Encoding.ALAW;
            default -> LiveAudio.Encoding.LINEAR16;
        };
    }

    private void commit(String eventId) {
        if (appendedSinceCommit == 0 || audio == null) {
            error("invalid_request_error", "input_audio_buffer_commit_empty", "Error committing input audio buffer: "
                    + "buffer too small. Expected at least 100ms of audio, but buffer only has 0.00ms of audio.", null, eventId);
            return;
        }
        appendedSinceCommit = 0;
        discardFlush = false;
        audio.flush();
    }

    private void clear() {
        appendedSinceCommit = 0;
        manualText.setLength(0);
        if (audio != null && audio.flush()) discardFlush = true;
        send(event("input_audio_buffer.cleared"));
    }

    synchronized void onResult(int channel, TranscriptEvent e, long offsetMs, boolean flushing) {
        if (discardFlush) return;
        String text = e.text().strip();
        if (!config.serverVad()) {
            if (e.isFinal() && !text.isEmpty()) {
                if (manualText.length() > 0) manualText.append(' ');
                manualText.append(text);
            }
            return;
        }
        if (text.isEmpty()) return;
        if (!e.utteranceId().equals(utterance)) startTurn(e.utteranceId(), offsetMs + e.startMs());
        if (text.startsWith(sentText) && text.length() > sentText.length()) {
            delta(text.substring(sentText.length()));
            sentText = text;
        }
        if (e.isFinal()) {
            ObjectNode stopped = event("input_audio_buffer.speech_stopped");
            stopped.put("audio_end_ms", offsetMs + e.endMs());
            stopped.put("item_id", itemId);
            send(stopped);
            completeTurn(text, (e.endMs() - e.startMs()) / 1000.0);
            utterance = null;
        }
    }

    private void startTurn(String utteranceId, long startMs) {
        utterance = utteranceId;
        itemId = "item_" + id();
        sentText = "";
        turnStartMs = startMs;
        ObjectNode started = event("input_audio_buffer.speech_started");
        started.put("audio_start_ms", startMs);
        started.put("item_id", itemId);
        send(started);
    }

    private void completeTurn(String transcript, double seconds) {
        ObjectNode committed = event("input_audio_buffer.committed");
        committed.put("item_id", itemId);
        if (previousItemId == null) committed.putNull("previous_item_id"); else committed.put("previous_item_id", previousItemId);
        send(committed);
        ObjectNode completed = event("conversation.item.input_audio_transcription.completed");
        completed.put("item_id", itemId);
        completed.put("content_index", 0);
        completed.put("transcript", transcript);
        ObjectNode usage = completed.putObject("usage");
        usage.put("type", "duration");
        usage.put("seconds", Math.max(0, seconds));
        send(completed);
        previousItemId = itemId;
    }

    synchronized void onFlushed() {
        if (discardFlush) {
            discardFlush = false;
            manualText.setLength(0);
            return;
        }
        if (config.serverVad()) return;
        itemId = "item_" + id();
        String text = manualText.toString();
        manualText.setLength(0);
        if (!text.isEmpty()) delta(text);
        completeTurn(text, 0);
    }

    private void delta(String text) {
        ObjectNode d = event("conversation.item.input_audio_transcription.delta");
        d.put("item_id", itemId);
        d.put("content_index", 0);
        d.put("delta", text);
        send(d);
    }

    void onEnded(String reason) {
        out.closeAfterFlush(CloseCodes.NORMAL, "session ended: " + reason);
    }

    @Override
    public synchronized void onClosed(int code, String reason) {
        if (audio != null) audio.end();
        audio = null;
    }

    private void error(String type, String code, String message, String param, String eventId) {
        ObjectNode e = event("error");
        ObjectNode err = new OpenAiError(400, message, type, param, code).errorObject();
        if (eventId == null) err.putNull("event_id"); else err.put("event_id", eventId);
        e.set("error", err);
        send(e);
    }

    private ObjectNode event(String type) {
        ObjectNode o = NODES.objectNode();
        o.put("type", type);
        o.put("event_id", "event_" + id());
        return o;
    }

    private void send(ObjectNode event) {
        out.sendText(event.toString(), OutboundChannel.Priority.FINAL, null);
    }

    private static String id() {
        return Long.toString(System.nanoTime(), 36) + IDS.incrementAndGet();
    }
}
