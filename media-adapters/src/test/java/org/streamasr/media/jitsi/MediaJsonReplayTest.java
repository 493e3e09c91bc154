package org.streamasr.media.jitsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.adapter.Poll;
import org.streamasr.media.adapter.TestAudio;
import org.streamasr.media.adapter.TyrusTestServer;
import org.streamasr.media.adapter.WsTestClient;
import org.streamasr.media.opus.OpusFrameDecoder;
import org.streamasr.testing.LeakCheckExtension;
import org.streamasr.testing.RecordingCallSink;
import org.streamasr.testing.SharedFixtures;
import org.streamasr.testing.SignalMetrics;

/**
 * A Jitsi bridge's MEDIAJSON stream replayed over a real socket at real-time pace: every participant's audio must
 * come out whole, placed where its RTP timestamps put it, with no gaps but the capture's own.
 */
class MediaJsonReplayTest {
    private final RecordingCallSink sink = new RecordingCallSink();
    private final MediaMetrics metrics = new MediaMetrics();
    private final org.streamasr.media.pipeline.MediaExecutors pool = org.streamasr.media.pipeline.MediaExecutors.create(2);
    private TyrusTestServer server;

    @BeforeAll
    static void trackDecoders() {
        LeakCheckExtension.track("opus decoders", OpusFrameDecoder::openCount);
    }

    @BeforeEach
    void start() throws Exception {
        server = new TyrusTestServer(MediaJsonEndpoints.create(sink, metrics, pool.cpu(), MediaJsonConfig.defaults()));
    }

    @AfterEach
    void stop() {
        server.close();
        pool.close();
    }

    @Test
    void jitsiCaptureOfTwoSpeakersComesOutWhole() throws Exception {
        MediaJsonCapture capture = MediaJsonCapture.read(SharedFixtures.require("fixtures/jitsi/mediajson-two-speakers.jsonl"));
        RecordingCallSink.Call call = replay(capture, "capture");
        Map<String, MediaJsonCapture.Source> sources = capture.sources();
        assertEquals(2, sources.size());
        for (MediaJsonCapture.Source s : sources.values()) {
            RecordingCallSink.Participant p = call.participant(MediaJsonSession.endpointOfTag(s.tag()));
            checkTimeline(s, p);
            assertTrue(SignalMetrics.rms(audioOnly(p)) > 100, "decoded speech is not silent");
            assertArrayEquals(decodeDirectly(capture.payloads(s.tag())), audioOnly(p),
                    "the capture has no loss: its audio is bit-exact with decoding its packets directly");
        }
        assertEquals(0, metrics.dropCounter("mediajson").total(), "nothing in a real capture is dropped: " + metrics.drops());
    }

    @Test
    void generatedMeetingOfTwoSpeakersComesOutWholeAndMatchesTheSpeech() throws Exception {
        short[] alice = TestAudio.clip("sense_and_sensibility_01_austen_64kb-0870.wav", 6.0);
        short[] bob = TestAudio.clip("sense_and_sensibility_01_austen_64kb-0920.wav", 5.0);
        // Alice loses one packet (recovered by FEC) and two in a row (concealed), and is muted for 1 s (DTX) after
        // packet 150; Bob starts 1.2 s later and is clean.
        MediaJsonCapture capture = MediaJsonCapture.generate(List.of(
                new MediaJsonCapture.Speaker("alice", 305123557L, alice, 0, List.of(40, 90, 91), 150, 50),
                new MediaJsonCapture.Speaker("bob", 2272476824L, bob, 1200, List.of(), -1, 0)));
        RecordingCallSink.Call call = replay(capture, "generated");
        Map<String, MediaJsonCapture.Source> sources = capture.sources();
        RecordingCallSink.Participant a = call.participant("alice");
        RecordingCallSink.Participant b = call.participant("bob");
        checkTimeline(sources.get("alice-305123557"), a);
        checkTimeline(sources.get("bob-2272476824"), b);
        assertEquals(3 * 320, a.samplesOf(PcmFrame.Kind.CONCEALED), "three lost packets concealed");
        assertTrue(metrics.counters().getOrDefault("mediajson.samples.fec", 0L) > 0, "the single loss used FEC: " + metrics.counters());
        assertEquals(50 * 320, a.samplesOf(PcmFrame.Kind.SILENCE), "the 1 s pause is silence");

        short[] aliceRef = insertSilence(alice, 150 * 320, 50 * 320);
        SignalMetrics.Alignment aa = SignalMetrics.align(aliceRef, a.samples(), 1600);
        SignalMetrics.Alignment bb = SignalMetrics.align(bob, b.samples(), 1600);
        System.out.println("MEDIAJSON Opus round trip: alice " + aa + "; bob " + bb);
        assertTrue(Math.abs(aa.lag()) < 400 && Math.abs(bb.lag()) < 400, "decoder delay only: " + aa + " / " + bb);
        // SILK at 40 kbit/s keeps the speech, not the waveform: about 0.85 correlation is the codec's own floor.
        assertTrue(aa.correlation() > 0.8, "alice " + aa);
        assertTrue(bb.correlation() > 0.8, "bob " + bb);
        assertArrayEquals(decodeDirectly(BrowserOpusEncoder.encode(bob)), b.samples(),
                "a clean stream through the socket and the adapter is bit-exact with decoding its packets directly");
        assertEquals(0, metrics.dropCounter("mediajson").total(), metrics.drops().toString());
    }

