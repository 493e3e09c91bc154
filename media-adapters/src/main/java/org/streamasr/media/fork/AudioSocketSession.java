package org.streamasr.media.fork;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
import org.streamasr.media.ingest.InterleavedPcm;
import org.streamasr.media.ingest.LinearPcmCheck;
import org.streamasr.media.ingest.ParticipantIngest;

/**
 * The protocol of one Asterisk AudioSocket connection, free of sockets: messages of a 1-byte kind, a 2-byte
 * big-endian length and the payload. {@code 0x01} (16-byte UUID, first) opens the call; audio kinds carry signed
 * linear little-endian mono at the rate {@link AudioSocketConfig#kindRates()} gives; {@code 0x03} is a DTMF digit,
 * {@code 0xff} an error report, {@code 0x00} the hangup. A length beyond the configured maximum means the stream is
 * broken (no resynchronisation is possible in a TLV stream): the connection closes.
 *
 * <p>The transport reads into {@link #buffer()} and calls {@link #process()}; everything runs on the transport's one
 * thread except {@link #onCallEnded}, which only asks the transport to close.
 */
final class AudioSocketSession implements TranscriptListener {
    static final String COMPONENT = "audiosocket";
    static final int KIND_HANGUP = 0x00;
    static final int KIND_ID = 0x01;
    static final int KIND_DTMF = 0x03;
    static final int KIND_ERROR = 0xff;

    /** How the session asks its transport to close the connection (from any thread). */
    interface Closer {
        void close(String reason);
    }

    private final CallSink sink;
    private final AudioSocketConfig config;
    private final MediaMetrics metrics;
    private final DropCounter drops;
    private final Closer closer;
    private final ByteBuffer in;
    private final String remote;
    private CallHandle call;
    private final Executor mediaPool;
    private ParticipantIngest feed;
    private InterleavedPcm audio;
    private int audioRate;
    private boolean ended;

    AudioSocketSession(CallSink sink, AudioSocketConfig config, MediaMetrics metrics, Executor mediaPool, Closer closer,
                       String remote) {
        this.sink = sink;
        this.mediaPool = mediaPool;
        this.config = config;
        this.metrics = metrics;
        this.drops = metrics.dropCounter(COMPONENT);
        this.closer = closer;
        this.remote = remote;
        this.in = ByteBuffer.allocate(3 + config.maxPayloadBytes());
    }

    /** Where the transport puts what it reads (in write mode between {@link #process} calls). */
    ByteBuffer buffer() {
        return in;
    }

    /** Copies {@code data} in and processes it, piece by piece (for transports that do not read into {@link #buffer()}). */
    boolean receive(ByteBuffer data) {
        while (data.hasRemaining()) {
            int n = Math.min(in.remaining(), data.remaining());
            ByteBuffer slice = data.slice();
            slice.limit(n);
            in.put(slice);
            data.position(data.position() + n);
            if (!process()) return false;
        }
        return true;
    }

    /**
     * Handles every complete message in the buffer and keeps a partial one for later.
     *
     * @return false when the connection must close (hangup, or a broken stream)
     */
    boolean process() {
        in.flip();
        try {
            while (in.remaining() >= 3 && !ended) {
                int p = in.position();
                int kind = in.get(p) & 0xff;
                int length = in.getShort(p + 1) & 0xffff;
                if (length > config.maxPayloadBytes()) {
                    drops.drop("frame-too-long", remote + ": kind 0x" + Integer.toHexString(kind) + " length " + length
                            + " > " + config.maxPayloadBytes() + "; closing");
                    end();
                    return false;
                }
                if (in.remaining() < 3 + length) break;
                ByteBuffer payload = in.slice();
                payload.position(3).limit(3 + length);
                in.position(p + 3 + length);
                if (!dispatch(kind, payload.slice())) return false;
            }
            return !ended;
        } finally {
            in.compact();
        }
    }

