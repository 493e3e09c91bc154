package org.streamasr.apis.deepgram;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.streamasr.apis.LiveAudio;
import org.streamasr.apis.OggOpusStream;
import org.streamasr.apis.ServedModel;
import org.streamasr.apis.StreamingWavHeader;
import org.streamasr.media.CallRejectedException;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.adapter.CloseCodes;
import org.streamasr.media.adapter.LenientJson;
import org.streamasr.media.adapter.OutboundChannel;
import org.streamasr.media.adapter.ProtocolSession;

/**
 * One Deepgram live connection: audio in binary frames (the query's encoding, or a WAV or Ogg Opus stream), {@code KeepAlive},
 * {@code Finalize}, {@code CloseStream} in text frames; {@code Results} (interim when asked, finals with
 * {@code speech_final} at the engine's endpoints, {@code from_finalize} after a Finalize), {@code SpeechStarted}
 * (the first words of an utterance, with {@code vad_events}), {@code UtteranceEnd} ({@code utterance_end_ms} of
 * audio after the last final word), and {@code Metadata} at the end. Like Deepgram: 10 s without audio or
 * KeepAlive closes with 1011 {@code NET-0001}; CloseStream ends with 1000; a text frame that is not a JSON control
 * message closes with 1008 {@code DATA-0002}; audio that cannot be decoded closes with 1008 {@code DATA-0000}.
 */
final class DeepgramLiveSession implements ProtocolSession, LiveAudio.Listener {
    static final String COMPONENT = "deepgram";
    static final long INACTIVITY_MILLIS = 10_000;

    private final LiveAudio.Opener sink;
    private final ServedModel model;
    private final String language;
    private final DeepgramLiveSpec options;
    private final OutboundChannel out;
    private final DropCounter drops;
    private final LongSupplier clock;
    private final DeepgramLiveMessages messages;
    private final MessageDigest sha256;
    private final ScheduledFuture<?> ticker;
    private final Map<Integer, String> speaking = new HashMap<>();
    private final Map<Integer, Long> lastWordEnd = new HashMap<>();
    private final java.util.Set<Integer> flushAnswered = new java.util.HashSet<>();
    private StreamingWavHeader wav;
    private OggOpusStream ogg;
    private String encoding;
    private int sampleRate;
    private int channels;
    private LiveAudio audio;
    private long lastActivity;
    private boolean closing;
    private boolean ended;

