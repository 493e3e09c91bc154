package org.streamasr.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs the command-line tools the project installs for tests (ffmpeg, sox, gst-launch-1.0). */
public final class ExternalTools {
    private ExternalTools() {
    }

    /**
     * Skips the test with a message when {@code tool} is not on the PATH (scripts/install-debian-packages installs
     * it), or fails it under ASR_REQUIRE_TOOLS=1 ({@link RequiredTools}).
     */
    public static void require(String tool) {
        RequiredTools.command(tool);
    }

    public static boolean onPath(String tool) {
        return RequiredTools.onPath(tool);
    }

    /** Runs a command to completion; fails with its output when it exits non-zero or overruns {@code timeoutSeconds}. */
    public static String run(int timeoutSeconds, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("tool-", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + out);
            }
            return out;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Starts a command in the background, its output going to {@code log}; the caller waits for or destroys it. */
    public static Process start(Path log, String... command) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
