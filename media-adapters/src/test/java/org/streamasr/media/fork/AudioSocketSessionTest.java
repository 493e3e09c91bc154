package org.streamasr.media.fork;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.adapter.TestAudio;
import org.streamasr.testing.RecordingCallSink;

class AudioSocketSessionTest {
    static final UUID ID = UUID.fromString("5f1e0d3a-9c1b-4d6e-8a2f-0123456789ab");

    private final RecordingCallSink sink = new RecordingCallSink();
    private final MediaMetrics metrics = new MediaMetrics();
    private final List<String> closeRequests = new ArrayList<>();
    private final AudioSocketSession session = new AudioSocketSession(sink, AudioSocketConfig.defaults(), metrics, Runnable::run,
            closeRequests::add, "test");

    static byte[] frame(int kind, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(3 + payload.length);
        b.put((byte) kind).putShort((short) payload.length).put(payload);
        return b.array();
    }

    static byte[] id(UUID uuid) {
        return frame(0x01, ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array());
    }

    static byte[] slin(int kind, short[] samples) {
        return frame(kind, TestAudio.le(samples, 0, samples.length));
    }

    private boolean receive(byte[]... frames) {
        boolean keep = true;
        for (byte[] f : frames) keep &= session.receive(ByteBuffer.wrap(f));
        return keep;
    }

    private long drops(String reason) {
        return metrics.dropCounter("audiosocket").count(reason);
    }

    @Test
    void muLawMarkedSlinIsNoticedAndNotTranscribedWhileSpeechAtEveryNewRatePassesUnchanged() throws Exception {
        short[] speech = TestAudio.clip("sense_and_sensibility_01_austen_64kb-0880.wav", 2.0);
        short[] at8k = TestAudio.resample(speech, 16_000, 8_000);
        assertTrue(receive(id(ID)));
        // Dial(AudioSocket/host:9092/uuid) without /c(slin16): the caller's mu-law bytes in 0x10 frames
        for (int off = 0; off + 320 <= at8k.length; off += 320) {
            byte[] ulaw = new byte[320];
            for (int i = 0; i < 320; i++) ulaw[i] = org.streamasr.media.g711.G711.linearToUlaw(at8k[off + i]);
            assertTrue(receive(frame(0x10, ulaw)));
        }
        long noticed = drops("not-linear-pcm");
        assertTrue(noticed >= at8k.length / 320 / 2, "most mu-law frames noticed: " + noticed);
        // real 16-bit speech is never taken for it, at 8 kHz nor at the new 96 and 192 kHz kinds
        for (int off = 0; off + 160 <= at8k.length; off += 160) {
            assertTrue(receive(slin(0x10, java.util.Arrays.copyOfRange(at8k, off, off + 160))));
        }
        short[] at96k = TestAudio.resample(speech, 16_000, 96_000);
        for (int off = 0; off + 1920 <= at96k.length; off += 1920) {
            assertTrue(receive(slin(0x17, java.util.Arrays.copyOfRange(at96k, off, off + 1920))));
        }
        short[] at192k = TestAudio.resample(speech, 16_000, 192_000);
        for (int off = 0; off + 3840 <= at192k.length; off += 3840) {
            assertTrue(receive(slin(0x18, java.util.Arrays.copyOfRange(at192k, off, off + 3840))));
        }
        assertEquals(noticed, drops("not-linear-pcm"), "no linear frame was refused");
        assertEquals(0, drops("unknown-kind"), "0x17 and 0x18 are known kinds");
    }

    @Test
    void uuidThenSlinThenHangup() {
        short[] samples = new short[1600];
        for (int i = 0; i < samples.length; i++) samples[i] = (short) (3000 * Math.sin(i * 0.05));
        assertTrue(receive(id(ID)));
        byte[] all = new byte[0];
        for (int off = 0; off < 1600; off += 160) {
            short[] part = java.util.Arrays.copyOfRange(samples, off, off + 160);
            byte[] f = slin(0x12, part);
            all = concat(all, f);
        }
        for (int i = 0; i < all.length; i += 7) {       // TCP delivers any split
            assertTrue(session.receive(ByteBuffer.wrap(all, i, Math.min(7, all.length - i))));
        }
        RecordingCallSink.Call call = sink.awaitCall(0);
        assertEquals(ID.toString(), call.callId());
        assertEquals("asterisk", call.spec.source());
        assertTrue(receive(frame(0x03, new byte[] {'5'})));
        assertFalse(receive(frame(0x00, new byte[0])), "hangup closes");
        session.end();
        assertTrue(call.isClosed());
        short[] got = call.participant("caller").samples();
        assertEquals(1600, got.length, "0x12 is 16 kHz: no resampling");
        assertEquals(samples[100], got[100]);
        assertEquals(1, metrics.counters().get("audiosocket.dtmf"));
    }

    @Test
    void eightKhzKindIsResampledTo16k() {
        receive(id(ID));
        for (int i = 0; i < 50; i++) receive(slin(0x10, new short[160]));
        session.end();
        assertEquals(16_000, sink.awaitCall(0).participant("caller").samples().length);
    }

    @Test
    void absurdLengthClosesTheConnection() {
        receive(id(ID));
        ByteBuffer bad = ByteBuffer.allocate(3).put((byte) 0x10).putShort((short) 0xfff0);
        assertFalse(session.receive(bad.flip()));
        assertEquals(1, drops("frame-too-long"));
        assertTrue(sink.awaitCall(0).isClosed());
    }

    @Test
    void badInputIsCountedAndGoodInputStillWorks() {
        assertTrue(receive(slin(0x10, new short[160])));                 // audio before the id
        assertTrue(receive(frame(0x01, new byte[5])));                   // short id
        assertTrue(receive(frame(0x42, new byte[10])));                  // unknown kind
        assertTrue(receive(frame(0xff, new byte[] {0x02})));             // Asterisk reports an error
        assertTrue(receive(id(ID), id(UUID.randomUUID())));              // id twice
        assertTrue(receive(slin(0x12, new short[] {1, 2, 3})));
        assertEquals(1, drops("audio-before-uuid"));
        assertEquals(1, drops("bad-uuid"));
        assertEquals(1, drops("unknown-kind"));
        assertEquals(1, drops("remote-error"));
        assertEquals(1, drops("duplicate-uuid"));
        assertEquals(ID.toString(), sink.awaitCall(0).callId());
        assertEquals(3, sink.awaitCall(0).participant("caller").samples().length);
    }

    @Test
    void callEndedByTheSinkAsksTheTransportToClose() {
        receive(id(ID));
        sink.awaitCall(0).listener.onCallEnded(ID.toString(), "api");
        assertEquals(List.of("call ended: api"), closeRequests);
    }

    @Test
    void rejectedCallEndsTheConnection() {
        sink.rejectCalls("full");
        assertFalse(receive(id(ID)));
        assertEquals(1, drops("call-rejected"));
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
