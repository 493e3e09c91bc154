package org.streamasr.apis;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code asr.apis}: the model names the outside APIs answer to. Validated at start-up; a bad value is an
 * {@link IllegalArgumentException} whose message starts with its key.
 *
 * @param defaultModelNames names official clients send that the default engine serves ({@code nova-3}, {@code whisper-1}, ...)
 * @param aliases           {@code asr.apis.model-aliases}, in file order
 */
public record ApisConfig(List<String> defaultModelNames, Map<String, ModelAlias> aliases) {
    public static final String SECTION = "asr.apis";

    public ApisConfig {
        defaultModelNames = List.copyOf(defaultModelNames);
        aliases = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(aliases));
    }

    /** Reads {@code asr.apis} of the full config; {@code defaultEngine} is asr.engine.name. */
    public static ApisConfig from(Config config, String defaultEngine) {
        if (!config.hasPath(SECTION)) return new ApisConfig(List.of(), Map.of());
        String namesKey = SECTION + ".default-model-names";
        List<String> names = new ArrayList<>();
        try {
            if (config.hasPath(namesKey)) {
                for (String n : config.getStringList(namesKey)) {
                    if (n.isBlank()) throw new IllegalArgumentException(namesKey + ": names must not be blank");
                    names.add(n.trim());
                }
            }
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(namesKey + ": a list of model names, e.g. [\"nova-3\", \"whisper-1\"]");
        }
        Map<String, ModelAlias> aliases = new LinkedHashMap<>();
        String aliasesKey = SECTION + ".model-aliases";
        if (config.hasPath(aliasesKey)) {
            for (Map.Entry<String, ConfigValue> e : config.getObject(aliasesKey).entrySet()) {
                String name = e.getKey();
                String key = aliasesKey + "." + ConfigUtil.joinPath(name);
                if (name.isBlank()) throw new IllegalArgumentException(key + ": an alias needs a name");
                if (e.getValue().valueType() != ConfigValueType.OBJECT) {
                    throw new IllegalArgumentException(key + ": an object { engine = \"nemotron\", model-dir = \"/models/x\" }");
                }
                Config a = config.getConfig(key);
                String engine = a.hasPath("engine") ? a.getString("engine").trim() : defaultEngine;
                if (engine.isEmpty()) throw new IllegalArgumentException(key + ".engine: must not be empty");
                Path dir = a.hasPath("model-dir") ? Path.of(a.getString("model-dir")) : null;
                for (String k : a.root().keySet()) {
                    if (!k.equals("engine") && !k.equals("model-dir")) {
                        throw new IllegalArgumentException(key + "." + k + ": unknown key (an alias has engine and model-dir)");
                    }
                }
                aliases.put(name, new ModelAlias(name, engine, dir));
            }
        }
        return new ApisConfig(names, aliases);
    }
}