    private RecordingCallSink.Call replay(MediaJsonCapture capture, String callId) throws Exception {
        try (WsTestClient bridge = WsTestClient.connect(server.uri("/mediajson/" + callId))) {
            capture.replay(bridge);
            bridge.sendText("{\"event\":\"ping\",\"id\":1}");
            bridge.awaitText(0);
            bridge.sendText("{\"event\":\"session-end\"}");
            bridge.awaitClose();
        }
        RecordingCallSink.Call call = sink.awaitCall(0);
        Poll.until(call::isClosed, Duration.ofSeconds(10), () -> "call not closed");
        return call;
    }

    /**
     * The participant's frames cover the source's media timeline exactly: contiguous, except where the source itself
     * paused for longer than the silence cap, where the clock jumps by the rest of the pause; the last sample sits
     * where the last packet's timestamp puts it.
     */
    static void checkTimeline(MediaJsonCapture.Source s, RecordingCallSink.Participant p) {
        long cap = MediaJsonConfig.defaults().silenceCap().toMillis() * 16;
        long concealCap = MediaJsonConfig.defaults().concealCap().toMillis() * 16;
        List<Long> expectedJumps = new ArrayList<>();
        long expectedSilence = 0;
        List<Long> ts = s.timestamps();
        for (int i = 1; i < ts.size(); i++) {
            long gap = (ts.get(i) - ts.get(i - 1) - BrowserOpusEncoder.FRAME_48K) / 3;
            boolean lost = s.chunks().get(i) - s.chunks().get(i - 1) > 1;
            long rest = lost ? gap - Math.min(gap, concealCap) : gap;
            if (rest > 0) {
                expectedSilence += Math.min(rest, cap);
                if (rest > cap) expectedJumps.add(rest - cap);
            }
        }
        List<PcmFrame> frames = p.frames();
        assertEquals(0, frames.get(0).mediaTimeSamples());
        List<Long> jumps = new ArrayList<>();
        for (int i = 1; i < frames.size(); i++) {
            long end = frames.get(i - 1).mediaTimeSamples() + frames.get(i - 1).samples().length;
            long gap = frames.get(i).mediaTimeSamples() - end;
            assertTrue(gap >= 0, "frames overlap at " + end);
            if (gap > 0) jumps.add(gap);
        }
        assertEquals(expectedJumps, jumps, "the only gaps in the output are the source's own pauses beyond the cap");
        assertEquals(expectedSilence, p.samplesOf(PcmFrame.Kind.SILENCE), "pauses filled with silence up to the cap");
        assertEquals((ts.get(ts.size() - 1) - ts.get(0)) / 3 + 320, p.endTime(), "duration matches the media timestamps");
        assertEquals(320L * ts.size(), p.samplesOf(PcmFrame.Kind.AUDIO), "every packet decoded to 20 ms");
    }

    static short[] decodeDirectly(List<byte[]> packets) {
        short[] out = new short[packets.size() * 320];
        try (OpusFrameDecoder d = new OpusFrameDecoder(16_000)) {
            short[] buf = new short[320];
            for (int i = 0; i < packets.size(); i++) {
                assertEquals(320, d.decode(packets.get(i), 0, packets.get(i).length, buf));
                System.arraycopy(buf, 0, out, i * 320, 320);
            }
        }
        return out;
    }

    static short[] audioOnly(RecordingCallSink.Participant p) {
        return p.frames().stream().filter(f -> f.kind() == PcmFrame.Kind.AUDIO).map(PcmFrame::samples)
                .reduce(new short[0], (x, y) -> {
                    short[] z = Arrays.copyOf(x, x.length + y.length);
                    System.arraycopy(y, 0, z, x.length, y.length);
                    return z;
                });
    }

    static short[] insertSilence(short[] x, int at, int length) {
        short[] out = new short[x.length + length];
        System.arraycopy(x, 0, out, 0, at);
        System.arraycopy(x, at, out, at + length, x.length - at);
        return out;
    }
}
