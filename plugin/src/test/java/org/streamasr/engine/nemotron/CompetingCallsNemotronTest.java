package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.tools.testmodel.ToneScript;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallSpec;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.server.AsrServer;
import org.streamasr.stream.CallSession;
import org.streamasr.testing.TestServers;

/**
 * Issue 12, item 1, on the nemotron engine (a constructed model, exact transcripts) given four streams for calls and
 * two per call: a call that asks for four participants gets two and the rest are refused alone; a call that comes
 * next gets its stream and its exact transcript; one that finds the engine full is refused its participant without
 * failing, and no call fails.
 */
class CompetingCallsNemotronTest {
    @Test
    void callsShareTheEnginesStreamsAndNoneFails() throws Exception {
        ToneScript script = ToneScript.builder(TestModelVariant.EN).say("en-US", "hello world. this is a test.").build();
        try (AsrServer server = AsrServer.start(TestServers.config(Map.of("asr.engine.name", "nemotron",
                "asr.engine.model-dir", TestModels.tiny(TestModelVariant.EN).toString(), "asr.engine.stream-buffer", "60s",
                "asr.calls.engine-streams", 4, "asr.calls.max-streams-per-call", 2)))) {
            var drops = server.mediaMetrics().dropCounter("calls");
            List<TranscriptEvent> victimEvents = new CopyOnWriteArrayList<>();
            try (CallHandle hog = server.calls().openCall(CallSpec.of("hog", "test"), null);
                 CallHandle second = server.calls().openCall(CallSpec.of("second", "test"), null);
                 CallHandle victim = server.calls().openCall(CallSpec.of("victim", "test"), victimEvents::add);
                 CallHandle late = server.calls().openCall(CallSpec.of("late", "test"), null)) {
                List<ParticipantAudio> hogs = new ArrayList<>();
                for (int i = 0; i < 4; i++) hogs.add(hog.openParticipant(ParticipantSpec.of("h" + i)));
                assertEquals(2, participants(server, "hog"), "the hog got its share");
                assertEquals(2, drops.count("engine-share"), "its other two were refused, counted");
                second.openParticipant(ParticipantSpec.of("s0"));
                ParticipantAudio speaker = victim.openParticipant(ParticipantSpec.of("v0"));
                assertEquals(1, participants(server, "victim"));
                late.openParticipant(ParticipantSpec.of("l0"));
                assertEquals(0, participants(server, "late"), "the engine is full");
                assertEquals(1, drops.count("engine-capacity"));

                short[] pcm = toPcm(script.samples());
                for (int at = 0; at < pcm.length; at += 320) {
                    speaker.push(PcmFrame.audio(Arrays.copyOfRange(pcm, at, Math.min(pcm.length, at + 320)), at));
                    for (ParticipantAudio h : hogs) h.push(PcmFrame.audio(new short[320], at));
                }
                speaker.close();
                CallSession v = server.calls().find("victim").orElseThrow();
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (victimEvents.stream().noneMatch(TranscriptEvent::isFinal) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                List<String> finals = victimEvents.stream().filter(TranscriptEvent::isFinal).map(TranscriptEvent::text).toList();
                assertEquals(script.expectedTexts("en-US"), finals, "the victim's exact transcript");
                for (String id : List.of("hog", "second", "victim", "late")) {
                    assertTrue(server.calls().find(id).orElseThrow().isLive(), id + " did not fail");
                }
                assertTrue(v.isLive());
            }
        }
    }

    private static int participants(AsrServer server, String callId) {
        return server.calls().find(callId).orElseThrow().participants().size();
    }

    private static short[] toPcm(float[] samples) {
        short[] out = new short[samples.length];
        for (int i = 0; i < samples.length; i++) out[i] = (short) Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32767f)));
        return out;
    }
}
