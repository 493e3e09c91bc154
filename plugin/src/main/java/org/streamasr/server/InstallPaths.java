package org.streamasr.server;

import java.nio.file.Path;

/** Where relative paths of the configuration point: under the installation's root ($ASR_HOME), else the working directory. */
final class InstallPaths {
    private InstallPaths() {
    }

    static Path resolve(Path p, String asrHome) {
        if (p == null || p.isAbsolute()) return p;
        Path base = asrHome == null || asrHome.isBlank() ? Path.of("").toAbsolutePath() : Path.of(asrHome);
        return base.resolve(p).toAbsolutePath().normalize();
    }

    static Path resolve(Path p) {
        return resolve(p, System.getenv("ASR_HOME"));
    }
}
