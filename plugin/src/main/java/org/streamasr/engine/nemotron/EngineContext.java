package org.streamasr.engine.nemotron;

import java.util.function.LongSupplier;
import org.streamasr.engine.vad.SileroVadModel;

/**
 * What every stream and batch of one engine share, fixed when the engine opens (sherpa-onnx's shape: the model side
 * is shared and immutable, and the stream holds no reference to the recognizer): the engine's settings, the VAD model,
 * the clock, the stage timers and the hooks that count. Handed down by the engine; a stream or batch never reaches
 * the engine itself. The chunk models travel with each stream ({@link NemotronStream#model}).
 *
 * @param vad       the Silero VAD model, or null when none is configured
 * @param vadGating whether chunks of idle streams that the VAD calls silent are skipped
 * @param clock     {@link System#nanoTime()} in production: the clock of arrival estimates and stage times, the one
 *                  the batch scheduler reads
 */
record EngineContext(NemotronConfig settings, SileroVadModel vad, boolean vadGating, EngineStats stats,
                     LongSupplier clock, ChunkCounter chunks, FailureLog failures, DropLog drops) {

    /** VAD margin around a chunk before it may be skipped as silence. */
    static final long VAD_MARGIN_SAMPLES = 3_200;

    /** Counts the chunks of a batch that ran through the model and those the VAD skipped. */
    @FunctionalInterface
    interface ChunkCounter {
        void count(int run, int skipped);
    }

    /** Counts a failure and logs each distinct one once; {@code where} names the stream or stage. */
    @FunctionalInterface
    interface FailureLog {
        void failed(String where, Exception e);
    }

    /** Counts audio a stream dropped, by reason. */
    @FunctionalInterface
    interface DropLog {
        void drop(String reason, String detail);
    }

    long now() {
        return clock.getAsLong();
    }

    int tailFrames() {
        return settings.tailFrames();
    }

    int maxSymbolsPerFrame() {
        return settings.maxSymbols();
    }

    float vadSkipThreshold() {
        return settings.vadSkipThreshold();
    }
}
