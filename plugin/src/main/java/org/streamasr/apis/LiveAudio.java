package org.streamasr.apis;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.codec.AudioDecoder;
import org.streamasr.media.codec.AudioDecoders;
import org.streamasr.media.codec.CodecSpec;
import org.streamasr.media.g711.G711;
import org.streamasr.media.g711.G711Decoder;
import org.streamasr.media.ingest.InterleavedPcm;
import org.streamasr.media.ingest.ParticipantIngest;
import org.streamasr.media.opus.OpusPackets;

/**
 * The audio side of one live connection of an outside API (Deepgram live, OpenAI realtime): one call, one
 * participant per channel, audio in the connection's {@link Encoding} at its rate, through the one ingest pipeline
 * ({@link ParticipantIngest}: decoded, resampled and framed on the media pool, never on the network thread). 16-bit
 * PCM goes in as samples; G.711 bytes and Opus packets go in as packets to the media adapters' decoders (G.711 is cut
 * into packets of at most 100 ms, one per channel; numbered and stamped here so the decode stage sees no gap).
 * Adds what those protocols need on top of a call:
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

    /** How a connection's audio is coded. */
    public enum Encoding {
        /** Interleaved little-endian 16-bit PCM ({@link #accept}). */
        LINEAR16(null),
        /** Interleaved G.711 mu-law bytes, one per sample ({@link #accept}). */
        MULAW(AudioCodec.PCMU),
        /** Interleaved G.711 A-law bytes, one per sample ({@link #accept}). */
        ALAW(AudioCodec.PCMA),
        /** Mono Opus packets ({@link #opusPacket}); the rate given with it is the Opus clock, 48000. */
        OPUS(AudioCodec.OPUS);

        private final AudioCodec codec;

        Encoding(AudioCodec codec) {
            this.codec = codec;
        }

        boolean g711() {
            return this == MULAW || this == ALAW;
        }
    }

    /** The most G.711 one packet carries: the hand-off queue counts a packet's media time from its timestamps. */
    private static final int MAX_G711_PACKET_MS = 100;

    /** What a protocol session needs to open its connection's audio: the server's call sink and media pool. */
    public record Opener(CallSink sink, Executor mediaPool, MediaMetrics metrics) {
        /** See {@link LiveAudio#LiveAudio}. */
        public LiveAudio open(String source, ServedModel model, String language, Encoding encoding, int sampleRate,
                              int channels, boolean separate, Map<String, String> attributes, Listener listener)
                throws CallRejectedException {
            return new LiveAudio(sink, mediaPool, metrics, source, model, language, encoding, sampleRate, channels,
                    separate, attributes, listener);
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
    private Encoding encoding;
    /** The current streams' pipelines (one per channel, or one when mixed); null until audio comes, after a flush. */
    private List<ParticipantIngest> feeds;
    /** PCM (and mixed G.711) is parsed into the feeds by this; null while the feeds take packets. */
    private InterleavedPcm input;
    private byte[] g711Partial = new byte[0];
    private long packetIndex;
    private long packetTimestamp;
    private long receivedFrames;
    private long receivedBytes;

    /**
     * @param sampleRate samples per second per channel (for Opus its clock, 48000)
     * @param channels   interleaved channels in the audio (1 for Opus)
     * @param separate   one participant per channel (Deepgram's multichannel); otherwise channels are mixed to one
     *                   (mixed G.711 is expanded to PCM on the connection's thread to be mixed, a table look-up)
     * @throws CallRejectedException when the call cannot be opened (capacity, language, engine)
     */
    public LiveAudio(CallSink sink, Executor mediaPool, MediaMetrics metrics, String source, ServedModel model,
                     String language, Encoding encoding, int sampleRate, int channels, boolean separate,
                     Map<String, String> attributes, Listener listener) throws CallRejectedException {
        if (encoding == Encoding.OPUS && channels != 1) throw new IllegalArgumentException("Opus packets are one stream");
        this.encoding = encoding;
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

    /**
     * Interleaved audio in the connection's encoding (16-bit little-endian PCM, or G.711 bytes); a message may end
     * inside a sample frame. Never decodes: G.711 goes to the pipeline as packets (unless mixed).
     */
    public synchronized void accept(ByteBuffer data) {
        if (encoding == Encoding.OPUS) throw new IllegalStateException("Opus comes as packets: opusPacket");
        if (feeds == null) open();
        int bytesPerSample = encoding == Encoding.LINEAR16 ? 2 : 1;
        receivedBytes += data.remaining();
        receivedFrames = receivedBytes / ((long) bytesPerSample * channels);
        if (encoding == Encoding.LINEAR16) {
            input.accept(downmix ? mix(data) : data);
        } else if (downmix) {
            input.accept(mixG711(data));
        } else {
            g711Packets(data);
        }
    }

    /** One Opus packet (ownership passes); decoded on the media pool. */
    public synchronized void opusPacket(byte[] packet) {
        if (encoding != Encoding.OPUS) throw new IllegalStateException("the audio is " + encoding + ", not Opus");
        if (feeds == null) open();
        int samples = Math.max(0, OpusPackets.samples48k(packet, 0, packet.length)); // undecodable: dropped there
        receivedFrames += samples;
        feeds.get(0).onPacket(packetIndex++, packetTimestamp, packet);
        packetTimestamp += samples;
    }

    /**
     * Goes on in another G.711 law (OpenAI's {@code session.update} from {@code g711_ulaw} to {@code g711_alaw}): the
     * open streams continue with the new decoder. Other changes (another rate) need a new {@link LiveAudio}.
     */
    public synchronized void encoding(Encoding next) {
        if (next == encoding) return;
        if (!encoding.g711() || !next.g711()) {
            throw new IllegalArgumentException("cannot switch from " + encoding + " to " + next + " in one stream");
        }
        encoding = next;
        if (feeds != null && input == null) {
            for (ParticipantIngest f : feeds) f.switchDecoder(decoder(), sampleRate);
        }
    }

    /** Each channel's G.711 bytes as packets of at most {@link #MAX_G711_PACKET_MS}, numbered and stamped. */
    private void g711Packets(ByteBuffer data) {
        byte[] in = new byte[g711Partial.length + data.remaining()];
        System.arraycopy(g711Partial, 0, in, 0, g711Partial.length);
        data.get(in, g711Partial.length, data.remaining());
        int frames = in.length / channels;
        g711Partial = Arrays.copyOfRange(in, frames * channels, in.length);
        int max = Math.max(1, sampleRate * MAX_G711_PACKET_MS / 1000);
        for (int from = 0; from < frames; from += max) {
            int len = Math.min(max, frames - from);
            for (int c = 0; c < channels; c++) {
                byte[] packet;
                if (channels == 1) {
                    packet = Arrays.copyOfRange(in, from, from + len);
                } else {
                    packet = new byte[len];
                    for (int i = 0; i < len; i++) packet[i] = in[(from + i) * channels + c];
                }
                feeds.get(c).onPacket(packetIndex, packetTimestamp, packet);
            }
            packetIndex++;
            packetTimestamp += len;
        }
    }

    /** G.711 frames expanded and mixed to mono PCM (a trailing partial frame is dropped, as {@link #mix} does). */
    private ByteBuffer mixG711(ByteBuffer data) {
        boolean ulaw = encoding == Encoding.MULAW;
        int frames = data.remaining() / channels;
        ByteBuffer out = ByteBuffer.allocate(frames * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int f = 0; f < frames; f++) {
            int sum = 0;
            for (int c = 0; c < channels; c++) {
                byte b = data.get();
                sum += ulaw ? G711.ulawToLinear(b) : G711.alawToLinear(b);
            }
            out.putShort((short) (sum / channels));
        }
        data.position(data.limit());
        out.flip();
        return out;
    }

    /** The decoder of a packetised encoding, owned by the pipeline it is given to. */
    private AudioDecoder decoder() {
        return encoding == Encoding.OPUS ? AudioDecoders.open(CodecSpec.of(AudioCodec.OPUS))
                : new G711Decoder(encoding.codec, sampleRate);
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
        boolean packets = encoding == Encoding.OPUS || (encoding.g711() && !downmix);
        feeds = new ArrayList<>(n);
        long offset = receivedFrames * 1000 / sampleRate;
        for (int c = 0; c < n; c++) {
            String id = "channel-" + c + (generation == 1 ? "" : "." + generation);
            ParticipantIngest.Builder b = ParticipantIngest.builder(call.openParticipant(ParticipantSpec.of(id)),
                    mediaPool, metrics, component).label(call.callId() + "/" + id);
            // numbered and stamped here without gaps over a reliable socket: nothing is ever concealed or filled
            if (packets) b.packets(decoder(), sampleRate, Duration.ZERO, Duration.ZERO);
            feeds.add(b.build());
            streams.put(id, new Stream(c, offset, false));
        }
        input = packets ? null : new InterleavedPcm(feeds, sampleRate, false);
        g711Partial = new byte[0];
        packetIndex = 0;
        packetTimestamp = 0;
    }

    /**
     * Ends the open utterances now: their finals come with {@code flushing} set, then {@link Listener#onFlushed()};
     * later audio goes to fresh streams on the same clock. Returns false (and does nothing) when no audio came since
     * the last flush.
     */
    public synchronized boolean flush() {
        if (feeds == null) return false;
        List<ParticipantIngest> closing = feeds;
        feeds = null;
        input = null;
        for (Map.Entry<String, Stream> e : streams.entrySet()) {
            Stream s = e.getValue();
            if (!s.flushing()) {
                e.setValue(new Stream(s.channel(), s.offsetMs(), true));
                flushPending++;
            }
        }
        ParticipantIngest.closeAll(closing);
        return true;
    }

    /** Ends the call: the audio plays out, the last finals are delivered, then {@link Listener#onEnded}. Idempotent. */
    public synchronized void end() {
        CallHandle c = call;
        if (feeds == null) {
            c.close();
            return;
        }
        ParticipantIngest.closeAll(feeds).whenComplete((v, e) -> c.close());
        feeds = null;
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
