package org.streamasr.apis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.SpeechEngines;
import org.streamasr.media.CallRejectedException;
import org.streamasr.stream.EngineCatalog;

/**
 * The one model-name resolver of the outside APIs. A name resolves, in this order: empty → the default engine
 * (Pipecat's Riva service sends {@code ""}); an {@code asr.apis.model-aliases} entry → its engine and model
 * directory; an {@code asr.models} entry; a registered engine name ({@code sphinx}); one of
 * {@code asr.apis.default-model-names} ({@code nova-3}, {@code whisper-1}, ...) → the default engine. Anything else is
 * a {@link ModelNotServedException} naming what is served. Names match ignoring case. Engines load on first use
 * through the {@link EngineCatalog}, which owns them.
 */
public final class ServedModels {
    /** One row of {@code GET /v1/models}: the name, the engine that serves it, and where the name comes from. */
    public record Listing(String name, String engine, String kind) {
    }

    private final EngineCatalog catalog;
    private final Map<String, String> defaultNames = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final Map<String, ModelAlias> aliases = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final Map<String, String> catalogModels = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    /**
     * @param catalog the server's engines; it must already hold {@link #catalogEntries} of {@code config}
     * @param config  asr.apis
     */
    public ServedModels(EngineCatalog catalog, ApisConfig config) {
        this.catalog = catalog;
        for (String n : config.defaultModelNames()) defaultNames.put(n, n);
        config.aliases().values().forEach(a -> aliases.put(a.name(), a));
        for (String m : catalog.modelNames()) catalogModels.put(m, m);
    }

    /**
     * The aliases that need an engine of their own (a model directory), as entries to add to the catalog's models
     * beside asr.models; an alias name that is also an asr.models name is refused.
     *
     * @throws IllegalArgumentException naming the key
     */
    public static Map<String, EngineConfig> catalogEntries(ApisConfig config, EngineConfig defaults,
                                                            Set<String> configuredModels) {
        Map<String, EngineConfig> out = new LinkedHashMap<>();
        for (ModelAlias a : config.aliases().values()) {
            for (String m : configuredModels) {
                if (m.equalsIgnoreCase(a.name())) {
                    throw new IllegalArgumentException(ApisConfig.SECTION + ".model-aliases." + a.name()
                            + ": asr.models has a model of that name already");
                }
            }
            if (!a.engine().equals(defaults.engine()) && !SpeechEngines.available().contains(a.engine())) {
                throw new IllegalArgumentException(ApisConfig.SECTION + ".model-aliases." + a.name() + ".engine: unknown "
                        + "engine '" + a.engine() + "'; available: " + String.join(", ", SpeechEngines.available()));
            }
            if (a.modelDir() != null) out.put(a.name(), defaults.toBuilder().engine(a.engine()).modelDir(a.modelDir()).build());
        }
        return out;
    }

    /**
     * The engine for {@code name}.
     *
     * @throws ModelNotServedException for a name that is not served, or whose engine failed to load
     */
    public ServedModel resolve(String name) throws ModelNotServedException {
        String n = name == null ? "" : name.trim();
        SpeechEngine defaultEngine = catalog.defaultEngine();
        if (n.isEmpty()) return new ServedModel(n, defaultEngine, null, null);
        try {
            ModelAlias alias = aliases.get(n);
            if (alias != null) {
                if (alias.modelDir() != null) {
                    return new ServedModel(n, catalog.select(null, alias.name()), null, alias.name());
                }
                if (alias.engine().equals(defaultEngine.name())) return new ServedModel(n, defaultEngine, null, null);
                return new ServedModel(n, catalog.select(alias.engine(), null), alias.engine(), null);
            }
            String model = catalogModels.get(n);
            if (model != null) return new ServedModel(n, catalog.select(null, model), null, model);
            for (String engine : SpeechEngines.available()) {
                if (engine.equalsIgnoreCase(n)) {
                    if (engine.equals(defaultEngine.name())) return new ServedModel(n, defaultEngine, null, null);
                    return new ServedModel(n, catalog.select(engine, null), engine, null);
                }
            }
        } catch (CallRejectedException e) {
            throw new ModelNotServedException(n, "model '" + n + "' cannot be loaded: " + e.getMessage(), names(), e);
        }
        if (defaultNames.containsKey(n)) return new ServedModel(n, defaultEngine, null, null);
        throw new ModelNotServedException(n, "model '" + n + "' is not served here; served: " + String.join(", ", names()),
                names(), null);
    }

    /**
     * What is served, for {@code GET /v1/models} and Riva's config RPC: default names, aliases, asr.models, and the
     * default engine's name.
     */
    public List<Listing> list() {
        String def = catalog.defaultEngine().name();
        List<Listing> out = new ArrayList<>();
        for (String n : defaultNames.values()) if (!aliases.containsKey(n)) out.add(new Listing(n, def, "default"));
        for (ModelAlias a : aliases.values()) out.add(new Listing(a.name(), a.engine(), "alias"));
        for (String m : catalogModels.values()) {
            if (!aliases.containsKey(m)) out.add(new Listing(m, catalog.engineOf(m), "model"));
        }
        // the default engine by its name; other engine names resolve too but are not listed (nemotron needs a model)
        out.add(new Listing(def, def, "engine"));
        return out;
    }

    /** The names of {@link #list()}. */
    public List<String> names() {
        return list().stream().map(Listing::name).toList();
    }
}
