package org.streamasr.media.jigasi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
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
import org.streamasr.media.adapter.ConnectionRefusedException;
import org.streamasr.media.adapter.LenientJson;
import org.streamasr.media.adapter.OutboundChannel;
import org.streamasr.media.adapter.ProtocolSession;
import org.streamasr.media.ingest.InterleavedPcm;
import org.streamasr.media.ingest.ParticipantIngest;
import org.streamasr.media.adapter.TranscriptIds;
import org.streamasr.runtime.LogText;

/**
 * One Skynet "streaming whisper" connection from Jigasi's {@code WhisperWebsocket}: one room, all its participants.
 * Each binary frame is a 60-byte NUL-padded header {@code participantId|language} and PCM16LE mono at 16 kHz; a
 * frame of one zero byte ends the session. Results go back as
 * {@code {"id","participant_id","ts","text","audio","type":"interim"|"final","variance"}}; Jigasi parses {@code id}
 * with {@code UUID.fromString} and {@code ts} as epoch milliseconds.
 */
final class WhisperSession implements ProtocolSession, TranscriptListener {
    static final String COMPONENT = "whisper";
    static final int HEADER_BYTES = 60;

    private final WhisperConfig config;
    private final OutboundChannel out;
    private final DropCounter drops;
    private final LongSupplier wallClockMillis;
    private final Map<String, InterleavedPcm> inputs = new HashMap<>();
    private final MediaMetrics metrics;
    private final Executor mediaPool;
    private final Map<String, String> languages = new HashMap<>();
    private final Map<String, Long> firstAudioMillis = new ConcurrentHashMap<>();
    private CallHandle call;
    private boolean ended;

    private WhisperSession(WhisperConfig config, OutboundChannel out, MediaMetrics metrics, Executor mediaPool,
                           LongSupplier wallClockMillis) {
        this.metrics = metrics;
        this.mediaPool = mediaPool;
        this.config = config;
        this.out = out;
        this.drops = metrics.dropCounter(COMPONENT);
        this.wallClockMillis = wallClockMillis;
    }

    static WhisperSession open(CallSink sink, WhisperConfig config, ConnectionInfo connection, OutboundChannel out,
                               MediaMetrics metrics, Executor mediaPool, LongSupplier wallClockMillis)
            throws ConnectionRefusedException {
        authenticate(config, connection, wallClockMillis.getAsLong() / 1000, metrics.dropCounter(COMPONENT));
        WhisperSession session = new WhisperSession(config, out, metrics, mediaPool, wallClockMillis);
        String meetingId = connection.pathParameter("meetingId");
        try {
            session.call = sink.openCall(new CallSpec(meetingId, "jigasi-whisper", null, Map.of("path", connection.path())), session);
        } catch (CallRejectedException e) {
            throw new ConnectionRefusedException(CloseCodes.TRY_AGAIN_LATER, e.getMessage());
        }
        metrics.counter(COMPONENT + ".calls.opened").increment();
        return session;
    }

    private static void authenticate(WhisperConfig config, ConnectionInfo connection, long nowSeconds, DropCounter drops)
            throws ConnectionRefusedException {
        if (config.jwt() == null) return;
        String token = connection.queryParameter("auth_token");
        String authorization = connection.header("Authorization");
        if (token == null && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = authorization.substring(7).trim();
        }
        try {
            config.jwt().verify(token, nowSeconds);
        } catch (JwtVerifier.InvalidTokenException e) {
            drops.drop("unauthorized", e.getMessage());
            throw new ConnectionRefusedException(CloseCodes.POLICY_VIOLATION, "unauthorized: " + e.getMessage());
        }
    }

    @Override
    public void onText(String text) {
        drops.drop("text-message", LenientJson.abbreviate(text));
    }

