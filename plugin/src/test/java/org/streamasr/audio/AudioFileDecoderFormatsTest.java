package org.streamasr.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.streamasr.media.wav.WavFile;

/**
 * Every container the hosted API promises, made with ffmpeg from a LibriVox clip, decodes to 16 kHz mono PCM of
 * the clip's length that matches the original signal.
 */
class AudioFileDecoderFormatsTest {
    static final Path CLIP = Path.of("/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0880.wav");

    @TempDir
    static Path dir;
    static short[] original;

    @BeforeAll
    static void readClip() throws Exception {
        WavFile w = WavFile.read(CLIP);
        assertEquals(16000, w.sampleRate());
        original = w.mono();
    }

    static Path encode(String name, String... codecArgs) throws Exception {
        Path out = dir.resolve(name);
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                "-i", CLIP.toString()));
        cmd.addAll(List.of(codecArgs));
        cmd.add(out.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "ffmpeg failed: " + log);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "clip.mp3  | -c:a libmp3lame -b:a 64k",
            "clip.wav  | -ar 44100 -ac 2 -c:a pcm_s16le",
            "clip.ogg  | -c:a libopus -b:a 32k",
            "clip.opus | -c:a libopus -b:a 24k",
            "clip.flac | -c:a flac",
            "clip.m4a  | -c:a aac -b:a 64k",
            "clip.webm | -c:a libopus -b:a 32k"})
    void decodesToSixteenKilohertzMono(String name, String args) throws Exception {
        Path file = encode(name, args.trim().split(" "));
        Path pcm = dir.resolve(name + ".pcm");
        AudioFileDecoder decoder = new AudioFileDecoder("ffmpeg", Duration.ofMinutes(1), Duration.ofMinutes(10));
        long samples = decoder.decodeToPcmFile(file, pcm);
        assertEquals(Files.size(pcm) / 2, samples);
        assertEquals(original.length, samples, 0.06 * 16000, name + ": length within 60 ms of the clip");
        short[] decoded = read(pcm);
        double best = bestCorrelation(original, decoded, 1200);
        assertTrue(best > 0.85, name + ": correlation with the original " + best);
        float[] floats = decoder.decode(file);
        assertEquals(samples, floats.length, "decode(Path) agrees");
    }

    @Test
    void plainSixteenKilohertzWavIsCopiedExactly() throws Exception {
        Path pcm = dir.resolve("plain.pcm");
        long n = AudioFileDecoder.withDefaults().decodeToPcmFile(CLIP, pcm);
        assertEquals(original.length, n);
        short[] got = read(pcm);
        for (int i = 0; i < got.length; i++) assertEquals(original[i], got[i]);
    }

    @Test
    void refusesJunkAndOverlongAudioWithAMessage() throws Exception {
        Path junk = dir.resolve("junk.bin");
        Files.write(junk, "this is not audio at all, just text".repeat(20).getBytes());
        UndecodableAudioException e = assertThrows(UndecodableAudioException.class,
                () -> AudioFileDecoder.withDefaults().decodeToPcmFile(junk, dir.resolve("junk.pcm")));
        assertTrue(e.getMessage().startsWith("cannot decode audio"), e.getMessage());
        assertTrue(!e.getMessage().contains(dir.toString()), "no server paths in messages: " + e.getMessage());
        Path mp3 = encode("long.mp3", "-c:a", "libmp3lame");
        AudioFileDecoder oneSecond = new AudioFileDecoder("ffmpeg", Duration.ofMinutes(1), Duration.ofSeconds(1));
        assertThrows(AudioTooLongException.class, () -> oneSecond.decodeToPcmFile(mp3, dir.resolve("long.pcm")));
    }

    @Test
    void playlistsThatNameOtherFilesAreRefused() throws Exception {
        Path playlist = dir.resolve("evil.bin");
        Files.writeString(playlist, "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n" + CLIP + "\n#EXT-X-ENDLIST\n");
        assertThrows(UndecodableAudioException.class,
                () -> AudioFileDecoder.withDefaults().decodeToPcmFile(playlist, dir.resolve("evil.pcm")));
        // another file in the same (temp) directory: an unrestricted ffmpeg would read it
        Files.copy(CLIP, dir.resolve("neighbour.wav"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path concat = dir.resolve("concat.bin");
        Files.writeString(concat, "ffconcat version 1.0\nfile 'neighbour.wav'\n");
        assertThrows(UndecodableAudioException.class,
                () -> AudioFileDecoder.withDefaults().decodeToPcmFile(concat, dir.resolve("concat.pcm")));
    }

    static short[] read(Path pcm) throws Exception {
        ByteBuffer bb = ByteBuffer.wrap(Files.readAllBytes(pcm)).order(ByteOrder.LITTLE_ENDIAN);
        short[] s = new short[bb.remaining() / 2];
        for (int i = 0; i < s.length; i++) s[i] = bb.getShort();
        return s;
    }

    /** Normalised cross-correlation at the best lag within ±maxLag samples (codecs add delay). */
    static double bestCorrelation(short[] a, short[] b, int maxLag) {
        double best = -1;
        for (int lag = -maxLag; lag <= maxLag; lag += 4) {
            double ab = 0, aa = 0, bb = 0;
            for (int i = 0; i < a.length; i += 2) {
                int j = i + lag;
                if (j < 0 || j >= b.length) continue;
                ab += (double) a[i] * b[j];
                aa += (double) a[i] * a[i];
                bb += (double) b[j] * b[j];
            }
            if (aa > 0 && bb > 0) best = Math.max(best, ab / Math.sqrt(aa * bb));
        }
        return best;
    }
}
