package org.streamasr.media.adapter;

import java.time.Duration;
import org.streamasr.media.DropCounter;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.codec.AudioDecoder;

/**
 * One participant's packetised audio (Jitsi MEDIAJSON, Twilio media): a sequence index and a timestamp per packet, a
 * decoder, and the participant's feed at 16 kHz. Confined to the connection's thread; owns the decoder.
 *
 * <p>A packet whose index is not past the last one is a duplicate or late and is dropped ({@code chunkDelta <= 0}, as
 * Jitsi's transcriber proxy does). The timestamp gap before a packet is covered in order: when packets were lost, up
 * to {@code concealCap} of it with the codec's concealment (Opus PLC; for the end of a loss that fits the cap, the
 * in-band FEC of the packet that follows; pitch repetition for waveform codecs); the rest, and gaps with no loss (DTX,
 * a muted microphone), with silence up to {@code silenceCap}, beyond which the media clock jumps.
 */
public final class PacketizedSource implements AutoCloseable {
    private final String label;
    private final ParticipantFeed feed;
    private final Duration concealCap;
    private final Duration silenceCap;
    private final MediaMetrics metrics;
    private final DropCounter drops;
    private final String component;

    private AudioDecoder decoder;
    private ResampledFeed audio;
    private PacketClock clock;

    /**
     * @param label     names the source in drop details ("tag alice-1234", "track inbound")
     * @param clockRate timestamp units per second of this source's packets
     */
    public PacketizedSource(String label, AudioDecoder decoder, int clockRate, ParticipantFeed feed, Duration concealCap,
                            Duration silenceCap, MediaMetrics metrics, String component) {
        this.label = label;
        this.feed = feed;
        this.concealCap = concealCap;
        this.silenceCap = silenceCap;
        this.metrics = metrics;
        this.component = component;
        this.drops = metrics.dropCounter(component);
        use(decoder, clockRate);
    }

    public String participantId() {
        return feed.participantId();
    }

    /** Continues the participant with a new decoder (the sender changed format); the old one is closed. */
    public void switchDecoder(AudioDecoder next, int clockRate) {
        decoder.close();
        audio.flush();
        use(next, clockRate);
    }

    private void use(AudioDecoder d, int clockRate) {
        decoder = d;
        audio = new ResampledFeed(feed, d.sampleRate());
        clock = new PacketClock(clockRate);
    }

    public void onPacket(long index, long timestamp, byte[] payload) {
        if (!clock.isNew(index)) {
            drops.drop("out-of-order", label + " chunk " + index + " not after the last one");
            return;
        }
        if (!clock.plausible(timestamp)) {
            drops.drop("timestamp-regression", label + " timestamp " + timestamp + " after " + clock.lastTimestamp());
            return;
        }
        int n = decoder.samplesIn(payload, 0, payload.length);
        if (n == AudioDecoder.UNDECODABLE) {
            drops.drop("undecodable", label + " chunk " + index + " (" + payload.length + " bytes)");
            return;
        }
        long gap = clock.gapBefore(timestamp);
        if (gap > 0) fillGap(gap * decoder.sampleRate() / clock.clockRate(), clock.lostBefore(index), payload);
        short[] pcm = new short[n];
        int got = decoder.decode(payload, 0, payload.length, pcm);
        if (got == AudioDecoder.UNDECODABLE) {
            clock.accept(index, timestamp, 0);
            drops.drop("undecodable", label + " chunk " + index + " (" + payload.length + " bytes)");
            return;
        }
        clock.accept(index, timestamp, (long) got * clock.clockRate() / decoder.sampleRate());
        audio.push(pcm, 0, got, PcmFrame.Kind.AUDIO);
        metrics.counter(component + ".packets.decoded").increment();
    }

    /** The sender marked the end of a talk: silence now lets the engine end the utterance without waiting. */
    public void endTalk() {
        audio.silence(samples(silenceCap.toMillis()));
    }

    /** Ends the participant's audio (its final follows) and frees the decoder. Idempotent. */
    @Override
    public void close() {
        decoder.close();
        audio.close();
    }

    /** Covers {@code gap} samples (at the decoder's rate) before the packet {@code next}. */
    private void fillGap(long gap, long lost, byte[] next) {
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
            if (want > 0) audio.push(c, 0, want, PcmFrame.Kind.CONCEALED);
            concealed = want;
            metrics.counter(component + ".samples.concealed").add(want);
        }
        long silence = audio.fillGap(gap - concealed, samples(silenceCap.toMillis()));
        metrics.counter(component + ".samples.silence").add(silence);
    }

    private long samples(long millis) {
        return millis * decoder.sampleRate() / 1000;
    }
}
