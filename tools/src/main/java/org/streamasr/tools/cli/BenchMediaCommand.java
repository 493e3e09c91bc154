package org.streamasr.tools.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.streamasr.audio.AudioFileDecoder;
import org.streamasr.tools.bench.RtpDecodeBench;
import org.streamasr.media.wav.WavFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code asr bench-media}: CPU cost of the RTP receive path (packets to 16 kHz PCM) for Opus and PCMU, next to
 * ffmpeg decoding and resampling the same audio. See {@link RtpDecodeBench}.
 */
@Command(name = "bench-media", mixinStandardHelpOptions = true,
        description = "Measures CPU seconds per second of audio from RTP packets to 16 kHz PCM (Opus, PCMU) and the "
                + "same for ffmpeg in the same run; prints streams per core.")
public final class BenchMediaCommand implements Callable<Integer> {
    static final Path LIBRIVOX = Path.of("/usr/share/pocketsphinx/test/data/librivox");

    @Option(names = "--input", paramLabel = "AUDIO",
            description = "Speech to use (any format ffmpeg reads). Default: the LibriVox clips of pocketsphinx-testdata.")
    Path input;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "120", description = "Audio per stream, looping the input (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--streams", paramLabel = "N", defaultValue = "4", description = "Streams run one after another (default: ${DEFAULT-VALUE}).")
    int streams;

    @Override
    public Integer call() throws Exception {
        if (seconds < 5 || streams < 1) throw new IllegalArgumentException("--seconds must be >= 5 and --streams >= 1");
        short[] speech = input != null ? WavFile.toPcm16(AudioFileDecoder.withDefaults().decode(input)) : librivox();
        Path work = Files.createTempDirectory("bench-media-");
        try {
            new RtpDecodeBench(RtpDecodeBench.loop(speech, seconds), streams, work).run(System.out);
        } finally {
            try (Stream<Path> files = Files.list(work)) {
                for (Path f : files.toList()) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(work);
        }
        return 0;
    }

    private static short[] librivox() throws Exception {
        if (!Files.isDirectory(LIBRIVOX)) {
            throw new IllegalArgumentException("no --input given and " + LIBRIVOX + " is missing (Debian package "
                    + "pocketsphinx-testdata)");
        }
        List<short[]> parts = new ArrayList<>();
        try (Stream<Path> files = Files.list(LIBRIVOX)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".wav")).sorted().toList()) {
                parts.add(WavFile.read(f).mono());
            }
        }
        int n = parts.stream().mapToInt(p -> p.length).sum();
        short[] all = new short[n];
        int at = 0;
        for (short[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
