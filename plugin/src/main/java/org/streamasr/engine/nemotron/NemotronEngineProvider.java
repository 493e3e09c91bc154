package org.streamasr.engine.nemotron;

import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.EngineProvider;
import org.streamasr.engine.SpeechEngine;

/** Registers the "nemotron" engine (META-INF/services). */
public final class NemotronEngineProvider implements EngineProvider {
    @Override
    public String name() {
        return NemotronEngine.NAME;
    }

    @Override
    public SpeechEngine open(EngineConfig options) {
        return NemotronEngine.open(options);
    }
}
