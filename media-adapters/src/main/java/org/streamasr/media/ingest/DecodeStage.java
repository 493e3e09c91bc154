package org.streamasr.media.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.streamasr.media.AudioLevel;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.adapter.PacketClock;
import org.streamasr.media.codec.AudioDecoder;
import org.streamasr.media.pipeline.AudioBlock;
import org.streamasr.media.pipeline.AudioSegment;
import org.streamasr.media.pipeline.Stage;
import org.streamasr.runtime.DropCounter;

/**
 * The one decode stage of every adapter: decodes packets and fills the timeline between them. A packet becomes an
 * {@link AudioBlock} of [concealment] [silence] [FEC recovery] audio, the audio carrying the packet's sender level.
 *
 * <p>The gap before a packet (its timestamp past the end of the previous one, more than {@code tolerance}, or any
 * gap after a loss) is filled, up to {@code maxFill} and, where arrival times are trusted, never more than the time
 * that really passed between the two packets' arrivals plus a slack:
 * <ul>
 *   <li>a <b>loss</b> (packets skipped, or one that did not decode) with the in-band FEC of the next packet for its
 *       last frame, codec PLC up to {@code maxConcealment}, then silence up to {@code maxSilence};</li>
 *   <li>a <b>pause</b> (timestamps jump, nothing lost: DTX, a muted sender) with silence up to {@code maxSilence}.</li>
 * </ul>
 * What is left unfilled either moves the media clock on ({@link AudioSegment#skipBefore()}: MEDIAJSON, Twilio) or
 * re-bases the timeline so audio follows the filled part directly (RTP; {@link DecodeStats#rebased}).
 *
 * <p>Streams over TCP (MEDIAJSON, Twilio) are ordered here by their sequence index ({@link Builder#orderByIndex}):
 * a packet not past the last one is a duplicate or late and is dropped ({@code out-of-order}), as is a timestamp
 * that does not move forward ({@code timestamp-regression}). RTP arrives ordered by its jitter buffer.
 *
 * <p>Keeps one decoder per format (a sender may switch codec mid-call) and owns them: {@link #finish()} closes them
 * all. Drops, counted per reason: {@code undecodable} (its slot is then concealed as a loss), {@code oversized-frame}
 * (more than {@code maxPacket} in one packet), {@code no-decoder} (a format the stream does not know).
 */
public final class DecodeStage extends Stage<EncodedPacket, AudioBlock> {
    private static final long NONE = Long.MIN_VALUE;

    /** A format's decoder and its timestamp units per second. */
    private record Format(AudioDecoder decoder, int clockRate) {
    }

    private final String label;
    private final IntFunction<AudioDecoder> opener;
    private final DecodeStats stats;
    private final Duration maxConcealment;
    private final Duration maxSilence;
    private final Duration maxFill;
    private final Duration tolerance;
    private final long arrivalSlackNanos;
    private final long maxPacketMillis;
    private final boolean moveClock;
    private final boolean orderByIndex;
    private final Map<Integer, Format> formats = new HashMap<>();
    private Format current;
    private Format primary;
    private PacketClock order;
    private long expectedTs = NONE;
    private long lastArrival;
    private boolean lossPending;
    private short[] buf = new short[1920];

    private DecodeStage(Builder b) {
        super("decode", b.drops);
        this.label = b.label;
        this.opener = b.opener;
        this.stats = b.stats;
        this.maxConcealment = b.maxConcealment;
        this.maxSilence = b.maxSilence;
        this.maxFill = b.maxFill;
        this.tolerance = b.tolerance;
        this.arrivalSlackNanos = b.arrivalSlackNanos;
        this.maxPacketMillis = b.maxPacketMillis;
        this.moveClock = b.moveClock;
        this.orderByIndex = b.orderByIndex;
        if (b.decoder != null) use(b.decoder, b.clockRate);
    }

    /**
     * @param label names the stream in drop details ("tag alice-1234", "rtp")
     * @param stats where decoded, concealed, recovered and silent samples are counted
     */
    public static Builder builder(String label, DecodeStats stats, DropCounter drops) {
        return new Builder(label, stats, drops);
    }

    /** Continues a single-format stream with a new decoder (the sender changed format); the old ones are closed. */
    public void switchDecoder(AudioDecoder next, int clockRate) {
        closeDecoders();
        use(next, clockRate);
    }

    private void use(AudioDecoder decoder, int clockRate) {
        primary = new Format(decoder, clockRate);
        formats.put(0, primary);
        current = null;
        expectedTs = NONE;
        lossPending = false;
        if (orderByIndex) order = new PacketClock(clockRate);
    }

    /** The rate of the decoder in use (of the single format before the first packet). */
    public int sampleRate() {
        Format f = current != null ? current : primary;
        if (f == null) throw new IllegalStateException("no decoder yet");
        return f.decoder.sampleRate();
    }