    DeepgramLiveSession(LiveAudio.Opener sink, ServedModel model, String language, DeepgramLiveSpec options,
                        String requestId, OutboundChannel out, DropCounter drops, ScheduledExecutorService timer,
                        LongSupplier clock) {
        this.sink = sink;
        this.model = model;
        this.language = language;
        this.options = options;
        this.out = out;
        this.drops = drops;
        this.clock = clock;
        this.encoding = options.encoding();
        this.sampleRate = options.sampleRate();
        this.channels = options.channels();
        this.wav = encoding == null ? new StreamingWavHeader() : null;
        if (encoding != null && encoding.contains("opus")) startOgg();
        this.messages = new DeepgramLiveMessages(requestId, new DeepgramModel(model.name(), model.engine().name()),
                options.channels(), options.punctuated());
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        this.lastActivity = clock.getAsLong();
        this.ticker = timer.scheduleWithFixedDelay(this::tick, 250, 250, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void onText(String text) {
        ObjectNode msg = LenientJson.parseObject(text);
        String type = msg == null ? null : LenientJson.text(msg, "type");
        if (type == null) {
            drops.drop("malformed-control", LenientJson.abbreviate(text));
            closeNow(CloseCodes.POLICY_VIOLATION, "DATA-0002: text frames must be JSON control messages "
                    + "(KeepAlive, Finalize, CloseStream)");
            return;
        }
        lastActivity = clock.getAsLong();
        switch (type) {
            case "KeepAlive", "Configure" -> { }
            case "Finalize" -> {
                if (audio != null) audio.flush();
            }
            case "CloseStream" -> closeStream();
            default -> {
                drops.drop("unknown-control", type);
                closeNow(CloseCodes.POLICY_VIOLATION, "DATA-0002: unknown control message type '" + type + "'");
            }
        }
    }

    @Override
    public synchronized void onBinary(ByteBuffer data) {
        if (closing || !data.hasRemaining()) return;
        lastActivity = clock.getAsLong();
        sha256.update(data.duplicate());
        if (wav != null && data.remaining() >= 4 && data.get(data.position()) == 'O'
                && data.get(data.position() + 1) == 'g' && data.get(data.position() + 2) == 'g') {
            wav = null;
            startOgg();
        }
        if (wav != null) {
            try {
                if (!wav.accept(data)) return;
            } catch (StreamingWavHeader.NotWavException e) {
                drops.drop("undecodable-audio", e.getMessage());
                closeNow(CloseCodes.POLICY_VIOLATION, "DATA-0000: " + e.getMessage());
                return;
            }
            StreamingWavHeader.Format f = wav.format();
            encoding = f.encoding();
            sampleRate = f.sampleRate();
            channels = f.channels();
            data = wav.audioAfterHeader();
            wav = null;
        }
        if (ogg != null) {
            // demuxed here; the packets are decoded by the ingest pipeline on the media pool
            List<byte[]> packets;
            try {
                packets = ogg.accept(data);
            } catch (OggOpusStream.NotOggOpusException e) {
                drops.drop("undecodable-audio", e.getMessage());
                closeNow(CloseCodes.POLICY_VIOLATION, "DATA-0000: " + e.getMessage());
                return;
            }
            if (packets.isEmpty()) return;
            if (audio == null && !open()) return;
            for (byte[] packet : packets) audio.opusPacket(packet);
        } else {
            if (audio == null && !open()) return;
            audio.accept(data);
        }
        checkUtteranceEnd();
    }

    private void startOgg() {
        ogg = new OggOpusStream();
        encoding = "opus";
        sampleRate = 48_000; // the Opus clock
        channels = 1;
    }

    private void releaseOgg() {
        ogg = null;
    }

    private boolean open() {
        LiveAudio.Encoding coded = switch (encoding) {
            case "mulaw" -> LiveAudio.Encoding.MULAW;
            case "alaw" -> LiveAudio.Encoding.ALAW;
            case "opus" -> LiveAudio.Encoding.OPUS;
            default -> LiveAudio.Encoding.LINEAR16;
        };
        try {
            audio = sink.open(COMPONENT, model, language, coded, sampleRate, channels, options.multichannel(),
                    Map.of("model", model.name()), this);
            return true;
        } catch (CallRejectedException e) {
            closeNow(CloseCodes.TRY_AGAIN_LATER, "NET-0000: " + e.getMessage());
            return false;
        }
    }

    private void closeStream() {
        if (closing) return;
        closing = true;
        if (audio != null) audio.end();
        else finish(CloseCodes.NORMAL, "");
    }

    @Override
    public void onResult(int channel, TranscriptEvent e, long offsetMs, boolean flushing) {
        String send = null, before = null;
        synchronized (this) {
            if (!e.isFinal()) {
                if (e.text().isBlank()) return;
                if (options.vadEvents() && !e.utteranceId().equals(speaking.get(channel))) {
                    before = messages.speechStarted(channel, offsetMs + e.startMs());
                }
                speaking.put(channel, e.utteranceId());
                lastWordEnd.remove(channel);
                if (options.interimResults()) send = messages.results(channel, e, offsetMs, false, false, false);
            } else {
                speaking.remove(channel);
                if (flushing) flushAnswered.add(channel);
                if (e.text().isBlank() && !flushing) return;
                send = messages.results(channel, e, offsetMs, true, options.endpointing(), flushing);
                if (!e.words().isEmpty()) lastWordEnd.put(channel, offsetMs + e.words().get(e.words().size() - 1).endMs());
            }
        }
        if (before != null) out.sendText(before, OutboundChannel.Priority.FINAL, null);
        if (send != null) {
            out.sendText(send, e.isFinal() ? OutboundChannel.Priority.FINAL : OutboundChannel.Priority.PARTIAL,
                    e.isFinal() ? null : "interim-" + channel);
        }
        // the engine may finish an utterance well after its audio arrived (a busy machine, or at CloseStream)
        if (e.isFinal()) {
            synchronized (this) {
                checkUtteranceEnd();
            }
        }
    }

    /**
     * A Finalize always gets a {@code from_finalize} final per channel (Pipecat waits for it): an empty one for a
     * channel that had nothing buffered.
     */
    @Override
    public void onFlushed() {
        List<String> empty = new java.util.ArrayList<>();
        synchronized (this) {
            long now = audio == null ? 0 : audio.receivedMs();
            int n = options.multichannel() ? channels : 1;
            for (int c = 0; c < n; c++) {
                if (!flushAnswered.contains(c)) {
                    empty.add(messages.results(c, new TranscriptEvent("", "", null, "", 0, true, "", null, now, now,
                            List.of()), 0, true, false, true));
                }
            }
            flushAnswered.clear();
        }
        for (String m : empty) out.sendText(m, OutboundChannel.Priority.FINAL, null);
    }

    /** UtteranceEnd once {@code utterance_end_ms} of audio followed the last final word with no new words. */
    private void checkUtteranceEnd() {
        if (options.utteranceEndMs() <= 0 || audio == null || lastWordEnd.isEmpty()) return;
        long now = audio.receivedMs();
        var it = lastWordEnd.entrySet().iterator();
        while (it.hasNext()) {
            var entry = it.next();
            if (now - entry.getValue() >= options.utteranceEndMs() && !speaking.containsKey(entry.getKey())) {
                out.sendText(messages.utteranceEnd(entry.getKey(), entry.getValue()), OutboundChannel.Priority.FINAL, null);
                it.remove();
            }
        }
    }

    @Override
    public void onEnded(String reason) {
        synchronized (this) {
            if (!closing) {
                // ended by the server (idle call, shutdown): say so the way Deepgram does
                closing = true;
                finish(CloseCodes.INTERNAL_ERROR, "NET-0000: " + reason);
                return;
            }
            finish(CloseCodes.NORMAL, "");
        }
    }

    /** Metadata, then close. */
    private void finish(int code, String reason) {
        if (ended) return;
        ended = true;
        releaseOgg();
        ticker.cancel(false);
        long duration = audio == null ? 0 : audio.receivedMs();
        out.sendText(messages.metadata(HexFormat.of().formatHex(sha256.digest()), duration, Instant.now()),
                OutboundChannel.Priority.FINAL, null);
        out.closeAfterFlush(code, reason);
    }

    private synchronized void tick() {
        if (ended) return;
        checkUtteranceEnd();
        if (!closing && clock.getAsLong() - lastActivity > INACTIVITY_MILLIS) {
            drops.drop("inactive", "no audio or KeepAlive for 10 s");
            releaseOgg();
            closing = true;
            ended = true;
            ticker.cancel(false);
            if (audio != null) audio.end();
            out.closeAfterFlush(CloseCodes.INTERNAL_ERROR, "NET-0001: no audio or KeepAlive received for 10 s");
        }
    }

    private void closeNow(int code, String reason) {
        releaseOgg();
        closing = true;
        ended = true;
        ticker.cancel(false);
        if (audio != null) audio.end();
        out.closeAfterFlush(code, reason);
    }

    @Override
    public synchronized void onClosed(int code, String reason) {
        releaseOgg();
        ticker.cancel(false);
        closing = true;
        ended = true;
        if (audio != null) audio.end();
    }
}
