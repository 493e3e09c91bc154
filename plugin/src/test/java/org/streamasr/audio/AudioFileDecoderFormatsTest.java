package org.streamasr.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        AudioFileDecoder decoder = new AudioFileDecoder("ffmpeg", Duration.ofMinutes(1), Duration.ofMinutes(10));
        short[] decoded = readAll(decoder, file);
        long samples = decoded.length;
        assertEquals(original.length, samples, 0.06 * 16000, name + ": length within 60 ms of the clip");
        double best = bestCorrelation(original, decoded, 1200);
        assertTrue(best > 0.85, name + ": correlation with the original " + best);
        float[] floats = decoder.decode(file);
        assertEquals(samples, floats.length, "decode(Path) agrees");
    }

    @Test
    void plainSixteenKilohertzWavIsCopiedExactly() throws Exception {
        short[] got = readAll(AudioFileDecoder.withDefaults(), CLIP);
        assertEquals(original.length, got.length);
        for (int i = 0; i < got.length; i++) assertEquals(original[i], got[i]);
    }

    @Test
    void refusesJunkAndOverlongAudioWithAMessage() throws Exception {
        Path junk = dir.resolve("junk.bin");
        Files.write(junk, "this is not audio at all, just text".repeat(20).getBytes());
        UndecodableAudioException e = assertThrows(UndecodableAudioException.class,
                () -> readAll(AudioFileDecoder.withDefaults(), junk));
        assertTrue(e.getMessage().startsWith("cannot decode audio"), e.getMessage());
        assertTrue(!e.getMessage().contains(dir.toString()), "no server paths in messages: " + e.getMessage());
        Path mp3 = encode("long.mp3", "-c:a", "libmp3lame");
        AudioFileDecoder oneSecond = new AudioFileDecoder("ffmpeg", Duration.ofMinutes(1), Duration.ofSeconds(1));
        assertThrows(AudioTooLongException.class, () -> readAll(oneSecond, mp3));
    }

    @Test
    void playlistsThatNameOtherFilesAreRefused() throws Exception {
        Path playlist = dir.resolve("evil.bin");
        Files.writeString(playlist, "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n" + CLIP + "\n#EXT-X-ENDLIST\n");
        assertThrows(UndecodableAudioException.class,
                () -> readAll(AudioFileDecoder.withDefaults(), playlist));
        // another file in the same (temp) directory: an unrestricted ffmpeg would read it
        Files.copy(CLIP, dir.resolve("neighbour.wav"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path concat = dir.resolve("concat.bin");
        Files.writeString(concat, "ffconcat version 1.0\nfile 'neighbour.wav'\n");
        assertThrows(UndecodableAudioException.class,
                () -> readAll(AudioFileDecoder.withDefaults(), concat));
    }

    @Test
    void aContainerStatingMoreThanTheLimitIsRefusedBeforeDecoding() throws Exception {
        Path mp3 = encode("stated.mp3", "-c:a", "libmp3lame", "-b:a", "32k");
        AudioFileDecoder twoSeconds = new AudioFileDecoder("ffmpeg", Duration.ofMinutes(1), Duration.ofSeconds(2));
        assertEquals(original.length, twoSeconds.statedSamples(mp3), 0.15 * 16000, "ffprobe reads the stated duration");
        AudioTooLongException e = assertThrows(AudioTooLongException.class, () -> twoSeconds.open(mp3));
        assertTrue(e.getMessage().contains("as its container states"), e.getMessage());
    }

    @Test
    void withoutAStatedDurationTheDecoderIsStoppedAtTheLimit() throws Exception {
        // webm written to a pipe carries no duration: only reading finds out how long it is
        Path webm = dir.resolve("piped.webm");
        Process p = new ProcessBuilder("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-i", CLIP.toString(),
                "-c:a", "libopus", "-f", "webm", "pipe:1").redirectOutput(webm.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0);
        AudioFileDecoder twoSeconds = new AudioFileDecoder("ffmpeg", Duration.ofMinutes(1), Duration.ofSeconds(2));
        assertEquals(-1, twoSeconds.statedSamples(webm), "no stated duration");
        long[] read = new long[1];
        try (DecodedAudioStream in = twoSeconds.open(webm)) {
            float[] buf = new float[4000];
            assertThrows(AudioTooLongException.class, () -> {
                int n;
                while ((n = in.read(buf, 0, buf.length)) >= 0) read[0] += n;
            });
        }
        assertTrue(read[0] <= 2 * 16000 && read[0] > 2 * 16000 - 4000, "stopped at the limit: " + read[0]);
    }

    /** Everything {@code decoder} decodes from {@code file}, as 16-bit samples. */
    static short[] readAll(AudioFileDecoder decoder, Path file) throws Exception {
        List<Short> out = new ArrayList<>();
        try (DecodedAudioStream in = decoder.open(file)) {
            float[] buf = new float[8000];
            int n;
            while ((n = in.read(buf, 0, buf.length)) >= 0) {
                for (int i = 0; i < n; i++) out.add((short) Math.round(buf[i] * 32768f));
            }
        }
        short[] s = new short[out.size()];
        for (int i = 0; i < s.length; i++) s[i] = out.get(i);
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
