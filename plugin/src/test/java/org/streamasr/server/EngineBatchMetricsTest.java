package org.streamasr.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.engine.SpeechEngines;
import org.streamasr.engine.nemotron.NemotronEngine;
import org.streamasr.tools.testmodel.TestModelSpec;
import org.streamasr.tools.testmodel.TestModelVariant;
import org.streamasr.tools.testmodel.TestModelWriter;
import org.streamasr.tools.testmodel.ToneScript;
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

/**
 * The nemotron engine on a constructed model behind a real server: two participants speak at once, their chunks run
 * in shared batches, and /metrics has the batch sizes and the number of batches exactly as the engine ran them.
 */
class EngineBatchMetricsTest {
    private static final ToneScript SCRIPT = ToneScript.builder(TestModelVariant.EN)
            .say("en-US", "hello world. this is a test of streaming speech recognition.").build();

    @TempDir
    Path model;

    @Test
    void batchSizesAndTheBatchCountOfTheNemotronEngineAreInMetrics() throws Exception {
        LeakCheckExtension.track("nemotron streams", NemotronEngine::openStreamsInProcess);
        TestModelWriter.write(TestModelSpec.tiny(TestModelVariant.EN), model);
        // Both streams have their whole audio buffered at once: with room for two and a long wait, each batch
        // carries a chunk of each until one of them runs out.
        ServerConfig config = TestServers.config(Map.of("asr.engine.name", "nemotron",
                "asr.engine.model-dir", model.toString(), "asr.engine.intra-op-threads", 1,
                "asr.engine.stream-buffer", "60s", "asr.engine.max-batch", 2, "asr.engine.max-batch-wait", "2s",
                "asr.engine.default-acceleration", "regular"));
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
            CallHandle call = server.calls().openCall(CallSpec.of("batched", "test"), recorder);
            CallSession session = server.calls().find("batched").orElseThrow();
            List<ParticipantAudio> speakers = new ArrayList<>();
            for (String id : List.of("alice", "bob")) speakers.add(call.openParticipant(ParticipantSpec.of(id)));
            short[] pcm = pcm16(SCRIPT.samples());
            for (int at = 0; at + 320 <= pcm.length; at += 320) {
                for (ParticipantAudio p : speakers) p.push(PcmFrame.audio(java.util.Arrays.copyOfRange(pcm, at, at + 320), at));
            }
            call.close();
            assertEquals("closed", session.ended().get(60, TimeUnit.SECONDS));

            String expected = SCRIPT.expected("en-US").get(0).text();
            assertEquals(List.of(expected, expected), finals.stream().map(TranscriptEvent::text).toList(),
                    "the engine recognised both speakers exactly");
            String metrics = http.get("/metrics").body();
            long batches = (long) value(metrics, "asr_engine_batch_size_count{engine=\"nemotron\"}");
            long chunks = (long) value(metrics, "asr_engine_batch_size_sum{engine=\"nemotron\"}");
            assertEquals(engine.batchesRun(), batches, "one observation per batch run:\n" + metrics);
            assertEquals(engine.scheduledItems(), chunks, "the sizes add up to the stream chunks run");
            assertTrue(batches > 5, "a few seconds of speech take several batches: " + batches);
            double single = value(metrics, "asr_engine_batch_size_bucket{engine=\"nemotron\",le=\"1.0\"}");
            assertTrue(single < batches / 2.0, "most batches carried both speakers: " + single + " of " + batches
                    + " had one stream");
            assertEquals(batches, (long) value(metrics, "asr_engine_batch_seconds_count{engine=\"nemotron\"}"));
        }
    }

    private static short[] pcm16(float[] samples) {
        short[] out = new short[samples.length];
        for (int i = 0; i < samples.length; i++) {
            out[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(samples[i] * 32767f)));
        }
        return out;
    }

    /** The value of one sample line of the Prometheus text format. */
    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
        assertTrue(m.find(), series + " missing from\n" + metrics);
        return Double.parseDouble(m.group(1));
    }
}
