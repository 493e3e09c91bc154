package org.streamasr.media.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.streamasr.media.AudioLevel;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.adapter.PacketClock;
import org.streamasr.media.codec.AudioDecoder;
import org.streamasr.media.pipeline.AudioBlock;
import org.streamasr.media.pipeline.AudioSegment;
import org.streamasr.media.pipeline.Stage;

/**
 * Orders, decodes and places the packets of a stream protocol (MEDIAJSON, Twilio: a sequence index and a timestamp
 * per packet, over TCP). A packet whose index is not past the last one is a duplicate or late and is dropped
 * ({@code out-of-order}, as Jitsi's transcriber proxy does; over TCP its place has already been filled). The gap
 * before a packet is covered in order: when packets were lost, up to {@code concealCap} of it with the codec's
 * concealment (Opus PLC; for the end of a loss that fits the cap, the in-band FEC of the packet that follows); the
 * rest, and gaps with no loss (DTX, a muted microphone), with silence up to {@code silenceCap}, beyond which the
 * media clock jumps ({@link AudioSegment#skipBefore()}). Owns its decoder.
 */
final class ChunkDecodeStage extends Stage<IngestItem.Packet, AudioBlock> {
    private final String label;
    private final Duration concealCap;
    private final Duration silenceCap;
    private final MediaMetrics metrics;
    private final String component;
    private AudioDecoder decoder;
    private PacketClock clock;

    ChunkDecodeStage(String label, AudioDecoder decoder, int clockRate, Duration concealCap, Duration silenceCap,
            MediaMetrics metrics, String component, DropCounter drops) {
        super("decode", drops);
        this.label = label;
        this.concealCap = concealCap;
        this.silenceCap = silenceCap;
        this.metrics = metrics;
        this.component = component;
        use(decoder, clockRate);
    }

    /** Continues with a new decoder (the sender changed format); the old one is closed. */
    void switchDecoder(AudioDecoder next, int clockRate) {
        decoder.close();
        use(next, clockRate);
    }

    private void use(AudioDecoder d, int clockRate) {
        decoder = d;
        clock = new PacketClock(clockRate);
    }

    int sampleRate() {
        return decoder.sampleRate();
    }

    @Override
    protected AudioBlock transform(IngestItem.Packet p) {
        long index = p.index();
        long timestamp = p.timestamp();
        byte[] payload = p.payload();
        if (!clock.isNew(index)) {
            drops().drop("out-of-order", label + " chunk " + index + " not after the last one");
            return null;
        }
        if (!clock.plausible(timestamp)) {
            drops().drop("timestamp-regression", label + " timestamp " + timestamp + " after " + clock.lastTimestamp());
            return null;
        }
        int n = decoder.samplesIn(payload, 0, payload.length);
        if (n == AudioDecoder.UNDECODABLE) {
            drops().drop("undecodable", label + " chunk " + index + " (" + payload.length + " bytes)");
            return null;
        }
        List<AudioSegment> segments = new ArrayList<>(3);
        long gap = clock.gapBefore(timestamp);
        long skip = gap > 0 ? fillGap(gap * decoder.sampleRate() / clock.clockRate(), clock.lostBefore(index), payload,
                segments) : 0;
        short[] pcm = new short[n];
        int got = decoder.decode(payload, 0, payload.length, pcm);
        if (got == AudioDecoder.UNDECODABLE) {
            clock.accept(index, timestamp, 0);
            drops().drop("undecodable", label + " chunk " + index + " (" + payload.length + " bytes)");
            if (skip > 0) segments.add(new AudioSegment(new short[0], PcmFrame.Kind.SILENCE, AudioLevel.NONE, skip));
            return segments.isEmpty() ? null : new AudioBlock(decoder.sampleRate(), segments);
        }
        clock.accept(index, timestamp, (long) got * clock.clockRate() / decoder.sampleRate());
        segments.add(new AudioSegment(got == n ? pcm : Arrays.copyOf(pcm, got), PcmFrame.Kind.AUDIO,
                AudioLevel.NONE, skip));
        metrics.counter(component + ".packets.decoded").increment();
        return new AudioBlock(decoder.sampleRate(), segments);
    }

    /** Silence for the sender's end of a talk: the engine can end the utterance without waiting. */
    AudioBlock endTalk() {
        return new AudioBlock(decoder.sampleRate(), List.of(AudioSegment.silence((int) samples(silenceCap.toMillis()))));
    }

    /**
     * Covers {@code gap} samples (at the decoder's rate) before the packet {@code next}: concealment, then silence.
     *
     * @return the samples of the gap left unfilled (the media clock jumps over them)
     */
    private long fillGap(long gap, long lost, byte[] next, List<AudioSegment> out) {
        long concealed = 0;
        if (lost > 0) {
            long cap = samples(concealCap.toMillis());
            int want = (int) Math.min(gap, cap);
            int quantum = Math.max(1, decoder.sampleRate() / 400);
            int fec = gap <= cap ? Math.min(decoder.recoverableSamples(next, 0, next.length), want) : 0;
            fec -= fec % quantum;
            short[] c = new short[want];
            int plc = want - fec;
            if (plc > 0) decoder.conceal(c, plc);
            if (fec > 0) {
                short[] r = new short[fec];
                if (decoder.recover(next, 0, next.length, r, fec) == fec) {
                    System.arraycopy(r, 0, c, plc, fec);
                    metrics.counter(component + ".samples.fec").add(fec);
                } else {
                    decoder.conceal(r, fec);
                    System.arraycopy(r, 0, c, plc, fec);
                }
            }
            if (want > 0) out.add(new AudioSegment(c, PcmFrame.Kind.CONCEALED));
            concealed = want;
            metrics.counter(component + ".samples.concealed").add(want);
        }
        long rest = Math.max(0, gap - concealed);
        long silence = Math.min(rest, Math.max(0, samples(silenceCap.toMillis())));
        if (silence > 0) out.add(AudioSegment.silence((int) silence));
        metrics.counter(component + ".samples.silence").add(silence);
        return rest - silence;
    }

    private long samples(long millis) {
        return millis * decoder.sampleRate() / 1000;
    }

    /** End of stream: the decoder is closed. */
    @Override
    public void finish() {
        decoder.close();
    }
}
