package org.streamasr.media.jitsi;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallRejectedException;
import org.streamasr.media.CallSink;
import org.streamasr.media.CallSpec;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.TranscriptListener;
import org.streamasr.media.codec.AudioDecoder;
import org.streamasr.media.adapter.CloseCodes;
import org.streamasr.media.adapter.ConnectionInfo;
import org.streamasr.media.adapter.ConnectionRefusedException;
import org.streamasr.media.adapter.OutboundChannel;
import org.streamasr.media.adapter.ProtocolSession;
import org.streamasr.media.adapter.TranscriptIds;
import org.streamasr.media.ingest.ParticipantIngest;

/**
 * One MEDIAJSON connection from a Jitsi Videobridge: one call, one participant per source tag. Media is ordered by
 * {@code chunk} and placed by {@code timestamp} (see {@link SourceStream}); transcripts of the call go back on the
 * same socket as {@code transcription-result} messages.
 *
 * <p>Threads: messages arrive on the connection's thread, which alone touches the sources; transcripts arrive on
 * engine threads and only read the participant table and write to the outbound queue.
 */
final class MediaJsonSession implements ProtocolSession, TranscriptListener {
    static final String COMPONENT = "mediajson";
    private static final Logger log = LoggerFactory.getLogger(MediaJsonSession.class);

    /** What a transcript needs to know about its participant. */
    private record Participant(String endpointId, String tag) {
    }

    private final MediaJsonConfig config;
    private final OutboundChannel out;
    private final MediaMetrics metrics;
    private final DropCounter drops;
    private final LongSupplier wallClockMillis;
    private final MediaJsonCodec codec;
    private final String requestedLanguage;
    private final boolean sendBack;
    private final boolean sendInterim;
    private final Executor mediaPool;

    private final Map<String, SourceStream> sources = new HashMap<>();
    private final Map<String, Participant> participants = new ConcurrentHashMap<>();
    private volatile CallHandle call;
    private volatile boolean ended;

    private MediaJsonSession(MediaJsonConfig config, ConnectionInfo connection, OutboundChannel out, MediaMetrics metrics,
                             Executor mediaPool, LongSupplier wallClockMillis) {
        this.config = config;
        this.mediaPool = mediaPool;
        this.out = out;
        this.metrics = metrics;
        this.drops = metrics.dropCounter(COMPONENT);
        this.wallClockMillis = wallClockMillis;
        this.codec = new MediaJsonCodec(config.maxPayloadBytes());
        this.requestedLanguage = connection.firstQueryParameter("lang", "language");
        this.sendBack = connection.flag("sendBack", true);
        this.sendInterim = connection.flag("sendBackInterim", config.sendInterim());
    }

    /** Opens the call of a new connection; the call id comes from the path or query, else the sink makes one. */
    static MediaJsonSession open(CallSink sink, MediaJsonConfig config, ConnectionInfo connection, OutboundChannel out,
                                 MediaMetrics metrics, Executor mediaPool, LongSupplier wallClockMillis)
            throws ConnectionRefusedException {
        MediaJsonSession session = new MediaJsonSession(config, connection, out, metrics, mediaPool, wallClockMillis);
        String callId = connection.pathParameter("callId");
        if (callId == null) callId = connection.firstQueryParameter("sessionId", "callId", "meetingId", "room");
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("path", connection.path());
        connection.query().forEach((k, v) -> {
            if (!v.isEmpty() && !k.toLowerCase(java.util.Locale.ROOT).contains("token")) attributes.put(k, v.get(0));
        });
        try {
            session.call = sink.openCall(new CallSpec(callId, "jitsi", session.requestedLanguage, attributes), session);
        } catch (CallRejectedException e) {
            throw new ConnectionRefusedException(CloseCodes.TRY_AGAIN_LATER, e.getMessage());
        }
        metrics.counter(COMPONENT + ".calls.opened").increment();
        return session;
    }

    String callId() {
        return call.callId();
    }

    @Override
    public void onText(String text) {
        MediaJsonCodec.Message message = codec.parse(text);
        if (message instanceof MediaJsonCodec.Media m) {
            onMedia(m);
        } else if (message instanceof MediaJsonCodec.Start s) {
            onStart(s);
        } else if (message instanceof MediaJsonCodec.Stop s) {
            onStop(s);
        } else if (message instanceof MediaJsonCodec.Ping p) {
            out.sendText(MediaJsonCodec.pong(p.id()), OutboundChannel.Priority.CONTROL, null);
        } else if (message instanceof MediaJsonCodec.SessionEnd) {
            endSession();
        } else if (message instanceof MediaJsonCodec.Info i) {
            log.info("mediajson call {}: peer info {}", call.callId(), MediaJsonCodec.abbreviate(i.body().toString()));
        } else if (message instanceof MediaJsonCodec.Ignored) {
            metrics.counter(COMPONENT + ".events.ignored").increment();
        } else if (message instanceof MediaJsonCodec.Malformed m) {
            drops.drop(m.reason(), m.detail());
        }
    }

    @Override
    public void onBinary(ByteBuffer data) {
        drops.drop("binary-message", data.remaining() + " bytes; MEDIAJSON is JSON text only");
    }