    @Override
    public void onBinary(ByteBuffer data) {
        if (ended) {
            drops.drop("after-eof", data.remaining() + " bytes");
            return;
        }
        if (data.remaining() == 1 && data.get(data.position()) == 0) {
            endSession();
            return;
        }
        if (data.remaining() < HEADER_BYTES) {
            drops.drop("short-frame", data.remaining() + " bytes, less than the 60-byte header");
            return;
        }
        byte[] header = new byte[HEADER_BYTES];
        data.get(header);
        String[] fields = parseHeader(header);
        if (fields == null) {
            drops.drop("header-without-participant", "header " + LogText.printable(header, 0, header.length, LogText.MAX));
            return;
        }
        InterleavedPcm input = inputs.get(fields[0]);
        if (input == null) {
            input = openParticipant(fields[0], fields[1]);
            if (input == null) return;
        } else if (fields[1] != null && !fields[1].equals(languages.get(fields[0]))) {
            drops.drop("language-change", fields[0] + " now says " + fields[1] + "; keeping " + languages.get(fields[0]));
        }
        firstAudioMillis.putIfAbsent(fields[0], wallClockMillis.getAsLong());
        int dropped = input.acceptWhole(data);
        if (dropped > 0) drops.drop("odd-length-audio", fields[0] + ": " + dropped + " trailing byte of a 16-bit sample");
    }

    /** {@code [participantId, language-or-null]}, or {@code null} when the header names no participant. */
    static String[] parseHeader(byte[] header) {
        int end = header.length;
        while (end > 0 && header[end - 1] == 0) end--;
        int start = 0;
        while (start < end && header[start] == 0) start++;
        String text = new String(header, start, end - start, StandardCharsets.UTF_8);
        int bar = text.indexOf('|');
        String participant = (bar < 0 ? text : text.substring(0, bar)).trim();
        String language = bar < 0 ? null : text.substring(bar + 1).trim();
        if (participant.isEmpty() || participant.indexOf('\0') >= 0) return null;
        if (language != null && (language.isEmpty() || language.equals("null") || language.indexOf('\0') >= 0)) language = null;
        return new String[] {participant, language};
    }

    private InterleavedPcm openParticipant(String participantId, String language) {
        if (inputs.size() >= config.maxParticipants()) {
            drops.drop("too-many-participants", participantId + " beyond " + config.maxParticipants());
            return null;
        }
        ParticipantIngest feed;
        try {
            feed = ParticipantIngest.builder(call.openParticipant(new ParticipantSpec(participantId, null, language)),
                    mediaPool, metrics, COMPONENT).build();
        } catch (RuntimeException e) {
            drops.drop("participant-refused", participantId + ": " + e.getMessage());
            return null;
        }
        InterleavedPcm input = new InterleavedPcm(List.of(feed), 16_000, false);
        inputs.put(participantId, input);
        languages.put(participantId, language);
        return input;
    }

    @Override
    public void onClosed(int code, String reason) {
        if (!ended) endSession();
    }

    private void endSession() {
        ended = true;
        CallHandle c = call;
        var closing = java.util.concurrent.CompletableFuture.allOf(
                inputs.values().stream().map(InterleavedPcm::close).toArray(java.util.concurrent.CompletableFuture[]::new));
        inputs.clear();
        closing.whenComplete((v, e) -> c.close());
    }

    @Override
    public void onTranscript(TranscriptEvent event) {
        if (event.text().isBlank()) return;
        String id = TranscriptIds.uuid(event.callId(), event.participantId(), event.utteranceId());
        Long first = firstAudioMillis.get(event.participantId());
        ObjectNode o = LenientJson.newObject();
        o.put("id", id);
        o.put("participant_id", event.participantId());
        o.put("ts", (first == null ? wallClockMillis.getAsLong() : first) + event.startMs());
        o.put("text", event.text());
        o.put("audio", "");
        o.put("type", event.isFinal() ? "final" : "interim");
        o.put("variance", event.isFinal() ? 1.0 : config.interimVariance());
        out.sendText(LenientJson.write(o), event.isFinal() ? OutboundChannel.Priority.FINAL : OutboundChannel.Priority.PARTIAL, id);
    }

    @Override
    public void onCallEnded(String callId, String reason) {
        out.closeAfterFlush(CloseCodes.NORMAL, "call ended: " + reason);
    }
}