    @Override
    protected AudioBlock transform(EncodedPacket p) {
        if (order != null) {
            if (!order.isNew(p.index())) {
                drops().drop("out-of-order", label + " chunk " + p.index() + " not after the last one");
                return null;
            }
            if (!order.plausible(p.timestamp())) {
                drops().drop("timestamp-regression", label + " timestamp " + p.timestamp() + " after "
                        + order.lastTimestamp());
                return null;
            }
        }
        Format f = formatFor(p.format());
        if (f == null) {
            drops().drop("no-decoder", label + ": format " + p.format());
            return null;
        }
        AudioDecoder d = f.decoder;
        int clock = f.clockRate;
        int rate = d.sampleRate();
        byte[] data = p.data();
        int off = p.offset();
        int len = p.length();
        int n = d.samplesIn(data, off, len);
        if (n == AudioDecoder.UNDECODABLE) {
            drops().drop("undecodable", label + " packet " + p.index() + ": " + d.spec() + " payload of " + len + " bytes");
            lossPending = true;
            return null;
        }
        if (n > rate * maxPacketMillis / 1000) {
            drops().drop("oversized-frame", n + " samples in one " + d.spec() + " packet");
            lossPending = true;
            return null;
        }
        boolean lost = (order != null ? order.lostBefore(p.index()) : p.lostBefore()) > 0 || lossPending;
        List<AudioSegment> segments = new ArrayList<>(3);
        if (f != current) {
            // codec switch: the new decoder's output starts its own run; the resampler stage follows the rate
            if (current != null) stats.rebased(0, rate);
            current = f;
            expectedTs = NONE;
        }
        if (p.discontinuity() && expectedTs != NONE) {
            stats.rebased(0, rate);
            expectedTs = NONE;
        }
        long skip = 0;
        if (expectedTs != NONE) {
            long gapTicks = p.timestamp() - expectedTs;
            long toleranceTicks = tolerance.toMillis() * clock / 1000; // for senders whose timestamps wobble
            if (gapTicks > toleranceTicks || (gapTicks > 0 && lost)) {
                long gap = gapTicks * rate / clock;
                long filled = fillGap(d, gap, plausibleFill(p, rate), lost, p, segments);
                if (filled < gap) {
                    if (moveClock) {
                        skip = gap - filled;
                    } else {
                        stats.rebased(gap - filled, rate);
                    }
                }
            } else if (gapTicks < -toleranceTicks) {
                stats.rebased(0, rate);
            }
        }
        ensure(n);
        int got = d.decode(data, off, len, buf);
        if (got == AudioDecoder.UNDECODABLE) {
            drops().drop("undecodable", label + " packet " + p.index() + ": " + d.spec() + " payload of " + len + " bytes");
            lossPending = true;
            if (order != null) order.accept(p.index(), p.timestamp(), 0);
            if (skip > 0) segments.add(new AudioSegment(new short[0], PcmFrame.Kind.SILENCE, AudioLevel.NONE, skip));
            return segments.isEmpty() ? null : new AudioBlock(rate, segments);
        }
        segments.add(new AudioSegment(Arrays.copyOf(buf, got), PcmFrame.Kind.AUDIO, p.level(), skip));
        stats.decoded(got, rate);
        long duration = (long) got * clock / rate;
        if (order != null) order.accept(p.index(), p.timestamp(), duration);
        expectedTs = p.timestamp() + duration;
        lastArrival = p.arrivalNanos();
        lossPending = false;
        return new AudioBlock(rate, segments);
    }

    /** Never more fill than the time that really passed: a broken or hostile sender's timestamps alone cannot. */
    private long plausibleFill(EncodedPacket p, int rate) {
        if (arrivalSlackNanos < 0) return Long.MAX_VALUE;
        long elapsed = Math.max(0, p.arrivalNanos() - lastArrival) + arrivalSlackNanos;
        return (long) (elapsed / 1e9 * rate);
    }

    /**
     * Covers up to {@code gap} samples before the packet {@code next}: concealment, silence, FEC recovery.
     *
     * @return the samples filled
     */
    private long fillGap(AudioDecoder d, long gap, long plausible, boolean lost, EncodedPacket next,
            List<AudioSegment> out) {
        int rate = d.sampleRate();
        long fill = Math.min(gap, Math.min(samples(maxFill, rate), plausible));
        long silenceCap = samples(maxSilence, rate);
        if (!lost) {
            long silence = Math.min(fill, silenceCap);
            addSilence(out, silence, rate);
            return silence;
        }
        byte[] data = next.data();
        int off = next.offset();
        int len = next.length();
        int quantum = Math.max(1, rate / 400);
        int fec = (int) Math.min(d.recoverableSamples(data, off, len), fill);
        fec -= fec % quantum;
        long plc = Math.min(fill - fec, samples(maxConcealment, rate));
        long silence = Math.min(fill - fec - plc, silenceCap);
        if (plc > 0) {
            ensure((int) plc);
            d.conceal(buf, (int) plc);
            out.add(new AudioSegment(Arrays.copyOf(buf, (int) plc), PcmFrame.Kind.CONCEALED));
            stats.concealed(plc, rate);
        }
        addSilence(out, silence, rate);
        if (fec > 0) {
            ensure(fec);
            if (d.recover(data, off, len, buf, fec) != fec) {
                d.conceal(buf, fec);
                stats.concealed(fec, rate);
            } else {
                stats.recovered(fec, rate);
            }
            out.add(new AudioSegment(Arrays.copyOf(buf, fec), PcmFrame.Kind.CONCEALED));
        }
        return plc + silence + fec;
    }

