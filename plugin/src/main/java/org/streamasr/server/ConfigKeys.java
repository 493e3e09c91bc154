package org.streamasr.server;

import com.typesafe.config.ConfigUtil;

/** Helpers for building config keys from user-given names. */
final class ConfigKeys {
    private ConfigKeys() {
    }

    /** {@code name} as one path element (quoted when it holds dots or other special characters). */
    static String quote(String name) {
        return ConfigUtil.joinPath(name);
    }
}
