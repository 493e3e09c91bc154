package org.streamasr.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.SpeechEngines;
import org.streamasr.media.CallRejectedException;

/**
 * The engines calls may ask for. The default engine (asr.engine) is opened at start-up and serves every call that
 * does not say. A call may name another registered engine (opened on first use with the default options, e.g.
 * "sphinx" beside "nemotron") or a model listed in asr.models (name → engine and model directory); callers can
 * never point the server at a path of their choosing. Owns the engines it opened; closes them on {@link #close()}.
 */
public final class EngineCatalog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EngineCatalog.class);

    private final SpeechEngine defaultEngine;
    private final EngineConfig defaultOptions;
    private final Map<String, EngineConfig> models;
    private final boolean ownsDefault;
    private final Map<String, SpeechEngine> opened = new ConcurrentHashMap<>();
    private final Map<SpeechEngine, String> defaultLanguages = new ConcurrentHashMap<>();
    private final List<Consumer<SpeechEngine>> openListeners = new CopyOnWriteArrayList<>();

    /**
     * @param defaultEngine  serves calls that name no engine or model
     * @param defaultOptions the options it was opened with (other engines start from these)
     * @param models         named models: name → options with engine and model directory set
     * @param ownsDefault    whether {@link #close()} closes the default engine too
     */
    public EngineCatalog(SpeechEngine defaultEngine, EngineConfig defaultOptions, Map<String, EngineConfig> models,
                         boolean ownsDefault) {
        this.defaultEngine = defaultEngine;
        this.defaultOptions = defaultOptions;
        this.models = Map.copyOf(models);
        this.ownsDefault = ownsDefault;
    }

    public SpeechEngine defaultEngine() {
        return defaultEngine;
    }

    /** The language {@code engine} recognises when a call or request names none (its options' default-language). */
    public String defaultLanguage(SpeechEngine engine) {
        return engine == defaultEngine ? defaultOptions.defaultLanguage()
                : defaultLanguages.getOrDefault(engine, defaultOptions.defaultLanguage());
    }

    /** Runs {@code listener} on each engine this catalog opens from now on (the default engine is not included). */
    public void onEngineOpened(Consumer<SpeechEngine> listener) {
        openListeners.add(listener);
    }

    /** Model names from asr.models, sorted. */
    public List<String> modelNames() {
        return new ArrayList<>(new TreeSet<>(models.keySet()));
    }

    /** The engine name of a model from asr.models, or null for an unknown name. */
    public String engineOf(String model) {
        EngineConfig options = models.get(model);
        return options == null ? null : options.engine();
    }

    /**
     * The engine for a call that asks for {@code engine} and/or {@code model} (either may be null).
     *
     * @throws CallRejectedException naming the unknown engine or model and what is available, or why it failed to load
     */
    public SpeechEngine select(String engine, String model) throws CallRejectedException {
        if (model != null && !model.isBlank()) {
            EngineConfig options = models.get(model);
            if (options == null) {
                throw new CallRejectedException("unknown model '" + model + "'; available: "
                        + (models.isEmpty() ? "(none configured in asr.models)" : String.join(", ", modelNames())));
            }
            if (engine != null && !engine.isBlank() && !engine.equals(options.engine())) {
                throw new CallRejectedException("model '" + model + "' runs on engine '" + options.engine()
                        + "', not '" + engine + "'");
            }
            return open("model:" + model, options);
        }
        if (engine == null || engine.isBlank() || engine.equals(defaultEngine.name())) return defaultEngine;
        if (!SpeechEngines.available().contains(engine)) {
            throw new CallRejectedException("unknown engine '" + engine + "'; available: "
                    + String.join(", ", SpeechEngines.available()));
        }
        return open("engine:" + engine, defaultOptions.toBuilder().engine(engine).build());
    }

    private SpeechEngine open(String key, EngineConfig options) throws CallRejectedException {
        SpeechEngine engine = opened.get(key);
        if (engine != null) return engine;
        try {
            return opened.computeIfAbsent(key, k -> {
                LOG.info("opening engine {} for {}", options.engine(), k);
                SpeechEngine e = SpeechEngines.open(options);
                if (options.defaultLanguage() != null) defaultLanguages.put(e, options.defaultLanguage());
                openListeners.forEach(l -> l.accept(e));
                return e;
            });
        } catch (RuntimeException e) {
            throw new CallRejectedException("cannot load " + key.replace(':', ' ') + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        for (SpeechEngine e : opened.values()) {
            try {
                e.close();
            } catch (RuntimeException ex) {
                LOG.warn("closing engine {} failed", e.name(), ex);
            }
        }
        opened.clear();
        if (ownsDefault) defaultEngine.close();
    }
}
