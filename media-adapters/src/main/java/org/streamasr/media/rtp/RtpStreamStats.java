package org.streamasr.media.rtp;

import java.util.concurrent.atomic.LongAdder;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.ingest.DecodeStats;

/**
 * Counters of one RTP stream, also added to the server-wide {@link MediaMetrics} counters
 * ({@code rtp.audio.ms}, {@code rtp.concealed.ms}, {@code rtp.fec.recovered.ms}, {@code rtp.silence.ms},
 * {@code rtp.timeline.rebased}, {@code rtp.timeline.skipped.ms}).
 */
public final class RtpStreamStats {
    private final LongAdder audioMs = new LongAdder();
    private final LongAdder concealedMs = new LongAdder();
    private final LongAdder fecMs = new LongAdder();
    private final LongAdder silenceMs = new LongAdder();
    private final LongAdder rebases = new LongAdder();
    private final LongAdder skippedMs = new LongAdder();
    private final MediaMetrics metrics;

    RtpStreamStats(MediaMetrics metrics) {
        this.metrics = metrics;
    }

    /** The decode stage's counts, in milliseconds as this stream keeps them. */
    DecodeStats decodeStats() {
        return new DecodeStats() {
            @Override
            public void decoded(int samples, int rate) {
                RtpStreamStats.this.decoded(samples * 1000L / rate);
            }

            @Override
            public void concealed(long samples, int rate) {
                RtpStreamStats.this.concealed(samples * 1000 / rate);
            }

            @Override
            public void recovered(long samples, int rate) {
                fecRecovered(samples * 1000 / rate);
            }

            @Override
            public void silence(long samples, int rate) {
                RtpStreamStats.this.silence(samples * 1000 / rate);
            }

            @Override
            public void rebased(long skipped, int rate) {
                rebase(skipped * 1000 / rate);
            }
        };
    }

    void decoded(long ms) {
        audioMs.add(ms);
        metrics.counter("rtp.audio.ms").add(ms);
    }

    void concealed(long ms) {
        concealedMs.add(ms);
        metrics.counter("rtp.concealed.ms").add(ms);
    }

    void fecRecovered(long ms) {
        fecMs.add(ms);
        metrics.counter("rtp.fec.recovered.ms").add(ms);
    }

    void silence(long ms) {
        silenceMs.add(ms);
        metrics.counter("rtp.silence.ms").add(ms);
    }

    void rebase(long skippedMillis) {
        rebases.increment();
        skippedMs.add(skippedMillis);
        metrics.counter("rtp.timeline.rebased").increment();
        metrics.counter("rtp.timeline.skipped.ms").add(skippedMillis);
    }

    public long audioMillis() {
        return audioMs.sum();
    }

    public long concealedMillis() {
        return concealedMs.sum();
    }

    public long fecRecoveredMillis() {
        return fecMs.sum();
    }

    public long silenceMillis() {
        return silenceMs.sum();
    }

    public long rebases() {
        return rebases.sum();
    }

    public long skippedMillis() {
        return skippedMs.sum();
    }

    @Override
    public String toString() {
        return "audio " + audioMillis() + " ms, concealed " + concealedMillis() + " ms (FEC " + fecRecoveredMillis()
                + " ms), silence " + silenceMillis() + " ms, rebased " + rebases() + "x (skipped " + skippedMillis()
                + " ms)";
    }
}
