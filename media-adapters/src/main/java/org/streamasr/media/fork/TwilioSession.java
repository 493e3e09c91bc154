package org.streamasr.media.fork;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.codec.AudioDecoder;
import org.streamasr.media.codec.AudioDecoders;
import org.streamasr.media.codec.CodecSpec;
import org.streamasr.media.adapter.CloseCodes;
import org.streamasr.media.adapter.ConnectionInfo;
import org.streamasr.media.adapter.LenientJson;
import org.streamasr.media.adapter.OutboundChannel;
import org.streamasr.media.adapter.ProtocolSession;
import org.streamasr.media.ingest.ParticipantIngest;

/**
 * One Twilio Media Streams connection (JSON text only): {@code connected}, {@code start} (call SID, tracks, custom
 * parameters, media format), {@code media} per track (base64 mu-law 8 kHz, {@code chunk} and millisecond
 * {@code timestamp}), {@code dtmf}, {@code mark}, {@code stop}. Each track ({@code inbound}, {@code outbound}) is a
 * participant. Unknown events are ignored. Twilio reads nothing back but media, so transcripts go only to the server's
 * captions.
 */
final class TwilioSession implements ProtocolSession, TranscriptListener {
    static final String COMPONENT = "twilio";

    private final TwilioConfig config;
    private final ConnectionInfo connection;
    private final OutboundChannel out;
    private final CallSink sink;
    private final MediaMetrics metrics;
    private final DropCounter drops;
    private final Executor mediaPool;
    private final Map<String, ParticipantIngest> tracks = new HashMap<>();
    private CallHandle call;
    private CodecSpec codec;
    private boolean stopped;

    private TwilioSession(CallSink sink, TwilioConfig config, ConnectionInfo connection, OutboundChannel out, MediaMetrics metrics,
                          Executor mediaPool) {
        this.mediaPool = mediaPool;
        this.sink = sink;
        this.config = config;
        this.connection = connection;
        this.out = out;
        this.metrics = metrics;
        this.drops = metrics.dropCounter(COMPONENT);
    }

    static TwilioSession open(CallSink sink, TwilioConfig config, ConnectionInfo connection, OutboundChannel out, MediaMetrics metrics,
                              Executor mediaPool) {
        return new TwilioSession(sink, config, connection, out, metrics, mediaPool);
    }

    @Override
    public void onText(String text) {
        ObjectNode msg = LenientJson.parseObject(text);
        if (msg == null) {
            drops.drop("malformed-json", LenientJson.abbreviate(text));
            return;
        }
        String event = LenientJson.text(msg, "event");
        if (event == null) {
            drops.drop("missing-event", LenientJson.abbreviate(text));
            return;
        }
        switch (event) {
            case "media" -> onMedia(LenientJson.object(msg, "media"), text);
            case "start" -> onStart(LenientJson.object(msg, "start"), text);
            case "stop" -> stop();
            case "dtmf" -> metrics.counter(COMPONENT + ".dtmf").increment();
            case "connected", "mark" -> metrics.counter(COMPONENT + ".events." + event).increment();
            default -> metrics.counter(COMPONENT + ".events.ignored").increment();
        }
    }

    @Override
    public void onBinary(ByteBuffer data) {
        drops.drop("binary-message", data.remaining() + " bytes; Twilio Media Streams are JSON text only");
    }