    @Override
    public void onClosed(int code, String reason) {
        var closing = closeSources();
        if (!ended) {
            ended = true;
            closing.whenComplete((v, e) -> call.close());
        }
    }

    private void onStart(MediaJsonCodec.Start start) {
        if (ended) {
            drops.drop("after-session-end", "start for " + start.tag());
            return;
        }
        SourceStream existing = sources.get(start.tag());
        if (existing != null) {
            if (existing.restart(start)) return;
            drops.drop("unsupported-encoding", start.encoding() + "/" + start.sampleRate() + "/" + start.channels()
                    + " for tag " + start.tag());
            return;
        }
        if (sources.size() >= config.maxSources()) {
            drops.drop("too-many-sources", "tag " + start.tag() + " beyond " + config.maxSources());
            return;
        }
        AudioDecoder decoder;
        try {
            decoder = SourceStream.openDecoder(start);
        } catch (IllegalStateException e) {
            drops.drop("decoder-unavailable", start.encoding() + " for tag " + start.tag() + ": " + e.getMessage());
            return;
        }
        if (decoder == null) {
            drops.drop("unsupported-encoding", start.encoding() + "/" + start.sampleRate() + "/" + start.channels()
                    + " for tag " + start.tag());
            return;
        }
        String endpointId = start.endpointId() != null ? start.endpointId() : endpointOfTag(start.tag());
        // Two live sources of one endpoint (microphone and shared-screen audio) are two participants.
        boolean endpointLive = sources.values().stream().anyMatch(src -> src.participantId().equals(endpointId));
        String participantId = endpointLive ? start.tag() : endpointId;
        ParticipantAudio audio;
        try {
            audio = call.openParticipant(new ParticipantSpec(participantId, start.displayName(), null));
        } catch (RuntimeException e) {
            decoder.close();
            drops.drop("participant-refused", participantId + ": " + e.getMessage());
            return;
        }
        participants.put(participantId, new Participant(endpointId, start.tag()));
        sources.put(start.tag(), new SourceStream(start, decoder, audio, mediaPool, config, metrics, drops));
        metrics.counter(COMPONENT + ".sources.started").increment();
    }

    private void onMedia(MediaJsonCodec.Media media) {
        if (ended) {
            drops.drop("after-session-end", "media for " + media.tag());
            return;
        }
        SourceStream source = sources.get(media.tag());
        if (source == null) {
            drops.drop("media-before-start", "tag " + media.tag());
            return;
        }
        source.onMedia(media);
    }

    private void onStop(MediaJsonCodec.Stop stop) {
        SourceStream source = sources.get(stop.tag());
        if (source == null) {
            drops.drop("stop-for-unknown-tag", "tag " + stop.tag());
            return;
        }
        if (stop.timestamp() != null) {
            source.endTalk();
            return;
        }
        sources.remove(stop.tag());
        source.close();
    }

    private void endSession() {
        if (ended) return;
        ended = true;
        closeSources().whenComplete((v, e) -> call.close());
    }

    /** Ends every source; completes when their audio has played out and ended. */
    private java.util.concurrent.CompletableFuture<Void> closeSources() {
        var closing = java.util.concurrent.CompletableFuture.allOf(
                sources.values().stream().map(SourceStream::close).toArray(java.util.concurrent.CompletableFuture[]::new));
        sources.clear();
        return closing;
    }

    @Override
    public void onTranscript(TranscriptEvent event) {
        if (!sendBack || (!event.isFinal() && !sendInterim) || event.text().isBlank()) return;
        Participant p = participants.get(event.participantId());
        String messageId = TranscriptIds.uuid(event.callId(), event.participantId(), event.utteranceId());
        double stability = event.isFinal() ? 1.0 : config.interimStability();
        String json = MediaJsonCodec.transcriptionResult(messageId, !event.isFinal(), event.text(), stability,
                language(event), p == null ? event.participantId() : p.endpointId(), event.participantName(),
                p == null ? null : p.tag(), wallClockMillis.getAsLong());
        out.sendText(json, event.isFinal() ? OutboundChannel.Priority.FINAL : OutboundChannel.Priority.PARTIAL, messageId);
    }

    @Override
    public void onCallEnded(String callId, String reason) {
        ended = true;
        out.closeAfterFlush(CloseCodes.NORMAL, "call ended: " + reason);
    }

    private String language(TranscriptEvent event) {
        if (known(event.language())) return event.language();
        if (known(requestedLanguage)) return requestedLanguage;
        return config.defaultLanguage();
    }

    private static boolean known(String language) {
        return language != null && !language.isBlank() && !language.equalsIgnoreCase("auto");
    }

    /** The bridge tags a source "endpointId-ssrc". */
    static String endpointOfTag(String tag) {
        int dash = tag.lastIndexOf('-');
        if (dash <= 0 || dash == tag.length() - 1) return tag;
        for (int i = dash + 1; i < tag.length(); i++) {
            if (!Character.isDigit(tag.charAt(i))) return tag;
        }
        return tag.substring(0, dash);
    }
}
