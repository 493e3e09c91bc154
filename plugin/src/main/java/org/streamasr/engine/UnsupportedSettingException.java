package org.streamasr.engine;

import java.util.List;

/** A stream setting (language, acceleration, ...) that the engine or its model cannot serve. */
public class UnsupportedSettingException extends Exception {
    private final String setting;
    private final String value;
    private final List<String> allowed;

    public UnsupportedSettingException(String setting, String value, List<String> allowed) {
        this(setting, value, allowed, null);
    }

    public UnsupportedSettingException(String setting, String value, List<String> allowed, String why) {
        super("unsupported " + setting + " '" + value + "'" + (why == null ? "" : ": " + why)
                + (allowed == null || allowed.isEmpty() ? "" : "; allowed: " + String.join(", ", allowed)));
        this.setting = setting;
        this.value = value;
        this.allowed = allowed == null ? List.of() : List.copyOf(allowed);
    }

    public String setting() {
        return setting;
    }

    public String value() {
        return value;
    }

    public List<String> allowed() {
        return allowed;
    }
}
