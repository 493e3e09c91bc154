package org.streamasr.media.jitsi;

import org.streamasr.media.DropCounter;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.codec.AudioDecoder;
import org.streamasr.media.codec.AudioDecoders;
import org.streamasr.media.codec.CodecSpec;
import org.streamasr.media.adapter.PacketClock;
import org.streamasr.media.adapter.ParticipantFeed;
import org.streamasr.media.adapter.ResampledFeed;

/**
 * One source tag of a MEDIAJSON connection: its decoder, its packet clock and its participant's feed.
 *
 * <p>A packet whose {@code chunk} is not past the last one is a duplicate or late and is dropped ({@code chunkDelta
 * <= 0}, as Jitsi's own transcriber proxy does). A timestamp gap before a packet is covered in order: when packets
 * were lost, up to {@code concealCap} of it with the codec's concealment (Opus PLC, and for the end of a loss that
 * fits the cap, the in-band FEC of the packet that follows); the rest, and gaps with no loss (DTX, a muted
 * microphone), with silence up to {@code silenceCap}, beyond which the media clock jumps.
 */
final class SourceStream {
    private final String tag;
    private final ParticipantFeed feed;
    private final MediaJsonConfig config;
    private final MediaMetrics metrics;
    private final DropCounter drops;

    private AudioDecoder decoder;
    private ResampledFeed audio;
    private PacketClock clock;
    private String format;

    SourceStream(MediaJsonCodec.Start start, AudioDecoder decoder, ParticipantFeed feed, MediaJsonConfig config,
                 MediaMetrics metrics, DropCounter drops) {
        this.tag = start.tag();
        this.feed = feed;
        this.config = config;
        this.metrics = metrics;
        this.drops = drops;
        use(decoder, start);
    }

    /**
     * The decoder for a start event's format: Opus (what the bridge sends; its clock is 48 kHz whatever the event
     * says), G.711, G.722, or L16 at any rate and channel count. {@code null} when the format is not one of these.
     *
     * @throws IllegalStateException when the codec's native library cannot be loaded
     */
    static AudioDecoder openDecoder(MediaJsonCodec.Start start) {
        AudioCodec codec = AudioCodec.byName(start.encoding()).orElse(null);
        if (codec == null) return null;
        CodecSpec spec;
        try {
            spec = codec == AudioCodec.L16 ? CodecSpec.l16(start.sampleRate(), start.channels()) : CodecSpec.of(codec);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return AudioDecoders.open(spec);
    }

    String participantId() {
        return feed.participantId();
    }

    /**
     * A second {@code start} for this tag: the same format continues the stream (a new talk, or a repeat); a new
     * format gets a new decoder on the same participant.
     *
     * @return false when the new format is not supported (the stream keeps its old decoder)
     */
    boolean restart(MediaJsonCodec.Start start) {
        if (formatOf(start).equals(format)) {
            if (start.timestamp() == null) drops.drop("duplicate-start", "tag " + tag);
            return true;
        }
        AudioDecoder next = openDecoder(start);
        if (next == null) return false;
        decoder.close();
        audio.flush();
        use(next, start);
        metrics.counter(MediaJsonSession.COMPONENT + ".sources.format-changes").increment();
        return true;
    }

    private void use(AudioDecoder d, MediaJsonCodec.Start start) {
        decoder = d;
        audio = new ResampledFeed(feed, d.sampleRate());
        clock = new PacketClock(d.spec().clockRate());
        format = formatOf(start);
    }

    void onMedia(MediaJsonCodec.Media media) {
        if (!clock.isNew(media.chunk())) {
            drops.drop("out-of-order", "tag " + tag + " chunk " + media.chunk() + " not after the last one");
            return;
        }
        if (!clock.plausible(media.timestamp())) {
            drops.drop("timestamp-regression", "tag " + tag + " timestamp " + media.timestamp() + " after " + clock.lastTimestamp());
            return;
        }
        byte[] payload = media.payload();
        int n = decoder.samplesIn(payload, 0, payload.length);
        if (n == AudioDecoder.UNDECODABLE) {
            drops.drop("undecodable", "tag " + tag + " chunk " + media.chunk() + " (" + payload.length + " bytes)");
            return;
        }
        long gap = clock.gapBefore(media.timestamp());
        if (gap > 0) fillGap(gap * decoder.sampleRate() / clock.clockRate(), clock.lostBefore(media.chunk()), payload);
        short[] pcm = new short[n];
        int got = decoder.decode(payload, 0, payload.length, pcm);
        if (got == AudioDecoder.UNDECODABLE) {
            clock.accept(media.chunk(), media.timestamp(), 0);
            drops.drop("undecodable", "tag " + tag + " chunk " + media.chunk() + " (" + payload.length + " bytes)");
            return;
        }
        clock.accept(media.chunk(), media.timestamp(), (long) got * clock.clockRate() / decoder.sampleRate());
        audio.push(pcm, 0, got, PcmFrame.Kind.AUDIO);
        metrics.counter(MediaJsonSession.COMPONENT + ".packets.decoded").increment();
    }

    /** The sender marked the end of a talk: silence now lets the engine end the utterance without waiting. */
    void endTalk() {
        audio.silence(samples(config.silenceCap().toMillis()));
    }

    void close() {
        decoder.close();
        audio.close();
    }

    /** Covers {@code gap} samples (at the decoder's rate) before the packet {@code next}. */
    private void fillGap(long gap, long lost, byte[] next) {
        long concealed = 0;
        if (lost > 0) {
            long cap = samples(config.concealCap().toMillis());
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
                    metrics.counter(MediaJsonSession.COMPONENT + ".samples.fec").add(fec);
                } else {
                    short[] p = new short[fec];
                    decoder.conceal(p, fec);
                    System.arraycopy(p, 0, c, plc, fec);
                }
            }
            if (want > 0) audio.push(c, 0, want, PcmFrame.Kind.CONCEALED);
            concealed = want;
            metrics.counter(MediaJsonSession.COMPONENT + ".samples.concealed").add(want);
        }
        long silence = audio.fillGap(gap - concealed, samples(config.silenceCap().toMillis()));
        metrics.counter(MediaJsonSession.COMPONENT + ".samples.silence").add(silence);
    }

    private long samples(long millis) {
        return millis * decoder.sampleRate() / 1000;
    }

    private static String formatOf(MediaJsonCodec.Start start) {
        return start.encoding() + "/" + start.sampleRate() + "/" + start.channels();
    }
}
