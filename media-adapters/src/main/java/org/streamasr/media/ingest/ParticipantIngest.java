package org.streamasr.media.ingest;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.streamasr.runtime.DropCounter;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.codec.AudioDecoder;
import org.streamasr.media.pipeline.AudioBlock;
import org.streamasr.media.pipeline.AudioSegment;
import org.streamasr.media.pipeline.MediaTimeline;
import org.streamasr.media.pipeline.PcmFramer;
import org.streamasr.media.pipeline.ResampleStage;
import org.streamasr.media.pipeline.SerialWorker;
import org.streamasr.media.pipeline.Stage;
import org.streamasr.media.pipeline.StageChain;
import org.streamasr.media.pipeline.StageStats;

/**
 * One participant's audio on its way from a protocol adapter into its ASR stream: the one ingest pipeline every
 * stream protocol uses.
 * <pre>
 *   network thread:  onPacket / onPcm / endTalk → {@link IngestQueue} (bounded in ms, drop-oldest, counted)
 *   media pool:      → {@link DecodeStage} (order by index, decode, conceal, fill gaps)   [packets only]
 *                    → {@link ResampleStage} (any rate → 16 kHz, one filter per participant)
 *                    → {@link PcmFramer} (media time, 100 ms silence frames) → {@link ParticipantAudio#push}
 * </pre>
 * The adapter's thread only parses and enqueues; decoding and resampling run on the media pool, one run at a time
 * per participant ({@link SerialWorker}). Statistics and teardown are one walk over the {@link StageChain}.
 * {@link #close()} plays out what is queued, flushes the resampler, closes the decoder and then the participant's
 * audio (its final follows), and completes its future when done.
 */
public final class ParticipantIngest {
    private final ParticipantAudio audio;
    private final String label;
    private final IngestQueue queue;
    private final DecodeStage decode;
    private final ResampleStage resample;
    private final StageChain<?> stages;
    private final SerialWorker worker;
    private final DropCounter drops;
    private final long silenceCapMillis;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile boolean closing;
    private int clockRate;
    private long lastTimestamp = Long.MIN_VALUE;
    private int lastPcmRate = PcmFrame.SAMPLE_RATE;

    private ParticipantIngest(Builder b) {
        this.audio = b.audio;
        this.label = b.label != null ? b.label : b.audio.participantId();
        this.drops = b.metrics.dropCounter(b.component);
        this.silenceCapMillis = b.silenceCap.toMillis();
        this.queue = new IngestQueue(b.queueLimit.toMillis(), drops);
        this.clockRate = b.clockRate;

        // [packet → decode] → resample → frames → participant
        MediaTimeline timeline = new MediaTimeline();
        this.resample = new ResampleStage(b.decoder != null ? b.decoder.sampleRate() : PcmFrame.SAMPLE_RATE, drops);
        PcmFramer framer = PcmFramer.cuttingSilenceOnly(timeline, drops);
        if (b.decoder != null) {
            // losses concealed up to the cap, then silence up to its cap; the media clock jumps over the rest
            this.decode = DecodeStage.builder(label, counters(b.metrics, b.component), drops)
                    .decoder(b.decoder, b.clockRate)
                    .gaps(b.concealCap, b.silenceCap, b.concealCap.plus(b.silenceCap), Duration.ZERO)
                    .moveClockOverGaps()
                    .orderByIndex()
                    .build();
            this.stages = StageChain.from(decode).then(resample).then(framer).into(Stage.each(audio::push));
        } else {
            this.decode = null;
            this.stages = StageChain.from(resample).then(framer).into(Stage.each(audio::push));
        }
        this.worker = new SerialWorker(b.mediaPool, this::work, drops);
    }

    /** The component's counters: {@code C.packets.decoded}, {@code C.samples.concealed|fec|silence}. */
    private static DecodeStats counters(MediaMetrics metrics, String component) {
        return new DecodeStats() {
            @Override
            public void decoded(int samples, int rate) {
                metrics.counter(component + ".packets.decoded").increment();
            }

            @Override
            public void concealed(long samples, int rate) {
                metrics.counter(component + ".samples.concealed").add(samples);
            }

            @Override
            public void recovered(long samples, int rate) {
                metrics.counter(component + ".samples.concealed").add(samples);
                metrics.counter(component + ".samples.fec").add(samples);
            }

            @Override
            public void silence(long samples, int rate) {
                metrics.counter(component + ".samples.silence").add(samples);
            }

            @Override
            public void rebased(long skipped, int rate) {
                // the media clock moves over gaps here (AudioSegment.skipBefore): nothing is re-based
            }
        };
    }

    /**
     * Starts the pipeline of one participant.
     *
     * @param audio     where its 16 kHz frames go (the participant's ASR stream)
     * @param mediaPool the server's media CPU pool ({@code MediaExecutors.cpu()}); tests may pass {@code Runnable::run}
     * @param component names the adapter in counters and drop logs ("mediajson", "twilio")
     */
    public static Builder builder(ParticipantAudio audio, Executor mediaPool, MediaMetrics metrics, String component) {
        return new Builder(audio, mediaPool, metrics, component);
    }

    public String participantId() {
        return audio.participantId();
    }

    /**
     * One packet of a packetised codec (the builder's {@link Builder#packets}): its sequence index, its timestamp in
     * the codec's clock units, its payload (ownership passes). Never blocks.
     */
    public void onPacket(long index, long timestamp, byte[] payload) {
        if (decode == null) throw new IllegalStateException("no packet format: build with packets(...)");
        if (closing) return;
        long ms = 20;
        if (lastTimestamp != Long.MIN_VALUE && timestamp > lastTimestamp) {
            ms = Math.min(200, (timestamp - lastTimestamp) * 1000 / clockRate);
        }
        lastTimestamp = timestamp;
        enqueue(new IngestItem.Packet(index, timestamp, payload, ms));
    }

