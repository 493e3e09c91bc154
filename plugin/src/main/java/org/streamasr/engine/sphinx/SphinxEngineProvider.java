package org.streamasr.engine.sphinx;

import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.EngineProvider;
import org.streamasr.engine.SpeechEngine;

/** Registers the built-in {@code sphinx} engine with {@link org.streamasr.engine.SpeechEngines}. */
public final class SphinxEngineProvider implements EngineProvider {
    @Override
    public String name() {
        return SphinxEngine.NAME;
    }

    @Override
    public SpeechEngine open(EngineConfig options) {
        return SphinxEngine.open(options);
    }
}
