package org.streamasr.apis;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallRejectedException;
import org.streamasr.media.CallSink;
import org.streamasr.media.CallSpec;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.TranscriptListener;
import java.util.concurrent.Executor;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.ingest.InterleavedPcm;
import org.streamasr.media.ingest.ParticipantIngest;

/**
 * The audio side of one live connection of an outside API (Deepgram live, OpenAI realtime): one call, one
 * participant per channel, 16-bit PCM in at the connection's rate, through the one ingest pipeline
 * ({@link ParticipantIngest}: resampled and framed on the media pool, never on the network thread). Adds what those protocols need on top of a call:
 * a flush on demand (Deepgram's {@code Finalize}, OpenAI's {@code commit}) that ends the channels' utterances now
 * and goes on with fresh streams on the same clock, and times on the connection's clock (ms of audio received).
 *
 * <p>Audio calls come from the connection's thread; results arrive on the call's event thread.
 */
public final class LiveAudio implements TranscriptListener {
    /** What the protocol session hears. */
    public interface Listener {
        /**
         * A partial or final of {@code channel}; times in {@code event} are on the stream's clock, add
         * {@code offsetMs} for the connection's.
         *
         * @param flushing the final comes from {@link #flush()}
         */
        void onResult(int channel, TranscriptEvent event, long offsetMs, boolean flushing);

        /** Every channel's last final of a {@link #flush()} was delivered. */
        default void onFlushed() {
        }

        /** The call ended (after {@link #end()}, or idle timeout, or shutdown); nothing follows. */
        void onEnded(String reason);
    }

    private record Stream(int channel, long offsetMs, boolean flushing) {
    }

    /** What a protocol session needs to open its connection's audio: the server's call sink and media pool. */
    public record Opener(CallSink sink, Executor mediaPool, MediaMetrics metrics) {
        /** See {@link LiveAudio#LiveAudio}. */
        public LiveAudio open(String source, ServedModel model, String language, int sampleRate, int channels,
                              boolean separate, Map<String, String> attributes, Listener listener)
                throws CallRejectedException {
            return new LiveAudio(sink, mediaPool, metrics, source, model, language, sampleRate, channels, separate,
                    attributes, listener);
        }
    }

    private final int channels;
    private final boolean downmix;
    private final int sampleRate;
    private final Listener listener;
    private final CallHandle call;
    private final Map<String, Stream> streams = new HashMap<>();
    private int generation;
    private int flushPending;
    private final Executor mediaPool;
    private final MediaMetrics metrics;
    private final String component;
    private InterleavedPcm input;
    private long receivedFrames;
    private long receivedBytes;

    /**
     * @param channels   interleaved channels in the audio
     * @param separate   one participant per channel (Deepgram's multichannel); otherwise channels are mixed to one
     * @throws CallRejectedException when the call cannot be opened (capacity, language, engine)
     */
    public LiveAudio(CallSink sink, Executor mediaPool, MediaMetrics metrics, String source, ServedModel model,
                     String language, int sampleRate, int channels, boolean separate, Map<String, String> attributes,
                     Listener listener) throws CallRejectedException {
        this.mediaPool = mediaPool;
        this.metrics = metrics;
        this.component = source;
        this.channels = channels;
        this.downmix = channels > 1 && !separate;
        this.sampleRate = sampleRate;
        this.listener = listener;
        this.call = sink.openCall(new CallSpec(null, source, language, model.callAttributes(attributes)), this);
    }

    public String callId() {
        return call.callId();
    }

    /** Milliseconds of audio received so far (per channel). */
    public synchronized long receivedMs() {
        return receivedFrames * 1000 / sampleRate;
    }

    /** Interleaved little-endian 16-bit PCM; a message may end inside a sample. */
    public synchronized void pcm16(ByteBuffer data) {
        if (input == null) open();
        receivedBytes += data.remaining();
        receivedFrames = receivedBytes / (2L * channels);
        if (downmix) {
            input.accept(mix(data));
        } else {
            input.accept(data);
        }
    }

    /** Mixes whole frames to mono (a trailing partial frame is dropped: callers send whole frames in practice). */
    private ByteBuffer mix(ByteBuffer data) {
        ByteBuffer in = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        int frames = in.remaining() / (2 * channels);
        ByteBuffer out = ByteBuffer.allocate(frames * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int f = 0; f < frames; f++) {
            int sum = 0;
            for (int c = 0; c < channels; c++) sum += in.getShort();
            out.putShort((short) (sum / channels));
        }
        data.position(data.limit());
        out.flip();
        return out;
    }

    private void open() {
        generation++;
        int n = downmix ? 1 : channels;
        List<ParticipantIngest> feeds = new ArrayList<>(n);
        long offset = receivedFrames * 1000 / sampleRate;
        for (int c = 0; c < n; c++) {
            String id = "channel-" + c + (generation == 1 ? "" : "." + generation);
            feeds.add(ParticipantIngest.builder(call.openParticipant(ParticipantSpec.of(id)), mediaPool, metrics, component)
                    .label(call.callId() + "/" + id).build());
            streams.put(id, new Stream(c, offset, false));
        }
        input = new InterleavedPcm(feeds, sampleRate, false);
    }

    /**
     * Ends the open utterances now: their finals come with {@code flushing} set, then {@link Listener#onFlushed()};
     * later audio goes to fresh streams on the same clock. Returns false (and does nothing) when no audio came since
     * the last flush.
     */
    public synchronized boolean flush() {
        if (input == null) return false;
        InterleavedPcm closing = input;
        input = null;
        for (Map.Entry<String, Stream> e : streams.entrySet()) {
            Stream s = e.getValue();
            if (!s.flushing()) {
                e.setValue(new Stream(s.channel(), s.offsetMs(), true));
                flushPending++;
            }
        }
        closing.close();
        return true;
    }

    /** Ends the call: the audio plays out, the last finals are delivered, then {@link Listener#onEnded}. Idempotent. */
    public synchronized void end() {
        CallHandle c = call;
        if (input == null) {
            c.close();
            return;
        }
        input.close().whenComplete((v, e) -> c.close());
        input = null;
    }

    @Override
    public void onTranscript(TranscriptEvent event) {
        Stream s;
        synchronized (this) {
            s = streams.get(event.participantId());
        }
        if (s != null) listener.onResult(s.channel(), event, s.offsetMs(), s.flushing() && event.isFinal());
    }

    @Override
    public void onParticipantEnded(String callId, String participantId) {
        boolean flushed;
        synchronized (this) {
            Stream s = streams.remove(participantId);
            flushed = s != null && s.flushing() && --flushPending == 0;
        }
        if (flushed) listener.onFlushed();
    }

    @Override
    public void onCallEnded(String callId, String reason) {
        listener.onEnded(reason);
    }
}
