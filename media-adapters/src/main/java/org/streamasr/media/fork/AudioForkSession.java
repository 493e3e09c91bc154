package org.streamasr.media.fork;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallRejectedException;
import org.streamasr.media.CallSink;
import org.streamasr.media.CallSpec;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.TranscriptListener;
import org.streamasr.media.adapter.CloseCodes;
import org.streamasr.media.adapter.ConnectionInfo;
import org.streamasr.media.adapter.LenientJson;
import org.streamasr.media.adapter.OutboundChannel;
import org.streamasr.media.adapter.ProtocolSession;
import org.streamasr.media.ingest.InterleavedPcm;
import org.streamasr.media.ingest.ParticipantIngest;

/**
 * One FreeSWITCH mod_audio_fork or jambonz {@code listen} connection: an optional first text frame of metadata
 * (jambonz: the call's attributes with {@code sampleRate} and {@code mixType}; mod_audio_fork: whatever the API call
 * passed), then binary L16 little-endian at the fork's rate, interleaved when stereo. The call opens with the first
 * frame of either kind, so the rate, mix and call id come from the metadata, else the URL, else the configuration.
 */
final class AudioForkSession implements ProtocolSession, TranscriptListener {
    static final String COMPONENT = "audio-fork";

    enum Mix {
        MONO(List.of("caller")), MIXED(List.of("mixed")), STEREO(List.of("caller", "callee"));

        final List<String> participants;

        Mix(List<String> participants) {
            this.participants = participants;
        }

