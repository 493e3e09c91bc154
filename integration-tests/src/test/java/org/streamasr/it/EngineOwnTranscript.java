package org.streamasr.it;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.RecognitionListener;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.SpeechEngines;
import org.streamasr.engine.StreamSpec;
import org.streamasr.engine.Utterance;

/**
 * What the engine itself makes of a 16 kHz mono 16-bit WAV, fed straight to a stream the way files are fed (no
 * dropping): the reference an outside API's transcript must equal.
 */
final class EngineOwnTranscript {
    private EngineOwnTranscript() {
    }

    /** The finals' texts, in order (empty ones left out). */
    static List<String> finals(String engineName, Path wav) throws Exception {
        byte[] bytes = Files.readAllBytes(wav);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int data = 12;
        int dataLength = 0;
        while (data + 8 <= bytes.length) {
            String id = new String(bytes, data, 4, java.nio.charset.StandardCharsets.US_ASCII);
            int len = b.getInt(data + 4);
            if (id.equals("data")) {
                dataLength = Math.min(len, bytes.length - data - 8);
                data += 8;
                break;
            }
            data += 8 + len + (len & 1);
        }
        float[] samples = new float[dataLength / 2];
        for (int i = 0; i < samples.length; i++) samples[i] = b.getShort(data + 2 * i) / 32768f;
        List<String> finals = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        try (SpeechEngine engine = SpeechEngines.open(EngineConfig.builder().engine(engineName).build());
             RecognitionStream s = engine.openStream(StreamSpec.file(null, null, "reference"), new RecognitionListener() {
                 @Override
                 public void onPartial(Utterance partial) {
                 }

                 @Override
                 public void onFinal(Utterance u) {
                     if (!u.text().isBlank()) finals.add(u.text().strip());
                 }

                 @Override
                 public void onFinished() {
                     done.countDown();
                 }
             })) {
            for (int off = 0; off < samples.length; off += 8000) {
                s.acceptAwaiting(samples, off, Math.min(8000, samples.length - off));
            }
            s.finish();
            if (!done.await(120, TimeUnit.SECONDS)) throw new AssertionError("the engine did not finish " + wav);
        }
        return finals;
    }
}
