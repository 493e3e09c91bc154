package org.streamasr.media.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.streamasr.media.adapter.TestAudio;
import org.streamasr.media.g711.G711;

/** Linear speech is never taken for G.711 read as slin; G.711 of the same speech is. */
class LinearPcmCheckTest {

    @Test
    void everyLibriVoxClipAt8kPassesAndItsMuLawAndALawBytesAreNoticed() throws Exception {
        List<java.nio.file.Path> clips;
        try (Stream<java.nio.file.Path> s = Files.list(TestAudio.LIBRIVOX)) {
            clips = s.filter(p -> p.toString().endsWith(".wav")).sorted().toList();
        }
        assertTrue(clips.size() >= 3, "LibriVox clips: " + clips);
        int frames = 0;
        int ulawNoticed = 0;
        int alawNoticed = 0;
        int loud = 0;
        for (java.nio.file.Path clip : clips) {
            short[] at8k = TestAudio.resample(TestAudio.clip(clip.getFileName().toString()), 16_000, 8_000);
            for (int off = 0; off + 160 <= at8k.length; off += 160) {
                frames++;
                ByteBuffer linear = ByteBuffer.wrap(TestAudio.le(at8k, off, off + 160));
                assertEquals(false, LinearPcmCheck.plainlyNotLinear(linear, ByteOrder.LITTLE_ENDIAN),
                        clip.getFileName() + " frame at " + off);
                byte[] ulaw = new byte[160];
                byte[] alaw = new byte[160];
                int peak = 0;
                for (int i = 0; i < 160; i++) {
                    ulaw[i] = G711.linearToUlaw(at8k[off + i]);
                    alaw[i] = G711.linearToAlaw(at8k[off + i]);
                    peak = Math.max(peak, Math.abs(at8k[off + i]));
                }
                if (peak < 1000) continue; // a pause: nothing to transcribe either way
                loud++;
                if (LinearPcmCheck.plainlyNotLinear(ByteBuffer.wrap(ulaw), ByteOrder.LITTLE_ENDIAN)) ulawNoticed++;
                if (LinearPcmCheck.plainlyNotLinear(ByteBuffer.wrap(alaw), ByteOrder.LITTLE_ENDIAN)) alawNoticed++;
            }
        }
        System.out.printf("linear PCM check: %d frames of 20 ms, none refused; of %d with speech, mu-law noticed %d, "
                + "A-law %d%n", frames, loud, ulawNoticed, alawNoticed);
        assertTrue(ulawNoticed > loud * 8 / 10, ulawNoticed + " of " + loud);
    }
}