    private void addSilence(List<AudioSegment> out, long samples, int rate) {
        if (samples <= 0) return;
        out.add(AudioSegment.silence((int) samples));
        stats.silence(samples, rate);
    }

    private static long samples(Duration d, int rate) {
        return d.toMillis() * rate / 1000;
    }

    private Format formatFor(int format) {
        Format f = formats.get(format);
        if (f == null && opener != null) {
            AudioDecoder d = opener.apply(format);
            if (d == null) return null;
            f = new Format(d, d.spec().clockRate());
            formats.put(format, f);
        }
        return f;
    }

    private void ensure(int n) {
        if (buf.length < n) buf = new short[n];
    }

    /** End of stream: the decoders are closed (they hold back nothing). */
    @Override
    public void finish() {
        closeDecoders();
    }

    private void closeDecoders() {
        formats.values().forEach(f -> f.decoder.close());
        formats.clear();
        current = null;
        primary = null;
    }

    /** How a stream's decode stage fills gaps; the defaults are RTP's ({@code GapPolicy.DEFAULT}). */
    public static final class Builder {
        private final String label;
        private final DecodeStats stats;
        private final DropCounter drops;
        private AudioDecoder decoder;
        private int clockRate;
        private IntFunction<AudioDecoder> opener;
        private Duration maxConcealment = Duration.ofMillis(120);
        private Duration maxSilence = Duration.ofSeconds(2);
        private Duration maxFill = Duration.ofSeconds(2);
        private Duration tolerance = Duration.ZERO;
        private long arrivalSlackNanos = -1;
        private long maxPacketMillis = Long.MAX_VALUE / 1_000_000;
        private boolean moveClock;
        private boolean orderByIndex;

        private Builder(String label, DecodeStats stats, DropCounter drops) {
            this.label = label;
            this.stats = stats;
            this.drops = drops;
        }

        /** A single-format stream (format 0): its decoder, owned by the stage from now on, and its clock rate. */
        public Builder decoder(AudioDecoder decoder, int clockRate) {
            if (clockRate < 1) throw new IllegalArgumentException("clockRate must be >= 1");
            this.decoder = decoder;
            this.clockRate = clockRate;
            return this;
        }

        /**
         * A stream of several formats (RTP payload types), each opened on its first packet, on its codec's clock:
         * {@code opener} returns null for a format the stream does not know ({@code no-decoder}).
         */
        public Builder formats(IntFunction<AudioDecoder> opener) {
            this.opener = opener;
            return this;
        }

        /**
         * Fill caps: codec concealment of a loss up to {@code maxConcealment}, silence up to {@code maxSilence}, both
         * together up to {@code maxFill}; a gap shorter than {@code tolerance} with nothing lost is no gap.
         */
        public Builder gaps(Duration maxConcealment, Duration maxSilence, Duration maxFill, Duration tolerance) {
            this.maxConcealment = maxConcealment;
            this.maxSilence = maxSilence;
            this.maxFill = maxFill;
            this.tolerance = tolerance;
            return this;
        }

        /** Fills a gap with no more than the arrival times show passed, plus {@code slackNanos} (jitter). */
        public Builder boundByArrival(long slackNanos) {
            this.arrivalSlackNanos = slackNanos;
            return this;
        }

        /** Drops a packet holding more than {@code max} of audio ({@code oversized-frame}). */
        public Builder maxPacket(Duration max) {
            this.maxPacketMillis = max.toMillis();
            return this;
        }

        /** What a gap leaves unfilled moves the media clock on (else the timeline is re-based). */
        public Builder moveClockOverGaps() {
            this.moveClock = true;
            return this;
        }

        /** Orders packets by their index: a packet not past the last one is dropped (streams over TCP). */
        public Builder orderByIndex() {
            this.orderByIndex = true;
            return this;
        }

        public DecodeStage build() {
            if (decoder == null && opener == null) throw new IllegalStateException("no decoder: decoder() or formats()");
            return new DecodeStage(this);
        }
    }
}