        static Mix parse(String s) {
            if (s == null) return null;
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "mono" -> MONO;
                case "mixed" -> MIXED;
                case "stereo" -> STEREO;
                default -> null;
            };
        }
    }

    private final AudioForkConfig config;
    private final ConnectionInfo connection;
    private final OutboundChannel out;
    private final CallSink sink;
    private final MediaMetrics metrics;
    private final DropCounter drops;
    private volatile CallHandle call;
    private final Executor mediaPool;
    private InterleavedPcm input;
    private boolean closed;

    private AudioForkSession(CallSink sink, AudioForkConfig config, ConnectionInfo connection, OutboundChannel out,
                             MediaMetrics metrics, Executor mediaPool) {
        this.sink = sink;
        this.mediaPool = mediaPool;
        this.config = config;
        this.connection = connection;
        this.out = out;
        this.metrics = metrics;
        this.drops = metrics.dropCounter(COMPONENT);
    }

    static AudioForkSession open(CallSink sink, AudioForkConfig config, ConnectionInfo connection, OutboundChannel out,
                                 MediaMetrics metrics, Executor mediaPool) {
        return new AudioForkSession(sink, config, connection, out, metrics, mediaPool);
    }

    /** "8000", "16000", "16k", "8k": a multiple of 8000 up to 64000 (what mod_audio_fork and jambonz allow), or null. */
    static Integer rate(String text) {
        if (text == null) return null;
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            int r = t.endsWith("k") ? Integer.parseInt(t.substring(0, t.length() - 1)) * 1000 : (int) Double.parseDouble(t);
            return r >= 8000 && r <= 64_000 && r % 8000 == 0 ? r : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public void onText(String text) {
        if (closed) return;
        ObjectNode msg = LenientJson.parseObject(text);
        if (call == null) {
            start(msg, text);
            return;
        }
        if (msg == null) {
            drops.drop("malformed-json", LenientJson.abbreviate(text));
            return;
        }
        String event = LenientJson.text(msg, "event");
        if (event == null) event = LenientJson.text(msg, "type");
        if ("dtmf".equals(event)) {
            metrics.counter(COMPONENT + ".dtmf").increment();
        } else {
            metrics.counter(COMPONENT + ".events.ignored").increment();
        }
    }

    @Override
    public void onBinary(ByteBuffer data) {
        if (closed) return;
        if (call == null) start(null, null);
        if (input != null) input.accept(data);
    }

    /** Opens the call from the metadata (which may be absent, or not JSON: mod_audio_fork passes any text). */
    private void start(ObjectNode metadata, String rawMetadata) {
        Integer r = firstRate(LenientJson.text(metadata, "sampleRate"), connection.firstQueryParameter("rate", "sampleRate"));
        Mix mix = firstMix(LenientJson.text(metadata, "mixType"), connection.firstQueryParameter("mix", "mixType"));
        int sampleRate = r != null ? r : config.defaultSampleRate();
        String callId = firstNonBlank(LenientJson.text(metadata, "callSid"), LenientJson.text(metadata, "callId"),
                LenientJson.text(metadata, "uuid"), connection.pathParameter("callId"), connection.firstQueryParameter("callId"));
        String language = firstNonBlank(LenientJson.text(metadata, "language"), connection.firstQueryParameter("lang", "language"));
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("subprotocol", connection.subprotocol());
        if (metadata != null) {
            metadata.fields().forEachRemaining(f -> {
                if (f.getValue().isValueNode()) attributes.put(f.getKey(), f.getValue().asText());
            });
        } else if (rawMetadata != null) {
            attributes.put("metadata", LenientJson.abbreviate(rawMetadata));
        }
        try {
            call = sink.openCall(new CallSpec(callId, connection.subprotocol().equals("audio.jambonz.org") ? "jambonz" : "audio-fork",
                    language, attributes), this);
        } catch (CallRejectedException e) {
            closed = true;
            drops.drop("call-rejected", e.getMessage());
            out.closeNow(CloseCodes.TRY_AGAIN_LATER, e.getMessage());
            return;
        }
        metrics.counter(COMPONENT + ".calls.opened").increment();
        List<ParticipantIngest> feeds = new ArrayList<>();
        Mix m = mix != null ? mix : Mix.parse(config.defaultMix());
        try {
            for (String p : m.participants) {
                String name = p.equals("callee") ? LenientJson.text(metadata, "to") : p.equals("caller") ? LenientJson.text(metadata, "from") : null;
                feeds.add(ParticipantIngest.builder(call.openParticipant(new ParticipantSpec(p, name, null)), mediaPool,
                        metrics, COMPONENT).build());
            }
        } catch (RuntimeException e) {
            closed = true;
            drops.drop("participant-refused", e.getMessage());
            CallHandle c = call;
            ParticipantIngest.closeAll(feeds).whenComplete((v, err) -> c.close());
            out.closeNow(CloseCodes.TRY_AGAIN_LATER, "participant refused: " + e.getMessage());
            return;
        }
        input = new InterleavedPcm(feeds, sampleRate, false);
    }

    private Integer firstRate(String fromMetadata, String fromUrl) {
        for (String s : new String[] {fromMetadata, fromUrl}) {
            if (s == null) continue;
            Integer r = rate(s);
            if (r != null) return r;
            drops.drop("bad-sample-rate", s);
        }
        return null;
    }

    private Mix firstMix(String fromMetadata, String fromUrl) {
        for (String s : new String[] {fromMetadata, fromUrl}) {
            if (s == null) continue;
            Mix m = Mix.parse(s);
            if (m != null) return m;
            drops.drop("bad-mix-type", s);
        }
        return null;
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) return v;
        }
        return null;
    }

    @Override
    public void onClosed(int code, String reason) {
        if (closed) return;
        closed = true;
        CallHandle c = call;
        if (input != null) input.close().whenComplete((v, e) -> {
            if (c != null) c.close();
        });
        else if (c != null) c.close();
    }

    @Override
    public void onTranscript(TranscriptEvent event) {
        if (!config.sendTranscripts() || event.text().isBlank()) return;
        ObjectNode o = LenientJson.newObject();
        o.put("type", "transcription");
        ObjectNode data = o.putObject("data");
        data.put("callId", event.callId());
        data.put("channel", event.participantId());
        if (event.participantName() != null) data.put("name", event.participantName());
        data.put("utteranceId", event.utteranceId());
        data.put("isFinal", event.isFinal());
        data.put("text", event.text());
        if (event.language() != null) data.put("language", event.language());
        data.put("startMs", event.startMs());
        data.put("endMs", event.endMs());
        if (!event.words().isEmpty()) {
            ArrayNode words = data.putArray("words");
            for (TranscriptEvent.WordTiming w : event.words()) {
                words.addObject().put("word", w.word()).put("startMs", w.startMs()).put("endMs", w.endMs());
            }
        }
        out.sendText(LenientJson.write(o), event.isFinal() ? OutboundChannel.Priority.FINAL : OutboundChannel.Priority.PARTIAL,
                event.participantId() + "/" + event.utteranceId());
    }

    @Override
    public void onCallEnded(String callId, String reason) {
        out.closeAfterFlush(CloseCodes.NORMAL, "call ended: " + reason);
    }
}
