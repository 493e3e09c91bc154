package org.streamasr.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.SpeechEngines;
import org.streamasr.engine.nemotron.NemotronEngine;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallSpec;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.TranscriptListener;
import org.streamasr.stream.CallSession;
import org.streamasr.testing.Http;
import org.streamasr.testing.LeakCheckExtension;
import org.streamasr.testing.TestServers;
import org.streamasr.tools.testmodel.TestModelSpec;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.tools.testmodel.TestModelWriter;
import org.streamasr.tools.testmodel.ToneScript;

/**
 * A server whose nemotron engine keeps caches on the device (asr.engine.nemotron.device-state = device, here on the
 * CPU provider): /metrics has the bytes its runs copied each way, exactly the engine's counts, and fewer per chunk
 * than one stream's caches (which the host path would feed every chunk).
 */
class HostDeviceBytesMetricsTest {
    private static final ToneScript SCRIPT = ToneScript.builder(TestModelVariant.EN)
            .say("en-US", "hello world. this is a test.").build();

    @TempDir
    Path model;

    @Test
    void bytesBetweenHostAndDeviceAreInMetrics() throws Exception {
        LeakCheckExtension.track("nemotron streams", NemotronEngine::openStreamsInProcess);
        TestModelWriter.write(TestModelSpec.tiny(TestModelVariant.EN), model);
        ServerConfig config = TestServers.config(Map.of("asr.engine.name", "nemotron",
                "asr.engine.model-dir", model.toString(), "asr.engine.intra-op-threads", 1,
                "asr.engine.stream-buffer", "60s", "asr.engine.default-acceleration", "regular",
                "asr.engine.nemotron.device-state", "device"));
        List<TranscriptEvent> finals = new CopyOnWriteArrayList<>();
        TranscriptListener recorder = new TranscriptListener() {
            @Override
            public void onTranscript(TranscriptEvent event) {
                if (event.isFinal()) finals.add(event);
            }
        };
        try (NemotronEngine engine = (NemotronEngine) SpeechEngines.open(config.engine());
             AsrServer server = AsrServer.start(config, engine, false);
             Http http = new Http(server.baseUri())) {
            CallHandle call = server.calls().openCall(CallSpec.of("bytes", "test"), recorder);
            CallSession session = server.calls().find("bytes").orElseThrow();
            ParticipantAudio p = call.openParticipant(ParticipantSpec.of("alice"));
            float[] samples = SCRIPT.samples();
            short[] pcm = new short[samples.length];
            for (int i = 0; i < pcm.length; i++) pcm[i] = (short) Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32767f)));
            for (int at = 0; at + 320 <= pcm.length; at += 320) p.push(PcmFrame.audio(java.util.Arrays.copyOfRange(pcm, at, at + 320), at));
            call.close();
            assertEquals("closed", session.ended().get(60, TimeUnit.SECONDS));
            assertEquals(List.of(SCRIPT.expected("en-US").get(0).text()), finals.stream().map(TranscriptEvent::text).toList());

            assertTrue(engine.stateOnDevice(Acceleration.REGULAR));
            String metrics = http.get("/metrics").body();
            long toDevice = (long) value(metrics, "to_device");
            long toHost = (long) value(metrics, "to_host");
            assertEquals(engine.bytesToDevice(), toDevice, metrics);
            assertEquals(engine.bytesToHost(), toHost, metrics);
            long chunks = engine.chunksRun();
            assertTrue(chunks > 0 && toDevice > 0 && toHost > 0, metrics);
            long caches = engine.cacheBytesPerStream(Acceleration.REGULAR);
            assertTrue(toDevice / chunks < caches, "per chunk " + toDevice / chunks + " bytes in, caches alone " + caches);
        }
    }

    private static double value(String metrics, String direction) {
        Matcher m = Pattern.compile("(?m)^asr_engine_host_device_bytes_total\\{([^}]*)\\} (\\S+)$").matcher(metrics);
        while (m.find()) {
            if (m.group(1).contains("direction=\"" + direction + "\"") && m.group(1).contains("engine=\"nemotron\"")) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("asr_engine_host_device_bytes_total " + direction + " missing from\n" + metrics);
    }
}
