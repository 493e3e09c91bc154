package org.streamasr.apis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.g711.G711;
import org.streamasr.media.opus.OpusFrameEncoder;
import org.streamasr.testing.RecordingCallSink;

/**
 * The live APIs' audio goes through the one ingest pipeline: G.711 bytes and Opus packets are handed over as packets
 * and decoded on the media pool (here a queue the test drains), never on the thread that calls {@link LiveAudio}.
 */
class LiveAudioTest {
    private final RecordingCallSink sink = new RecordingCallSink();
    private final MediaMetrics metrics = new MediaMetrics();
    private final Queue<Runnable> mediaPool = new ArrayDeque<>();
    private final Executor pool = mediaPool::add;

    private LiveAudio open(LiveAudio.Encoding encoding, int rate, int channels, boolean separate) throws Exception {
        LiveAudio.Listener quiet = new LiveAudio.Listener() {
            @Override
            public void onResult(int channel, TranscriptEvent event, long offsetMs, boolean flushing) {
            }

            @Override
            public void onEnded(String reason) {
            }
        };
        return new LiveAudio.Opener(sink, pool, metrics).open("deepgram", new ServedModel("", null, null, null), null,
                encoding, rate, channels, separate, Map.of(), quiet);
    }

    private void runMediaPool() {
        for (Runnable r = mediaPool.poll(); r != null; r = mediaPool.poll()) r.run();
    }

    private long decoded() {
        return metrics.counters().getOrDefault("deepgram.packets.decoded", 0L);
    }

    private static short[] tone(int samples, int rate, int amplitude) {
        short[] s = new short[samples];
        for (int i = 0; i < samples; i++) s[i] = (short) (amplitude * Math.sin(2 * Math.PI * 440 * i / rate));
        return s;
    }

    private static double rms(short[] s) {
        double sum = 0;
        for (short v : s) sum += (double) v * v;
        return s.length == 0 ? 0 : Math.sqrt(sum / s.length);
    }

    @Test
    void muLawIsDecodedOnTheMediaPoolInPacketsOfAtMost100Ms() throws Exception {
        LiveAudio audio = open(LiveAudio.Encoding.MULAW, 8000, 1, false);
        short[] pcm = tone(8000, 8000, 8000);
        byte[] ulaw = new byte[pcm.length];
        for (int i = 0; i < pcm.length; i++) ulaw[i] = G711.linearToUlaw(pcm[i]);
        audio.accept(ByteBuffer.wrap(ulaw, 0, 4001)); // a message may end anywhere
        audio.accept(ByteBuffer.wrap(ulaw, 4001, 3999));
        assertEquals(0, decoded(), "nothing is decoded on the caller's thread");
        assertEquals(1000, audio.receivedMs());
        audio.end();
        runMediaPool();
        assertEquals(11, decoded(), "4001 bytes: 5 packets of 800 + 1; 3999: 4 of 800 + 1 of 799");
        RecordingCallSink.Participant p = sink.awaitCall(0).participant("channel-0");
        assertTrue(p.isClosed());
        short[] out = p.contiguousSamples();
        long audioSamples = p.samplesOf(PcmFrame.Kind.AUDIO);
        assertTrue(Math.abs(audioSamples - 16000) <= 160, "1 s at 16 kHz, got " + audioSamples);
        assertTrue(rms(out) > 3000, "the tone came through, rms " + rms(out));
    }

    @Test
    void stereoMuLawGoesToOneParticipantPerChannel() throws Exception {
        LiveAudio audio = open(LiveAudio.Encoding.ALAW, 8000, 2, true);
        short[] loud = tone(1600, 8000, 10000);
        byte[] interleaved = new byte[loud.length * 2];
        for (int i = 0; i < loud.length; i++) {
            interleaved[2 * i] = G711.linearToAlaw(loud[i]);
            interleaved[2 * i + 1] = G711.linearToAlaw((short) 0);
        }
        audio.accept(ByteBuffer.wrap(interleaved, 0, 1001)); // ends inside a sample frame
        audio.accept(ByteBuffer.wrap(interleaved, 1001, interleaved.length - 1001));
        assertEquals(200, audio.receivedMs());
        audio.end();
        runMediaPool();
        RecordingCallSink.Call call = sink.awaitCall(0);
        double left = rms(call.participant("channel-0").contiguousSamples());
        double right = rms(call.participant("channel-1").contiguousSamples());
        assertTrue(left > 4000 && right < 50, "left " + left + ", right " + right);
        assertEquals(3200, call.participant("channel-1").samplesOf(PcmFrame.Kind.AUDIO)
                + call.participant("channel-1").samplesOf(PcmFrame.Kind.SILENCE), 160);
    }

    @Test
    void opusPacketsAreDecodedOnTheMediaPool() throws Exception {
        LiveAudio audio = open(LiveAudio.Encoding.OPUS, 48_000, 1, false);
        short[] pcm = tone(16000, 16000, 8000);
        try (OpusFrameEncoder encoder = new OpusFrameEncoder(16000, 32000, 0)) {
            for (int at = 0; at < pcm.length; at += 320) audio.opusPacket(encoder.encode(pcm, at, 320));
        }
        assertEquals(0, decoded(), "nothing is decoded on the caller's thread");
        assertEquals(1000, audio.receivedMs());
        audio.end();
        runMediaPool();
        assertEquals(50, decoded());
        RecordingCallSink.Participant p = sink.awaitCall(0).participant("channel-0");
        assertEquals(16000, p.samplesOf(PcmFrame.Kind.AUDIO), 320);
        assertTrue(rms(p.contiguousSamples()) > 2000, "the tone came through");
        assertEquals(Map.of(), metrics.drops().getOrDefault("deepgram", Map.of()), "nothing dropped");
    }

    @Test
    void aSwitchFromMuLawToALawContinuesTheStream() throws Exception {
        LiveAudio audio = open(LiveAudio.Encoding.MULAW, 8000, 1, false);
        short[] pcm = tone(800, 8000, 8000);
        byte[] ulaw = new byte[pcm.length];
        byte[] alaw = new byte[pcm.length];
        for (int i = 0; i < pcm.length; i++) {
            ulaw[i] = G711.linearToUlaw(pcm[i]);
            alaw[i] = G711.linearToAlaw(pcm[i]);
        }
        audio.accept(ByteBuffer.wrap(ulaw));
        audio.encoding(LiveAudio.Encoding.ALAW);
        audio.accept(ByteBuffer.wrap(alaw));
        audio.end();
        runMediaPool();
        assertEquals(2, decoded());
        RecordingCallSink.Participant p = sink.awaitCall(0).participant("channel-0");
        assertEquals(List.of("channel-0"), sink.awaitCall(0).participantIds());
        assertTrue(rms(p.contiguousSamples()) > 3000, "both halves are the tone, rms " + rms(p.contiguousSamples()));
    }
}
