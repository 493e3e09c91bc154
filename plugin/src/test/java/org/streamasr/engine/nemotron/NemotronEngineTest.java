package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.streamasr.engine.Acceleration;
import org.streamasr.engine.EngineOptions;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.engine.StreamSettings;
import org.streamasr.engine.testmodel.TestModelVariant;
import org.streamasr.engine.testmodel.ToneScript;
import org.streamasr.testing.LeakCheckExtension;

class NemotronEngineTest {
    @BeforeAll
    static void track() {
        LeakCheckExtension.track("nemotron streams", NemotronEngine::openStreamsInProcess);
        LeakCheckExtension.track("nemotron tensors", NemotronEngine::openTensorsInProcess);
        LeakCheckExtension.track("nemotron sessions", NemotronEngine::openSessionsInProcess);
    }

    static EngineOptions.Builder options(TestModelVariant v) {
        return EngineOptions.builder().engine("nemotron").modelDir(TestModels.tiny(v)).intraOpThreads(1);
    }

    static Recorder transcribe(NemotronEngine engine, StreamSettings settings, float[] audio, int packet) throws Exception {
        Recorder r = new Recorder();
        try (RecognitionStream s = engine.openStream(settings, r)) {
            for (int at = 0; at < audio.length; at += packet) s.acceptAwaiting(audio, at, Math.min(packet, audio.length - at));
            s.finish();
            r.awaitFinished(Duration.ofSeconds(60));
        }
        return r;
    }

    @Test
    void transcribesToneScriptExactly() throws Exception {
        ToneScript script = ToneScript.builder(TestModelVariant.EN)
                .say("en-US", "hello world. this is a test of streaming speech recognition.")
                .say("en-US", "good morning, world?")
                .build();
        try (NemotronEngine engine = NemotronEngine.open(options(TestModelVariant.EN).build())) {
            Recorder r = transcribe(engine, StreamSettings.file("en-US", Acceleration.REGULAR, "t"), script.samples(), 320);
            System.out.println(r.events);
            assertEquals(script.expectedTexts("en-US"), r.finalTexts());
        }
    }
}