    private void onStart(ObjectNode start, String text) {
        if (start == null) {
            drops.drop("start-without-body", LenientJson.abbreviate(text));
            return;
        }
        if (call != null || stopped) {
            drops.drop("duplicate-start", LenientJson.abbreviate(text));
            return;
        }
        ObjectNode format = LenientJson.object(start, "mediaFormat");
        codec = codecOf(LenientJson.text(format, "encoding"), LenientJson.integer(format, "sampleRate"));
        if (codec == null) {
            drops.drop("unsupported-encoding", String.valueOf(format));
            out.closeNow(CloseCodes.UNSUPPORTED_DATA, "unsupported media format " + LenientJson.abbreviate(String.valueOf(format)));
            return;
        }
        ObjectNode custom = LenientJson.object(start, "customParameters");
        Map<String, String> attributes = new LinkedHashMap<>();
        for (String k : new String[] {"accountSid", "streamSid", "callSid"}) {
            String v = LenientJson.text(start, k);
            if (v != null) attributes.put(k, v);
        }
        if (custom != null) custom.fields().forEachRemaining(f -> {
            if (f.getValue().isValueNode()) attributes.put("custom." + f.getKey(), f.getValue().asText());
        });
        String callId = LenientJson.text(start, "callSid");
        if (callId == null) callId = LenientJson.text(custom, "callId");
        String language = LenientJson.text(custom, "language");
        if (language == null) language = connection.firstQueryParameter("lang", "language");
        try {
            call = sink.openCall(new CallSpec(callId, COMPONENT, language, attributes), this);
        } catch (CallRejectedException e) {
            drops.drop("call-rejected", e.getMessage());
            out.closeNow(CloseCodes.TRY_AGAIN_LATER, e.getMessage());
            return;
        }
        metrics.counter(COMPONENT + ".calls.opened").increment();
    }

    /** Twilio's {@code audio/x-mulaw} (and the same names other senders of this format use), at its fixed rate. */
    static CodecSpec codecOf(String encoding, Long sampleRate) {
        if (encoding == null) return CodecSpec.of(AudioCodec.PCMU);
        String name = encoding.toLowerCase(Locale.ROOT).replace("audio/", "").replace("x-", "");
        AudioCodec c = AudioCodec.byName(name).orElse(null);
        if (c == null || c == AudioCodec.OPUS) return null;
        try {
            return c == AudioCodec.L16 ? CodecSpec.l16(sampleRate == null ? 8000 : sampleRate.intValue(), 1) : CodecSpec.of(c);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void onMedia(ObjectNode media, String text) {
        if (stopped) {
            drops.drop("after-stop", "media after stop");
            return;
        }
        if (call == null) {
            drops.drop("media-before-start", LenientJson.abbreviate(text));
            return;
        }
        String track = LenientJson.text(media, "track");
        Long chunk = LenientJson.integer(media, "chunk");
        Long timestamp = LenientJson.integer(media, "timestamp");
        String payload = LenientJson.text(media, "payload");
        if (media == null || chunk == null || timestamp == null || payload == null) {
            drops.drop("media-without-fields", LenientJson.abbreviate(text));
            return;
        }
        if (payload.length() / 4 * 3 > config.maxPayloadBytes()) {
            drops.drop("payload-too-large", payload.length() + " base64 characters");
            return;
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(payload);
        } catch (IllegalArgumentException e) {
            drops.drop("bad-base64", e.getMessage());
            return;
        }
        if (bytes.length == 0) {
            drops.drop("empty-payload", "chunk " + chunk);
            return;
        }
        ParticipantIngest source = tracks.get(track == null ? "inbound" : track);
        if (source == null) {
            source = openTrack(track == null ? "inbound" : track);
            if (source == null) return;
        }
        source.onPacket(chunk, timestamp, bytes);
    }

    private ParticipantIngest openTrack(String track) {
        if (tracks.size() >= 2 || !(track.equals("inbound") || track.equals("outbound"))) {
            drops.drop("unknown-track", track);
            return null;
        }
        AudioDecoder decoder = AudioDecoders.open(codec);
        ParticipantIngest source = ParticipantIngest.builder(call.openParticipant(ParticipantSpec.of(track)), mediaPool,
                        metrics, COMPONENT)
                .label("track " + track)
                .packets(decoder, 1000, config.concealCap(), config.silenceCap())
                .build();
        tracks.put(track, source);
        return source;
    }

    private void stop() {
        if (stopped) return;
        stopped = true;
        CallHandle c = call;
        var closing = ParticipantIngest.closeAll(tracks.values());
        tracks.clear();
        if (c != null) closing.whenComplete((v, e) -> c.close());
        else out.closeAfterFlush(CloseCodes.NORMAL, "stopped");
    }

    @Override
    public void onClosed(int code, String reason) {
        stop();
    }

    @Override
    public void onTranscript(TranscriptEvent event) {
        // Twilio has no channel for results: the server's captions carry them.
    }

    @Override
    public void onCallEnded(String callId, String reason) {
        out.closeAfterFlush(CloseCodes.NORMAL, "call ended: " + reason);
    }
}