    /** Mono 16-bit PCM at any rate (ownership of {@code samples} passes). Never blocks. */
    public void onPcm(short[] samples, int sampleRate) {
        if (sampleRate < 1) throw new IllegalArgumentException("sample rate must be >= 1");
        if (closing || samples.length == 0) return;
        enqueue(new IngestItem.Pcm(samples, sampleRate));
    }

    /** Continues the participant with a new decoder (the sender changed format); the old one is closed. */
    public void switchDecoder(AudioDecoder next, int nextClockRate) {
        if (decode == null) throw new IllegalStateException("no packet format: build with packets(...)");
        if (closing) {
            next.close();
            return;
        }
        clockRate = nextClockRate;
        lastTimestamp = Long.MIN_VALUE;
        enqueue(new IngestItem.SwitchDecoder(next, nextClockRate));
    }

    /** The sender marked the end of a talk: silence (the silence cap) lets the engine end the utterance now. */
    public void endTalk() {
        if (!closing) enqueue(new IngestItem.EndTalk());
    }

    private void enqueue(IngestItem item) {
        queue.offer(item);
        worker.request();
    }

    /**
     * Ends the participant's audio: what is queued plays out, the resampler's tail follows, the decoder is closed,
     * then the participant's audio (its final follows). Idempotent; the future completes when all that is done.
     */
    public CompletableFuture<Void> close() {
        if (!closing) {
            closing = true;
            if (!worker.request()) finish(); // the pool is shut down: finish here rather than never
        }
        return closed;
    }

    /** Closes every participant; the future completes when all are done. */
    public static CompletableFuture<Void> closeAll(Collection<ParticipantIngest> ingests) {
        return CompletableFuture.allOf(ingests.stream().map(ParticipantIngest::close).toArray(CompletableFuture[]::new));
    }

    /** In/out/dropped/time of each stage, in pipeline order (one walk over the chain). */
    public List<StageStats> stageStats() {
        return stages.stats();
    }

    /** The worker body: one run, never concurrent with itself. */
    private void work() {
        if (closed.isDone()) return;
        for (IngestItem item = queue.poll(); item != null; item = queue.poll()) {
            if (item instanceof IngestItem.Packet p) {
                decode.process(p);
            } else if (item instanceof IngestItem.Pcm p) {
                lastPcmRate = p.sampleRate();
                resample.process(new AudioBlock(p.sampleRate(), List.of(new AudioSegment(p.samples(), PcmFrame.Kind.AUDIO))));
            } else if (item instanceof IngestItem.SwitchDecoder s) {
                decode.switchDecoder(s.decoder(), s.clockRate());
                resample.restart(s.decoder().sampleRate());
            } else if (item instanceof IngestItem.EndTalk) {
                int rate = decode != null ? decode.sampleRate() : lastPcmRate;
                resample.process(new AudioBlock(rate, List.of(AudioSegment.silence((int) (silenceCapMillis * rate / 1000)))));
            }
        }
        if (closing) finish();
    }

    private void finish() {
        if (closed.isDone()) return;
        try {
            stages.finish();
        } finally {
            audio.close();
            closed.complete(null);
        }
    }

    /** How one participant's pipeline is assembled. */
    public static final class Builder {
        private final ParticipantAudio audio;
        private final Executor mediaPool;
        private final MediaMetrics metrics;
        private final String component;
        private String label;
        private AudioDecoder decoder;
        private int clockRate;
        private Duration concealCap = Duration.ZERO;
        private Duration silenceCap = Duration.ofSeconds(2);
        /** TCP senders burst (a clip sent faster than real time, a backlog after a stall): the worker catches up. */
        private Duration queueLimit = Duration.ofSeconds(10);

        private Builder(ParticipantAudio audio, Executor mediaPool, MediaMetrics metrics, String component) {
            this.audio = audio;
            this.mediaPool = mediaPool;
            this.metrics = metrics;
            this.component = component;
        }

        /** Names the source in drop details ("tag alice-1234", "track inbound"); the participant id by default. */
        public Builder label(String label) {
            this.label = label;
            return this;
        }

        /**
         * Packets of one codec ({@link #onPacket}): the decoder (owned by the pipeline from now on), its timestamp
         * units per second (48000 for Opus RTP clocks, 1000 for Twilio's milliseconds), and how gaps are filled:
         * losses concealed up to {@code concealCap}, the rest silence up to {@code silenceCap}, beyond which the
         * media clock jumps. {@code silenceCap} is also the silence {@link #endTalk} adds.
         */
        public Builder packets(AudioDecoder decoder, int clockRate, Duration concealCap, Duration silenceCap) {
            if (clockRate < 1) throw new IllegalArgumentException("clockRate must be >= 1");
            this.decoder = decoder;
            this.clockRate = clockRate;
            this.concealCap = concealCap;
            this.silenceCap = silenceCap;
            return this;
        }

        /** Media the hand-off queue may hold before dropping the oldest (10 s by default). */
        public Builder queueLimit(Duration limit) {
            if (limit.toMillis() < 100) throw new IllegalArgumentException("queue limit must be at least 100 ms");
            this.queueLimit = limit;
            return this;
        }

        public ParticipantIngest build() {
            return new ParticipantIngest(this);
        }
    }
}
