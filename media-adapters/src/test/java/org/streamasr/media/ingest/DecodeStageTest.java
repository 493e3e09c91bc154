package org.streamasr.media.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.streamasr.media.AudioLevel;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.codec.AudioDecoders;
import org.streamasr.media.codec.CodecSpec;
import org.streamasr.media.pipeline.AudioBlock;
import org.streamasr.media.pipeline.AudioSegment;

/** The one decode stage without sockets: G.711 packets in, blocks of audio, concealment and silence out. */
class DecodeStageTest {
    private static final int RATE = 8_000;
    private final MediaMetrics metrics = new MediaMetrics();
    private final List<AudioBlock> out = new ArrayList<>();
    private final Counts counts = new Counts();

    /** What the stage counted, in samples. */
    static final class Counts implements DecodeStats {
        long decoded;
        long concealed;
        long silence;
        final List<Long> rebased = new ArrayList<>();

        @Override
        public void decoded(int samples, int rate) {
            decoded += samples;
        }

        @Override
        public void concealed(long samples, int rate) {
            concealed += samples;
        }

        @Override
        public void recovered(long samples, int rate) {
            concealed += samples;
        }

        @Override
        public void silence(long samples, int rate) {
            silence += samples;
        }

        @Override
        public void rebased(long skipped, int rate) {
            rebased.add(skipped);
        }
    }

    /** A µ-law packet of {@code size} samples (20 ms: 160) stamped at {@code timestamp}, arrived at {@code arrivalMs}. */
    record Packet(long index, long timestamp, int lostBefore, long arrivalMs, int size) implements EncodedPacket {
        Packet(long index, long timestamp, int lostBefore, long arrivalMs) {
            this(index, timestamp, lostBefore, arrivalMs, 160);
        }

        @Override
        public int format() {
            return 0;
        }

        @Override
        public byte[] data() {
            byte[] ulaw = new byte[size];
            java.util.Arrays.fill(ulaw, (byte) 0x10); // loud enough that concealment is not silence
            return ulaw;
        }

        @Override
        public int offset() {
            return 0;
        }

        @Override
        public int length() {
            return size;
        }

        @Override
        public boolean discontinuity() {
            return false;
        }

        @Override
        public long arrivalNanos() {
            return arrivalMs * 1_000_000L;
        }

        @Override
        public AudioLevel level() {
            return AudioLevel.NONE;
        }
    }

    private DecodeStage.Builder builder() {
        return DecodeStage.builder("test", counts, metrics.dropCounter("test"))
                .decoder(AudioDecoders.open(CodecSpec.of(AudioCodec.PCMU)), RATE);
    }

    private DecodeStage wire(DecodeStage stage) {
        stage.then(out::add);
        return stage;
    }

    private long samplesOf(PcmFrame.Kind kind) {
        return out.stream().flatMap(b -> b.segments().stream()).filter(s -> s.kind() == kind)
                .mapToLong(AudioSegment::length).sum();
    }

    private long skipped() {
        return out.stream().flatMap(b -> b.segments().stream()).mapToLong(AudioSegment::skipBefore).sum();
    }

    @Test
    void aLossIsConcealedUpToTheCapThenSilenceAndAPauseIsSilence() {
        DecodeStage stage = wire(builder().gaps(Duration.ofMillis(40), Duration.ofSeconds(2), Duration.ofSeconds(2),
                Duration.ZERO).build());
        stage.process(new Packet(1, 0, 0, 0));
        stage.process(new Packet(5, 4 * 160, 3, 80));          // three lost: 60 ms, 40 of them concealed
        stage.process(new Packet(6, 5 * 160 + 800, 0, 200));   // a 100 ms pause, nothing lost
        assertEquals(3 * 160, counts.decoded);
        assertEquals(320, samplesOf(PcmFrame.Kind.CONCEALED), "40 ms concealed at 8 kHz");
        assertEquals(160 + 800, samplesOf(PcmFrame.Kind.SILENCE), "the rest of the loss, then the pause");
        assertEquals(320, counts.concealed);
        assertEquals(960, counts.silence);
        assertEquals(0, skipped());
        assertEquals(List.of(), counts.rebased);
    }

