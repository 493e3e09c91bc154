package org.streamasr.media.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.codec.AudioDecoders;
import org.streamasr.media.codec.CodecSpec;
import org.streamasr.media.g711.G711;
import org.streamasr.media.pipeline.MediaExecutors;
import org.streamasr.media.pipeline.StageStats;
import org.streamasr.testing.SignalMetrics;

/** The one ingest pipeline without sockets: packets and PCM in, 16 kHz frames out. */
class ParticipantIngestTest {
    private final MediaMetrics metrics = new MediaMetrics();

    /** Frames pushed to one participant, and on which thread. */
    static final class Recorder implements ParticipantAudio {
        final List<PcmFrame> frames = new ArrayList<>();
        final List<String> threads = new ArrayList<>();
        volatile boolean closed;

        @Override
        public String participantId() {
            return "p";
        }

        @Override
        public synchronized void push(PcmFrame frame) {
            frames.add(frame);
            threads.add(Thread.currentThread().getName());
        }

        @Override
        public void close() {
            closed = true;
        }

        synchronized short[] samples() {
            int n = frames.stream().mapToInt(f -> f.samples().length).sum();
            short[] out = new short[n];
            int pos = 0;
            for (PcmFrame f : frames) {
                System.arraycopy(f.samples(), 0, out, pos, f.samples().length);
                pos += f.samples().length;
            }
            return out;
        }
    }

    private static byte[] ulaw(short[] tone, int off, int n) {
        byte[] p = new byte[n];
        for (int i = 0; i < n; i++) p[i] = G711.linearToUlaw(tone[off + i]);
        return p;
    }

    @Test
    void pcmuPacketsAreUpsampledTo16kContinuouslyAcrossPackets() {
        short[] tone = new short[8000];
        for (int i = 0; i < tone.length; i++) tone[i] = (short) (9000 * Math.sin(2 * Math.PI * 440 * i / 8000.0));
        Recorder r = new Recorder();
        ParticipantIngest in = ParticipantIngest.builder(r, Runnable::run, metrics, "test")
                .packets(AudioDecoders.open(CodecSpec.of(AudioCodec.PCMU)), 8000, Duration.ofMillis(60), Duration.ofSeconds(2))
                .build();
        for (int off = 0, seq = 0; off < tone.length; off += 160, seq++) in.onPacket(seq, off, ulaw(tone, off, 160));
        in.close();
        assertTrue(r.closed);
        short[] out = r.samples();
        assertEquals(16_000, out.length, "two output samples per input sample once drained");
        short[] ideal = new short[16_000];
        for (int i = 0; i < ideal.length; i++) ideal[i] = (short) (9000 * Math.sin(2 * Math.PI * 440 * i / 16000.0));
        SignalMetrics.Alignment a = SignalMetrics.align(ideal, out, 4);
        assertEquals(0, a.lag(), "no delay: " + a);
        assertTrue(a.snrDb() > 30, "µ-law quantisation bounds the SNR: " + a);
    }

    @Test
    void pcmAtAnyRateComesOutAt16kWithItsMediaTime() {
        Recorder r = new Recorder();
        ParticipantIngest in = ParticipantIngest.builder(r, Runnable::run, metrics, "test").build();
        in.onPcm(new short[320], 16_000);
        in.onPcm(new short[480], 24_000); // the rate changed: the filter restarts, the clock goes on
        in.close();
        assertEquals(320, r.frames.get(0).samples().length);
        assertEquals(0, r.frames.get(0).mediaTimeSamples());
        assertEquals(320, r.frames.get(1).mediaTimeSamples());
        assertEquals(320 + 320, r.samples().length, "24 kHz becomes 16 kHz once the filter is flushed");
    }

    @Test
    void decodingRunsOnTheMediaPoolAndCloseCompletesAfterTheLastFrame() throws Exception {
        try (MediaExecutors pool = MediaExecutors.create(1)) {
            Recorder r = new Recorder();
            ParticipantIngest in = ParticipantIngest.builder(r, pool.cpu(), metrics, "test")
                    .packets(AudioDecoders.open(CodecSpec.of(AudioCodec.PCMU)), 8000, Duration.ZERO, Duration.ofSeconds(2))
                    .build();
            short[] tone = new short[1600];
            for (int seq = 0; seq < 10; seq++) in.onPacket(seq, seq * 160L, ulaw(tone, seq * 160, 160));
            in.close().get(5, TimeUnit.SECONDS);
            assertTrue(r.closed);
            assertEquals(3200, r.samples().length);
            assertTrue(r.threads.stream().allMatch(t -> t.startsWith("media-cpu-")), r.threads.toString());
            assertNotEquals(Thread.currentThread().getName(), r.threads.get(0));
        }
    }

    @Test
    void oneWalkListsEveryStageInOrderWithItsCounts() {
        Recorder r = new Recorder();
        ParticipantIngest in = ParticipantIngest.builder(r, Runnable::run, metrics, "test")
                .packets(AudioDecoders.open(CodecSpec.of(AudioCodec.PCMU)), 8000, Duration.ZERO, Duration.ofSeconds(2))
                .build();
        in.onPacket(1, 0, new byte[160]);
        in.onPacket(1, 160, new byte[160]); // not after the last index: dropped
        in.close();
        List<StageStats> stats = in.stageStats();
        assertEquals(List.of("decode", "resample", "frame"), stats.stream().map(StageStats::stage).toList());
        assertEquals(2, stats.get(0).in());
        assertEquals(1, stats.get(0).dropped());
        assertEquals(1, metrics.dropCounter("test").count("out-of-order"));
    }

    @Test
    void aWorkerThatFallsBehindDropsTheOldestMediaAndCountsIt() {
        List<Runnable> parked = new ArrayList<>();
        Recorder r = new Recorder();
        ParticipantIngest in = ParticipantIngest.builder(r, parked::add, metrics, "test")
                .queueLimit(Duration.ofMillis(200)).build();
        for (int i = 0; i < 20; i++) {
            short[] s = new short[320];
            Arrays.fill(s, (short) i);
            in.onPcm(s, 16_000); // 20 ms each: 400 ms offered, 200 ms fit
        }
        assertEquals(10, metrics.dropCounter("test").count("queue-overflow"));
        parked.get(0).run();
        assertEquals(10, r.frames.size());
        assertEquals(10, r.frames.get(0).samples()[0], "the oldest went first");
    }
}
