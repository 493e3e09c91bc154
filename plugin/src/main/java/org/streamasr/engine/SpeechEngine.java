package org.streamasr.engine;

import java.util.Set;

/**
 * A speech recogniser shared by many streams: the immutable model (sessions, vocabulary, contract) lives here, each
 * {@link RecognitionStream} owns its mutable state. Thread-safe. Owns native resources until {@link #close()}.
 */
public interface SpeechEngine extends AutoCloseable {

    /** "nemotron", "sphinx", ... */
    String name();

    /** Language values {@link StreamSpec#language()} may take ("auto" included where supported). */
    Set<String> languages();

    /** Acceleration modes this engine can serve (for nemotron: the modes whose encoder file exists). */
    Set<Acceleration> accelerations();

    /**
     * Opens a stream. Results arrive on {@code listener} from engine threads.
     *
     * @throws UnsupportedSettingException for a language or acceleration this engine or model cannot serve; the
     *                                     message names the setting and the values allowed
     */
    RecognitionStream openStream(StreamSpec settings, RecognitionListener listener) throws UnsupportedSettingException;

    /**
     * Streams this engine can run at once (its own limit, such as sphinx.max-streams); calls share them
     * (CallRegistry). {@link Integer#MAX_VALUE}: no limit of its own.
     */
    default int maxStreams() {
        return Integer.MAX_VALUE;
    }

    /** Adds a listener of the batches this engine runs; an engine that does not batch never calls it. */
    default void addBatchListener(BatchListener listener) {
    }

    default void removeBatchListener(BatchListener listener) {
    }

    /**
     * Bytes this engine's model runs copied from host memory to its execution device so far (see
     * {@code asr_engine_host_device_bytes_total}); 0 for an engine without one.
     */
    default long bytesToDevice() {
        return 0;
    }

    /** Bytes this engine's model runs copied from its execution device to host memory so far. */
    default long bytesToHost() {
        return 0;
    }

    @Override
    void close();
}