    @Test
    void whatTheFillCapLeavesReBasesTheTimelineOrMovesTheClock() {
        DecodeStage rebasing = wire(builder().gaps(Duration.ofMillis(40), Duration.ofSeconds(2), Duration.ofSeconds(2),
                Duration.ZERO).build());
        rebasing.process(new Packet(1, 0, 0, 0));
        rebasing.process(new Packet(2, 160 + 5 * RATE, 0, 5_020));     // 5 s of DTX
        assertEquals(2 * RATE, samplesOf(PcmFrame.Kind.SILENCE), "2 s cap of silence");
        assertEquals(List.of(3L * RATE), counts.rebased, "the other 3 s are skipped, not placed");
        assertEquals(0, skipped());

        out.clear();
        counts.rebased.clear();
        DecodeStage moving = wire(builder().gaps(Duration.ofMillis(40), Duration.ofSeconds(2), Duration.ofSeconds(2),
                Duration.ZERO).moveClockOverGaps().build());
        moving.process(new Packet(1, 0, 0, 0));
        moving.process(new Packet(2, 160 + 5 * RATE, 0, 5_020));
        assertEquals(2 * RATE, samplesOf(PcmFrame.Kind.SILENCE));
        assertEquals(3L * RATE, skipped(), "the media clock moves over the other 3 s");
        assertEquals(List.of(), counts.rebased);
    }

    @Test
    void arrivalTimesBoundTheFillWhereTrusted() {
        DecodeStage stage = wire(builder().gaps(Duration.ofMillis(40), Duration.ofSeconds(2), Duration.ofSeconds(2),
                Duration.ZERO).boundByArrival(0).build());
        stage.process(new Packet(1, 0, 0, 0));
        stage.process(new Packet(2, 160 + 5 * RATE, 0, 125));  // timestamps say 5 s, arrivals 125 ms
        assertEquals(125 * RATE / 1000, samplesOf(PcmFrame.Kind.SILENCE));
    }

    @Test
    void orderedByIndexDuplicatesAndLatePacketsAreDroppedAndLossesCountedFromTheIndex() {
        DecodeStage stage = wire(builder().orderByIndex().moveClockOverGaps().gaps(Duration.ofMillis(120),
                Duration.ofSeconds(2), Duration.ofMillis(2_120), Duration.ZERO).build());
        stage.process(new Packet(1, 0, 0, 0));
        stage.process(new Packet(1, 0, 0, 0));                 // duplicate
        stage.process(new Packet(4, 3 * 160, 0, 0));           // 2 and 3 lost (the packet does not say)
        stage.process(new Packet(2, 160, 0, 0));               // late
        stage.process(new Packet(5, 3 * 160 - 1, 0, 0));       // timestamp runs back
        assertEquals(2, metrics.dropCounter("test").count("out-of-order"));
        assertEquals(1, metrics.dropCounter("test").count("timestamp-regression"));
        assertEquals(320, samplesOf(PcmFrame.Kind.CONCEALED), "the two lost packets concealed");
        assertTrue(stage.stats().dropped() >= 3);
    }

    @Test
    void anOversizedPacketIsDroppedAndItsSlotConcealedAsALoss() {
        DecodeStage stage = wire(builder().gaps(Duration.ofMillis(120), Duration.ofSeconds(2), Duration.ofSeconds(2),
                Duration.ofMillis(10)).maxPacket(Duration.ofMillis(200)).build());
        stage.process(new Packet(1, 0, 0, 0));
        stage.process(new Packet(2, 160, 0, 20, 2_000));        // 250 ms in one packet
        stage.process(new Packet(3, 160 + 2_000, 0, 270));
        assertEquals(1, metrics.dropCounter("test").count("oversized-frame"));
        assertEquals(2 * 160, counts.decoded);
        assertEquals(960, samplesOf(PcmFrame.Kind.CONCEALED), "its slot is a loss: concealed up to the 120 ms cap");
        assertEquals(2_000 - 960, samplesOf(PcmFrame.Kind.SILENCE));
    }
}
