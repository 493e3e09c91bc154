package org.streamasr.engine;

/**
 * Builds one kind of engine. Implementations are listed in
 * {@code META-INF/services/org.streamasr.engine.EngineProvider}.
 */
public interface EngineProvider {

    /** The value of {@link EngineConfig#engine()} this provider answers to. */
    String name();

    /**
     * Loads the engine. Fails with {@link ModelContractException} for model files that do not fit, naming the file
     * and the mismatch, or {@link IllegalArgumentException} for bad options, naming the option.
     */
    SpeechEngine open(EngineConfig options);
}
