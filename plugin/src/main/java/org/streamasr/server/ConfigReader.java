package org.streamasr.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Typed, validated reads of one config: every failure names the full key and what was wrong with the value
 * (sherpa-onnx's {@code Validate()}, Jitsi's reference.conf). Wraps Typesafe Config's own type errors the same way.
 */
public final class ConfigReader {
    private final Config config;

    public ConfigReader(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    public boolean isSet(String key) {
        return config.hasPath(key);
    }

    public String string(String key) {
        return guard(key, () -> config.getString(key));
    }

    /** The string, or null when the key is null or absent. */
    public String optionalString(String key) {
        if (!config.hasPath(key)) return null;
        String v = string(key);
        return v.isBlank() ? null : v;
    }

    public String oneOf(String key, List<String> allowed) {
        String v = string(key);
        if (!allowed.contains(v)) {
            throw new InvalidConfigException(key, "must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
        }
        return v;
    }

    public boolean bool(String key) {
        return guard(key, () -> config.getBoolean(key));
    }

    public int intIn(String key, int min, int max) {
        int v = guard(key, () -> config.getInt(key));
        if (v < min || v > max) {
            throw new InvalidConfigException(key, "must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    public double doubleIn(String key, double min, double max) {
        double v = guard(key, () -> config.getDouble(key));
        if (v < min || v > max) {
            throw new InvalidConfigException(key, "must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    public long bytesIn(String key, long min, long max) {
        long v = guard(key, () -> config.getBytes(key));
        if (v < min || v > max) {
            throw new InvalidConfigException(key, "must be between " + min + " and " + max + " bytes, got " + v);
        }
        return v;
    }

    public Duration durationIn(String key, Duration min, Duration max) {
        Duration v = guard(key, () -> config.getDuration(key));
        if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
            throw new InvalidConfigException(key, "must be between " + human(min) + " and " + human(max) + ", got "
                    + human(v));
        }
        return v;
    }

    /** A path, or null when the key is null or absent. */
    public Path optionalPath(String key) {
        String v = optionalString(key);
        return v == null ? null : Path.of(v);
    }

    public List<String> stringList(String key) {
        return guard(key, () -> config.getStringList(key));
    }

    /** An object (a map of settings), e.g. to iterate over user-chosen keys. */
    public ConfigObject object(String key) {
        return guard(key, () -> config.getObject(key));
    }

    /** A list of objects, e.g. [{kid = ..., secret = ...}]. */
    public List<? extends ConfigObject> objectList(String key) {
        return guard(key, () -> config.getObjectList(key));
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private <T> T guard(String key, java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (ConfigException.Missing e) {
            throw new InvalidConfigException(key, "missing (and no default in reference.conf)");
        } catch (ConfigException.WrongType e) {
            throw new InvalidConfigException(key, "wrong type: " + e.getMessage());
        } catch (ConfigException.BadValue e) {
            throw new InvalidConfigException(key, "bad value: " + e.getMessage());
        } catch (ConfigException e) {
            throw new InvalidConfigException(key + ": " + e.getMessage(), e);
        }
    }
}
