package org.streamasr.media.jigasi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.List;
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
import org.streamasr.media.adapter.ConnectionRefusedException;
import org.streamasr.media.adapter.LenientJson;
import org.streamasr.media.adapter.OutboundChannel;
import org.streamasr.media.adapter.ProtocolSession;
import org.streamasr.media.ingest.InterleavedPcm;
import org.streamasr.media.ingest.ParticipantIngest;

/**
 * One vosk-server style connection: one participant's audio, its own call. Jigasi's {@code VoskTranscriptionService}
 * sends {@code {"config" : {"sample_rate" : 48000.0 }}} (a double), then 500 ms binary chunks of PCM16LE, and at the
 * end the exact text {@code {"eof" : 1}}, after which it waits for the final result and our close. Replies are
 * vosk-server's: {@code {"partial" : "..."}} and {@code {"text" : "...", "result" : [{conf, start, end, word}]}}.
 */
final class VoskSession implements ProtocolSession, TranscriptListener {
    static final String COMPONENT = "vosk";
    /** The text vosk-server compares EOF with; Jigasi sends exactly this. */
    static final String EOF = "{\"eof\" : 1}";

    private final VoskConfig config;
    private final OutboundChannel out;
    private final MediaMetrics metrics;
    private final DropCounter drops;
    private final String participantId;
    private CallHandle call;
    private int sampleRate;
    private final Executor mediaPool;
    private InterleavedPcm input;
    private boolean eof;
    private volatile boolean eofReceived;
    private volatile boolean finalAfterEof;

    private VoskSession(VoskConfig config, OutboundChannel out, MediaMetrics metrics, Executor mediaPool, String participantId) {
        this.mediaPool = mediaPool;
        this.config = config;
        this.out = out;
        this.metrics = metrics;
        this.drops = metrics.dropCounter(COMPONENT);
        this.participantId = participantId;
        this.sampleRate = config.defaultSampleRate();
    }

    static VoskSession open(CallSink sink, VoskConfig config, ConnectionInfo connection, OutboundChannel out,
                            MediaMetrics metrics, Executor mediaPool) throws ConnectionRefusedException {
        String participant = connection.firstQueryParameter("participant", "speaker");
        VoskSession session = new VoskSession(config, out, metrics, mediaPool, participant == null ? "speaker" : participant);
        String language = connection.pathParameter("lang");
        if (language == null) language = connection.firstQueryParameter("lang", "language");
        String callId = connection.firstQueryParameter("callId", "sessionId");
        try {
            session.call = sink.openCall(new CallSpec(callId, "jigasi-vosk", language, Map.of("path", connection.path())), session);
        } catch (CallRejectedException e) {
            throw new ConnectionRefusedException(CloseCodes.TRY_AGAIN_LATER, e.getMessage());
        }
        metrics.counter(COMPONENT + ".calls.opened").increment();
        return session;
    }

    @Override
    public void onText(String text) {
        if (EOF.equals(text)) {
            onEof();
            return;
        }
        ObjectNode msg = LenientJson.parseObject(text);
        if (msg == null) {
            drops.drop("malformed-json", LenientJson.abbreviate(text));
            return;
        }
        Long eofFlag = LenientJson.integer(msg, "eof");
        if (eofFlag != null && eofFlag == 1) {
            onEof();
            return;
        }
        ObjectNode cfg = LenientJson.object(msg, "config");
        if (cfg == null) {
            drops.drop("unknown-message", LenientJson.abbreviate(text));
            return;
        }
        if (!cfg.has("sample_rate")) return; // a config with only words/phrase_list: nothing we use
        Double rate = LenientJson.number(cfg, "sample_rate");
        if (rate == null || rate != Math.rint(rate) || rate < 8000 || rate > config.maxSampleRate()) {
            drops.drop("bad-sample-rate", String.valueOf(rate));
            return;
        }
        if (input != null && rate.intValue() != sampleRate) {
            drops.drop("config-after-audio", "sample_rate " + rate + " after audio at " + sampleRate);
            return;
        }
        sampleRate = rate.intValue();
    }

    @Override
    public void onBinary(ByteBuffer data) {
        if (eof) {
            drops.drop("audio-after-eof", data.remaining() + " bytes");
            return;
        }
        if (input == null) {
            ParticipantIngest feed;
            try {
                feed = ParticipantIngest.builder(call.openParticipant(ParticipantSpec.of(participantId)), mediaPool,
                        metrics, COMPONENT).build();
            } catch (RuntimeException e) {
                drops.drop("participant-refused", participantId + ": " + e.getMessage());
                eof = true;
                out.closeNow(CloseCodes.TRY_AGAIN_LATER, "participant refused: " + e.getMessage());
                return;
            }
            input = new InterleavedPcm(List.of(feed), sampleRate, false);
        }
        input.accept(data);
    }

    @Override
    public void onClosed(int code, String reason) {
        eof = true;
        closeInputThenCall();
    }

    private void onEof() {
        if (eof) return;
        eof = true;
        eofReceived = true;
        closeInputThenCall();
    }

    /** The participant's audio plays out and ends before the call does, so its final is not lost. */
    private void closeInputThenCall() {
        CallHandle c = call;
        if (input == null) {
            c.close();
            return;
        }
        input.close().whenComplete((v, e) -> c.close());
    }

    @Override
    public void onTranscript(TranscriptEvent event) {
        if (event.isFinal()) {
            if (eofReceived) finalAfterEof = true;
            out.sendText(finalResult(event), OutboundChannel.Priority.FINAL, null);
        } else if (!event.text().isBlank()) {
            ObjectNode o = LenientJson.newObject();
            o.put("partial", event.text());
            out.sendText(LenientJson.write(o), OutboundChannel.Priority.PARTIAL, "partial");
        }
    }

    /** After EOF vosk-server always answers with a final result, possibly empty; then it closes. */
    @Override
    public void onCallEnded(String callId, String reason) {
        if (eofReceived && !finalAfterEof) {
            out.sendText("{\"text\" : \"\"}", OutboundChannel.Priority.FINAL, null);
        }
        out.closeAfterFlush(CloseCodes.NORMAL, eofReceived ? "eof" : "call ended: " + reason);
    }

    /** vosk-server's result: word times in seconds; we have no per-word confidence, so {@code conf} is 1. */
    static String finalResult(TranscriptEvent event) {
        ObjectNode o = LenientJson.newObject();
        if (!event.words().isEmpty()) {
            ArrayNode result = o.putArray("result");
            for (TranscriptEvent.WordTiming w : event.words()) {
                ObjectNode word = result.addObject();
                word.put("conf", 1.0);
                word.put("end", w.endMs() / 1000.0);
                word.put("start", w.startMs() / 1000.0);
                word.put("word", w.word());
            }
        }
        o.put("text", event.text());
        return LenientJson.write(o);
    }
}
