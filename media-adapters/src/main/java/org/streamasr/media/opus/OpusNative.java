package org.streamasr.media.opus;

import club.minnced.opus.util.OpusLibrary;
import java.io.IOException;
import tomp2p.opuswrapper.Opus;

/** Loads the libopus bundled in opus-java-natives once per process (JNA). */
final class OpusNative {
    private static volatile Opus lib;

    private OpusNative() {
    }

    /**
     * The bound library.
     *
     * @throws IllegalStateException when this platform has no bundled libopus or it cannot be loaded
     */
    static Opus lib() {
        Opus l = lib;
        if (l != null) return l;
        synchronized (OpusNative.class) {
            if (lib == null) {
                try {
                    if (!OpusLibrary.isInitialized() && !OpusLibrary.loadFromJar()) {
                        throw new IllegalStateException("libopus: no native library for this platform (supported: "
                                + OpusLibrary.getSupportedPlatforms() + ")");
                    }
                } catch (IOException | UnsatisfiedLinkError e) {
                    throw new IllegalStateException("libopus could not be loaded from opus-java-natives: " + e, e);
                }
                lib = Opus.INSTANCE;
            }
            return lib;
        }
    }

    static String version() {
        return lib().opus_get_version_string();
    }
}
