package org.streamasr.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.streamasr.audio.AudioFileDecoder;
import org.streamasr.engine.features.LogMelExtractor;
import org.streamasr.engine.features.NpyWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code asr features AUDIO --out FILE.npy}: the model's log-mel features of a file, for checking against NeMo. */
@Command(name = "features", mixinStandardHelpOptions = true,
        description = "Computes the Nemotron log-mel features (NeMo front end: 128 mels, 10 ms hop) of an audio file "
                + "and writes them as a [frames x 128] float32 .npy file.")
public final class FeaturesCommand implements Callable<Integer> {
    private static final int BATCH_FRAMES = 256;

    @Parameters(index = "0", paramLabel = "AUDIO", description = "Audio file (any format ffmpeg reads; decoded to 16 kHz mono).")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "FILE.npy", description = "Where to write the features.")
    Path out;

    @Override
    public Integer call() throws Exception {
        float[] samples = AudioFileDecoder.withDefaults().decode(input);
        long frames = write(samples, out);
        System.out.println(out + ": " + frames + " frames x " + LogMelExtractor.N_MELS + " mels");
        return 0;
    }

    /** Writes the features of {@code samples} to {@code file}; returns the number of frames. */
    static long write(float[] samples, Path file) throws java.io.IOException {
        LogMelExtractor extractor = new LogMelExtractor();
        long frames = LogMelExtractor.frameCount(samples.length);
        float[] batch = new float[BATCH_FRAMES * LogMelExtractor.N_MELS];
        try (NpyWriter npy = new NpyWriter(file, frames, LogMelExtractor.N_MELS)) {
            int chunk = BATCH_FRAMES * LogMelExtractor.HOP;
            for (int at = 0; at < samples.length; at += chunk) {
                extractor.accept(samples, at, Math.min(chunk, samples.length - at));
                drain(extractor, npy, batch);
            }
            extractor.finish();
            drain(extractor, npy, batch);
        }
        return frames;
    }

    private static void drain(LogMelExtractor extractor, NpyWriter npy, float[] batch) throws java.io.IOException {
        int n;
        while ((n = extractor.poll(batch, 0, BATCH_FRAMES)) > 0) npy.writeRows(batch, 0, n);
    }
}
