package org.streamasr.media.rtp;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.codec.AudioDecoders;
import org.streamasr.media.ingest.DecodeStage;
import org.streamasr.media.pipeline.MediaTimer;
import org.streamasr.media.pipeline.MediaTimeline;
import org.streamasr.media.pipeline.PcmFramer;
import org.streamasr.media.pipeline.ResampleStage;
import org.streamasr.media.pipeline.SerialWorker;
import org.streamasr.media.pipeline.Stage;
import org.streamasr.media.pipeline.StageChain;
import org.streamasr.media.pipeline.StageStats;

/**
 * The receive pipeline of one participant's RTP audio:
 * <pre>
 *   network thread:  parsed packet → {@link RtpPacketQueue} (bounded, drop-oldest)
 *   stream worker:   → {@link JitterStage} → {@link DecodeStage} → {@link ResampleStage} (→ 16 kHz)
 *                    → {@link PcmFramer} → {@link ParticipantAudio#push}
 * </pre>
 * The worker runs on the shared CPU pool, one run at a time ({@link SerialWorker}); the media timer wakes it when a
 * jitter-buffer hole expires. A new SSRC on the same participant (the sender restarted) restarts the jitter buffer
 * and continues the participant's {@link MediaTimeline}.
 */
public final class RtpStream {
    private final String participantId;
    private final ParticipantAudio audio;
    private final LongSupplier clock;
    private final MediaTimer timer;
    private final RtpPacketQueue queue;
    private final JitterStage jitter;
    private final StageChain<RtpPacket> stages;
    private final SerialWorker worker;
    private final RtpStreamStats stats;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile boolean closing;
    private volatile long lastPacketNanos;
    private long currentSsrc = -1;
    private Runnable cancelWakeUp;
    private long wakeUpAt = Long.MAX_VALUE;

    private RtpStream(String participantId, ParticipantAudio audio, MediaTimeline timeline, PayloadTypeMap types,
            RtpStreamConfig config, Executor cpu, MediaTimer timer, LongSupplier clock, MediaMetrics metrics) {
        this.participantId = participantId;
        this.audio = audio;
        this.clock = clock;
        this.timer = timer;
        DropCounter drops = metrics.dropCounter("rtp");
        int clockRate = types.audioTypes().isEmpty()
                ? types.codec(-1).map(c -> c.clockRate()).orElse(8_000)
                : types.audioTypes().values().iterator().next().clockRate();
        this.stats = new RtpStreamStats(metrics);
        this.queue = new RtpPacketQueue(config.queueLimit().toMillis(), clockRate, drops);

        // packet → jitter → decode → resample → frames → participant
        this.jitter = new JitterStage(new JitterBuffer(config.jitterDepth().toNanos(), clockRate, 64, drops), drops);
        this.stages = StageChain.from(jitter)
                .thenEach(decodeStage(types, config, stats, metrics.dropCounter("decode")))
                .then(new ResampleStage(decoderRate(types), drops))
                .then(new PcmFramer(timeline, drops))
                .into(Stage.each(audio::push));

        this.worker = new SerialWorker(cpu, this::work, drops);
    }

    /**
     * The decode stage with RTP's gap policy: one decoder per payload type; a gap is filled up to the policy's
     * {@code maxFill} (concealment within it up to {@code maxConcealment}), never with more than the arrival times
     * show passed (plus the jitter depth and 100 ms); timestamps that wobble by up to 10 ms are no gap; more than
     * 200 ms in one packet is refused (RFC 3551 §4.2; ffmpeg sends G.711 in 126 ms packets, G.722 in 182 ms ones).
     * What is left unfilled re-bases the timeline.
     */
    private static DecodeStage decodeStage(PayloadTypeMap types, RtpStreamConfig config, RtpStreamStats stats,
            DropCounter drops) {
        GapPolicy gaps = config.gaps();
        return DecodeStage.builder("rtp", stats.decodeStats(), drops)
                .formats(pt -> types.codec(pt).map(AudioDecoders::open).orElse(null))
                .gaps(gaps.maxConcealment(), gaps.maxFill(), gaps.maxFill(), Duration.ofMillis(10))
                .boundByArrival(config.jitterDepth().toNanos() + 100_000_000L)
                .maxPacket(Duration.ofMillis(200))
                .build();
    }

    /** Builds the pipeline of one participant's stream; {@code audio} receives its frames. */
    static RtpStream open(String participantId, ParticipantAudio audio, MediaTimeline timeline, PayloadTypeMap types,
            RtpStreamConfig config, Executor cpu, MediaTimer timer, LongSupplier clock, MediaMetrics metrics) {
        return new RtpStream(participantId, audio, timeline, types, config, cpu, timer, clock, metrics);
    }

    private static int decoderRate(PayloadTypeMap types) {
        return types.audioTypes().values().stream().findFirst()
                .or(() -> types.codec(-1))
                .map(spec -> switch (spec.codec()) {
                    case OPUS, G722 -> 16_000;
                    case PCMU, PCMA -> 8_000;
                    case L16 -> spec.clockRate();
                })
                .orElse(16_000);
    }

    public String participantId() {
        return participantId;
    }

    /** From the network thread: hands a packet to the worker. Never blocks. */
    void offer(RtpPacket p) {
        lastPacketNanos = p.arrivalNanos();
        queue.offer(p);
        worker.request();
    }

    /** When the last packet arrived (the receiver's clock). */
    long lastPacketNanos() {
        return lastPacketNanos;
    }

    /**
     * Ends the stream: the worker plays out what is buffered, flushes the resampler, closes the decoders and then
     * the participant's audio (so its final transcript is produced). Completes when done.
     */
    CompletableFuture<Void> close() {
        closing = true;
        worker.request();
        return closed;
    }

    /** The worker body: one run, never concurrent with itself. */
    private void work() {
        if (closed.isDone()) return;
        for (RtpPacket p = queue.poll(); p != null; p = queue.poll()) {
            if (p.ssrc() != currentSsrc) {
                if (currentSsrc != -1) jitter.restart();
                currentSsrc = p.ssrc();
            }
            stages.process(p);
        }
        if (closing) {
            finish();
            return;
        }
        jitter.release(clock.getAsLong());
        scheduleWakeUp(jitter.nextDeadline());
    }

    private void finish() {
        try {
            stages.finish();
        } finally {
            if (cancelWakeUp != null) cancelWakeUp.run();
            audio.close();
            closed.complete(null);
        }
    }

    /** Asks the timer to wake the worker when the jitter buffer's next hole expires (one pending wake-up). */
    private void scheduleWakeUp(long deadline) {
        if (deadline == Long.MAX_VALUE || deadline == Long.MIN_VALUE) return;
        long now = clock.getAsLong();
        if (cancelWakeUp != null && wakeUpAt - now > 0 && wakeUpAt <= deadline) return;
        if (cancelWakeUp != null) cancelWakeUp.run();
        wakeUpAt = deadline;
        cancelWakeUp = timer.schedule(worker::request, Math.max(0, deadline - now));
    }

    public RtpStreamStats stats() {
        return stats;
    }

    public JitterBuffer.Stats jitterStats() {
        return jitter.bufferStats();
    }

    /** In/out/dropped/time of each stage, in pipeline order (one walk over the chain). */
    public java.util.List<StageStats> stageStats() {
        return stages.stats();
    }
}
