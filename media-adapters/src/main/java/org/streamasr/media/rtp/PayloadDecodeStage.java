package org.streamasr.media.rtp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.streamasr.media.AudioLevel;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.codec.AudioDecoder;
import org.streamasr.media.pipeline.AudioBlock;
import org.streamasr.media.pipeline.AudioSegment;
import org.streamasr.media.pipeline.Stage;

/**
 * Decodes packets in playout order and fills the timeline between them according to the {@link GapPolicy}: a packet
 * becomes an {@link AudioBlock} of [concealment] [silence] [FEC recovery] audio; the audio carries the packet's
 * RFC 6464 level when it had one. Keeps one decoder per payload type
 * (a sender may switch codec mid-call) and owns them: {@link #close()} closes them all.
 *
 * <p>Drops, counted per reason: {@code undecodable} (the codec rejected the payload; its slot is then concealed
 * as a loss), {@code oversized-frame} (more than 200 ms in one packet: RFC 3551 §4.2 asks receivers to accept 0 to 200
 * ms; ffmpeg sends G.711 in 126 ms packets and G.722 in 182 ms ones), {@code no-decoder} (payload type not in the
 * map by the time it reaches the decoder).
 */
final class PayloadDecodeStage extends Stage<PlayoutPacket, AudioBlock> implements AutoCloseable {
    static final int MAX_PACKET_MS = 200;
    private static final long NONE = Long.MIN_VALUE;

    private final PayloadTypeMap types;
    private final IntFunction<AudioDecoder> decoderFactory;
    private final GapPolicy policy;
    private final RtpStreamStats stats;
    private final Map<Integer, AudioDecoder> decoders = new HashMap<>();
    private AudioDecoder current;
    private final long arrivalSlackNanos;
    private long expectedTs = NONE;
    private long lastArrival;
    private boolean lossPending;
    private short[] buf = new short[1920];

    /**
     * @param decoderFactory    opens the decoder for a payload type of {@code types}
     * @param arrivalSlackNanos how much more media than the arrival times show a gap may be filled with (jitter)
     */
    PayloadDecodeStage(PayloadTypeMap types, IntFunction<AudioDecoder> decoderFactory, GapPolicy policy,
            long arrivalSlackNanos, RtpStreamStats stats, DropCounter drops) {
        super("decode", drops);
        this.arrivalSlackNanos = arrivalSlackNanos;
        this.types = types;
        this.decoderFactory = decoderFactory;
        this.policy = policy;
        this.stats = stats;
    }

    @Override
    protected AudioBlock transform(PlayoutPacket pp) {
        RtpPacket p = pp.packet();
        AudioDecoder d = decoderFor(p.payloadType());
        if (d == null) {
            drops().drop("no-decoder", "payload type " + p.payloadType());
            return null;
        }
        int clock = d.spec().clockRate();
        int rate = d.sampleRate();
        byte[] data = p.buffer();
        int off = p.payloadOffset();
        int len = p.payloadLength();
        int n = d.samplesIn(data, off, len);
        if (n == AudioDecoder.UNDECODABLE) {
            drops().drop("undecodable", d.spec() + " payload of " + len + " bytes");
            lossPending = true;
            return null;
        }
        if (n > rate * MAX_PACKET_MS / 1000) {
            drops().drop("oversized-frame", n + " samples in one " + d.spec() + " packet");
            lossPending = true;
            return null;
        }
        List<AudioSegment> segments = new ArrayList<>(2);
        if (d != current) {
            // codec switch: the new decoder's output starts its own run; the resampler stage follows the rate
            if (current != null) stats.rebase(0);
            current = d;
            expectedTs = NONE;
        }
        if (pp.discontinuity() && expectedTs != NONE) {
            stats.rebase(0);
            expectedTs = NONE;
        }
        if (expectedTs != NONE) {
            long gapTicks = pp.timestampIndex() - expectedTs;
            long tolerance = clock / 100; // 10 ms of slack for senders whose timestamps wobble
            if (gapTicks > tolerance || (gapTicks > 0 && (pp.lostBefore() > 0 || lossPending))) {
                // never more fill than the time that really passed: timestamps from a broken or hostile sender
                // must not turn one packet into seconds of silence
                long elapsed = Math.max(0, p.arrivalNanos() - lastArrival) + arrivalSlackNanos;
                long plausible = (long) (elapsed / 1e9 * rate);
                fillGap(d, gapTicks * rate / clock, plausible, pp.lostBefore() > 0 || lossPending, data, off, len,
                        segments);
            } else if (gapTicks < -tolerance) {
                stats.rebase(0);
            }
        }
        ensure(n);
        int got = d.decode(data, off, len, buf);
        if (got == AudioDecoder.UNDECODABLE) {
            drops().drop("undecodable", d.spec() + " payload of " + len + " bytes");
            lossPending = true;
            return segments.isEmpty() ? null : new AudioBlock(rate, segments);
        }
        segments.add(new AudioSegment(Arrays.copyOf(buf, got), PcmFrame.Kind.AUDIO, senderLevel(p)));
        stats.decoded(got * 1000L / rate);
        expectedTs = pp.timestampIndex() + (long) got * clock / rate;
        lastArrival = p.arrivalNanos();
        lossPending = false;
        return new AudioBlock(rate, segments);
    }

