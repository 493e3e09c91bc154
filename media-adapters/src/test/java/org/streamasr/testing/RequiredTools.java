package org.streamasr.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The one place where a test learns that something the project installs for its tests is missing: a Debian
 * package's command or data (ffmpeg, sox, GStreamer, baresip, sipp, chromium, node, python3-numpy, pocketsphinx's
 * model and LibriVox clips, sclite), or the VAD model scripts/fetch-vad-model downloads. On a developer's machine the
 * test is skipped with a message saying what to install; with {@code ASR_REQUIRE_TOOLS=1} (set by .ci/run, after it
 * installed them) it fails instead, so CI cannot pass by skipping.
 *
 * <p>Not for what is legitimately absent: developer fixtures ({@link SharedFixtures}) and real Nemotron model files
 * stay skips everywhere.
 */
public final class RequiredTools {
    /** The environment variable that turns a missing tool into a failure. */
    public static final String STRICT_ENV = "ASR_REQUIRE_TOOLS";
    private static final String INSTALL = "scripts/install-debian-packages test";

    private RequiredTools() {
    }

    /** Whether a missing tool fails the test ({@code ASR_REQUIRE_TOOLS=1}) rather than skipping it. */
    public static boolean strict() {
        return "1".equals(System.getenv(STRICT_ENV));
    }

    /** Skips (or, strict, fails) unless {@code present}; {@code what} says what is missing and how to get it. */
    public static void require(boolean present, String what) {
        require(present, what, strict());
    }

    static void require(boolean present, String what, boolean strict) {
        if (present) return;
        if (strict) Assertions.fail("MISSING (" + STRICT_ENV + "=1): " + what);
        Assumptions.abort("SKIPPED: " + what);
    }

    /**
     * For a cross-check a test can do without: true when {@code present}; false (the test goes on without it) when
     * missing, unless strict, where it fails.
     */
    public static boolean optional(boolean present, String what) {
        if (!present && strict()) Assertions.fail("MISSING (" + STRICT_ENV + "=1): " + what);
        return present;
    }

    /** A command on the PATH, from a Debian package the test setup installs. */
    public static void command(String command) {
        require(onPath(command), command + " not installed (" + INSTALL + ")");
    }

    /** A file or directory a Debian package installs ({@code pkg} names it). Returns the path. */
    public static Path file(Path path, String pkg) {
        require(Files.exists(path), path + " missing (Debian package " + pkg + "; " + INSTALL + ")");
        return path;
    }

    public static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) return true;
        }
        return false;
    }
}
