package org.streamasr.engine;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The hosted API's {@code acceleration}: which chunk size (and so which encoder export) serves a stream. Faster
 * modes answer sooner with slightly higher word error rates.
 */
public enum Acceleration {
    NONE(1120),
    REGULAR(560),
    HIGH(320),
    FULL(80);

    private final int chunkMillis;

    Acceleration(int chunkMillis) {
        this.chunkMillis = chunkMillis;
    }

    public int chunkMillis() {
        return chunkMillis;
    }

    public String apiValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses "none", "regular", "high" or "full". */
    public static Acceleration parse(String value) throws UnsupportedSettingException {
        if (value != null) {
            for (Acceleration a : values()) {
                if (a.apiValue().equals(value.trim().toLowerCase(Locale.ROOT))) return a;
            }
        }
        throw new UnsupportedSettingException("acceleration", String.valueOf(value), allowedValues());
    }

    public static java.util.List<String> allowedValues() {
        return Arrays.stream(values()).map(Acceleration::apiValue).collect(Collectors.toList());
    }

    public static Acceleration forChunkMillis(int ms) {
        for (Acceleration a : values()) if (a.chunkMillis == ms) return a;
        return null;
    }
}
