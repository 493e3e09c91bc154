package org.streamasr.tools.bench.peer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.streamasr.media.wav.WavFile;

/**
 * Conference-like audio for {@code bench-peer --speakers K}: every stream carries low background noise (about -66 dBFS,
 * what a muted-but-open microphone sends), and {@code K} streams speak at any time, in turns that go round all streams:
 * speaking slot {@code s}'s turn {@code j} is stream {@code (s + j K) mod N} reading one recorded LibriVox clip (Debian's
 * pocketsphinx test data), with one second of noise between turns. Stream 0 speaks first. 16 kHz float32,
 * little-endian, stream after stream, as {@link PeerBenchmark} writes tone audio.
 */
final class ConferenceAudio {
    /** Debian package pocketsphinx-testdata (installed by scripts/install-debian-packages). */
    static final Path LIBRIVOX = Path.of("/usr/share/pocketsphinx/test/data/librivox");
    private static final int RATE = 16_000;
    private static final float NOISE = 0.0005f;

    private ConferenceAudio() {
    }

    static Path write(Path file, int streams, int speakers, int seconds) throws IOException {
        List<float[]> clips = clips();
        int n = seconds * RATE;
        float[][] audio = new float[streams][n];
        for (int i = 0; i < streams; i++) {
            Random noise = new Random(i);
            for (int k = 0; k < n; k++) audio[i][k] = (float) noise.nextGaussian() * NOISE;
        }
        int slots = Math.min(speakers, streams);
        for (int s = 0; s < slots; s++) {
            int at = RATE / 2 + s * RATE; // slots start a second apart
            for (int turn = 0; at < n; turn++) {
                float[] clip = clips.get((s + turn) % clips.size());
                float[] to = audio[(s + turn * slots) % streams];
                for (int k = 0; k < clip.length && at + k < n; k++) to[at + k] += clip[k];
                at += clip.length + RATE;
            }
        }
        ByteBuffer b = ByteBuffer.allocate(streams * n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] a : audio) for (float x : a) b.putFloat(x);
        Files.write(file, b.array());
        return file;
    }

    private static List<float[]> clips() throws IOException {
        if (!Files.isDirectory(LIBRIVOX)) {
            throw new IOException(LIBRIVOX + " is missing: --speakers needs the LibriVox clips of Debian's "
                    + "pocketsphinx-testdata (scripts/install-debian-packages)");
        }
        List<float[]> clips = new ArrayList<>();
        try (Stream<Path> files = Files.list(LIBRIVOX)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".wav")).sorted().toList()) {
                WavFile w = WavFile.read(p);
                if (w.sampleRate() != RATE) throw new IOException(p + ": " + w.sampleRate() + " Hz, not 16 kHz");
                clips.add(WavFile.toFloat(w.mono()));
            }
        }
        if (clips.isEmpty()) throw new IOException(LIBRIVOX + " holds no .wav clip");
        return clips;
    }
}