    private void fillGap(AudioDecoder d, long gapSamples, long plausible, boolean lost, byte[] next, int off, int len,
            List<AudioSegment> out) {
        int rate = d.sampleRate();
        long maxFill = policy.maxFill().toMillis() * rate / 1000;
        long fill = Math.min(gapSamples, Math.min(maxFill, plausible));
        if (fill < gapSamples) stats.rebase((gapSamples - fill) * 1000 / rate);
        if (!lost) {
            addSilence(out, fill, rate);
            return;
        }
        int quantum = Math.max(1, rate / 400);
        int fec = (int) Math.min(d.recoverableSamples(next, off, len), fill);
        fec -= fec % quantum;
        long plc = Math.min(fill - fec, policy.maxConcealment().toMillis() * rate / 1000);
        long silence = fill - fec - plc;
        if (plc > 0) {
            ensure((int) plc);
            d.conceal(buf, (int) plc);
            out.add(new AudioSegment(Arrays.copyOf(buf, (int) plc), PcmFrame.Kind.CONCEALED));
            stats.concealed(plc * 1000 / rate);
        }
        addSilence(out, silence, rate);
        if (fec > 0) {
            ensure(fec);
            int got = d.recover(next, off, len, buf, fec);
            if (got != fec) {
                d.conceal(buf, fec);
                stats.concealed(fec * 1000L / rate);
            } else {
                stats.fecRecovered(fec * 1000L / rate);
            }
            out.add(new AudioSegment(Arrays.copyOf(buf, fec), PcmFrame.Kind.CONCEALED));
        }
    }

    /** The packet's RFC 6464 level, carried on the audio decoded from it. */
    private static AudioLevel senderLevel(RtpPacket p) {
        return p.audioLevel() == RtpPacket.NO_AUDIO_LEVEL ? AudioLevel.NONE : AudioLevel.of(p.audioLevel(), p.voiceActivity());
    }

    private void addSilence(List<AudioSegment> out, long samples, int rate) {
        if (samples <= 0) return;
        out.add(AudioSegment.silence((int) samples));
        stats.silence(samples * 1000 / rate);
    }

    private AudioDecoder decoderFor(int pt) {
        AudioDecoder d = decoders.get(pt);
        if (d == null && types.codec(pt).isPresent()) {
            d = decoderFactory.apply(pt);
            decoders.put(pt, d);
        }
        return d;
    }

    private void ensure(int n) {
        if (buf.length < n) buf = new short[n];
    }

    /** End of stream: the decoders are closed (they hold back nothing). */
    @Override
    public void finish() {
        close();
    }

    @Override
    public void close() {
        decoders.values().forEach(AudioDecoder::close);
        decoders.clear();
    }
}
