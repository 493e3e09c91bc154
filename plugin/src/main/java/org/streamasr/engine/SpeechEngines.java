package org.streamasr.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Opens engines by name through the registered {@link EngineProvider}s. */
public final class SpeechEngines {
    private SpeechEngines() {
    }

    public static List<String> available() {
        List<String> names = new ArrayList<>();
        for (EngineProvider p : ServiceLoader.load(EngineProvider.class)) names.add(p.name());
        return names;
    }

    public static SpeechEngine open(EngineConfig options) {
        for (EngineProvider p : ServiceLoader.load(EngineProvider.class)) {
            if (p.name().equals(options.engine())) return p.open(options);
        }
        throw new IllegalArgumentException("asr.engine.name: unknown engine '" + options.engine() + "'; available: "
                + String.join(", ", available()));
    }
}