    private boolean dispatch(int kind, ByteBuffer payload) {
        switch (kind) {
            case KIND_HANGUP -> {
                metrics.counter(COMPONENT + ".hangups").increment();
                end();
                return false;
            }
            case KIND_ID -> {
                return onId(payload);
            }
            case KIND_DTMF -> metrics.counter(COMPONENT + ".dtmf").increment();
            case KIND_ERROR -> drops.drop("remote-error", remote + ": Asterisk reports error "
                    + (payload.hasRemaining() ? "0x" + Integer.toHexString(payload.get(0) & 0xff) : "(no code)"));
            default -> {
                Integer rate = config.kindRates().get(kind);
                if (rate == null) {
                    drops.drop("unknown-kind", remote + ": kind 0x" + Integer.toHexString(kind) + ", " + payload.remaining() + " bytes");
                } else {
                    onAudio(kind, rate, payload);
                }
            }
        }
        return true;
    }

    private boolean onId(ByteBuffer payload) {
        if (payload.remaining() != 16) {
            drops.drop("bad-uuid", remote + ": id of " + payload.remaining() + " bytes, not 16");
            return true;
        }
        if (call != null) {
            drops.drop("duplicate-uuid", remote);
            return true;
        }
        String id = new UUID(payload.getLong(0), payload.getLong(8)).toString();
        try {
            call = sink.openCall(new CallSpec(id, "asterisk", null, Map.of("transport", "audiosocket", "remote", remote)), this);
        } catch (CallRejectedException e) {
            drops.drop("call-rejected", id + ": " + e.getMessage());
            ended = true;
            return false;
        }
        metrics.counter(COMPONENT + ".calls.opened").increment();
        return true;
    }

    private void onAudio(int kind, int rate, ByteBuffer payload) {
        if (call == null) {
            drops.drop("audio-before-uuid", remote + ": " + payload.remaining() + " bytes");
            return;
        }
        if (feed == null) {
            feed = ParticipantIngest.builder(call.openParticipant(ParticipantSpec.of("caller")), mediaPool, metrics,
                    COMPONENT).build();
        }
        if (audio == null || rate != audioRate) {
            if (audio != null) {
                // the participant's resampler finishes the old rate's filter and continues at the new one
                drops.drop("rate-change", remote + ": " + audioRate + " Hz to " + rate + " Hz");
            }
            audio = new InterleavedPcm(List.of(feed), rate, false);
            audioRate = rate;
        }
        // only 8 kHz frames: that is where a channel's G.711 ends up (oversampled linear audio lingers near its
        // peaks, where a sample's two bytes can be alike)
        if (rate == 8000 && LinearPcmCheck.plainlyNotLinear(payload, ByteOrder.LITTLE_ENDIAN)) {
            // transcribing this would give noise-words: Asterisk sent its channel's codec in frames marked slin
            drops.drop("not-linear-pcm", remote + ": kind 0x" + Integer.toHexString(kind) + " audio is not "
                    + "16-bit linear PCM (mu-law or A-law marked slin? dial with AudioSocket/host:port/uuid/c(slin16))");
            return;
        }
        int dropped = audio.acceptWhole(payload);
        if (dropped > 0) drops.drop("odd-length-audio", remote + ": " + dropped + " trailing byte of a 16-bit sample");
    }

    /** The connection is gone (hangup, closed by Asterisk, idle, or shutdown): the call ends and its finals follow. */
    void end() {
        ended = true;
        CallHandle c = call;
        var closing = feed != null ? feed.close() : java.util.concurrent.CompletableFuture.<Void>completedFuture(null);
        audio = null;
        feed = null;
        call = null;
        if (c != null) closing.whenComplete((v, e) -> c.close());
    }

    boolean hasCall() {
        return call != null;
    }

    @Override
    public void onTranscript(TranscriptEvent event) {
        // AudioSocket has no channel for results: the server's captions carry them.
    }

    @Override
    public void onCallEnded(String callId, String reason) {
        closer.close("call ended: " + reason);
    }
}
