package org.streamasr.engine.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.streamasr.testing.RequiredTools;

/**
 * Runs the independent numpy reference ({@code features/logmel_reference.py}) as a subprocess and reads its verdict.
 * Skips (with a message) where python3 or numpy is missing: {@code scripts/install-debian-packages test} installs
 * python3-numpy.
 */
final class NumpyReference {
    private static final Pattern RESULT = Pattern.compile(
            "frames_ref=(\\d+) frames_got=(\\d+) max_abs=(\\S+) mean_abs=(\\S+) min_ref=(\\S+) max_ref=(\\S+)");
    private static volatile Boolean available;

    /** What the reference said about one candidate. */
    record Comparison(int framesRef, int framesGot, double maxAbs, double meanAbs, double minRef, double maxRef) {
        void assertMatches(String what, double tolerance) {
            System.out.printf("log-mel vs numpy reference, %s: %d frames, max |err| %.2e, mean |err| %.2e "
                    + "(reference range %.3f .. %.3f)%n", what, framesRef, maxAbs, meanAbs, minRef, maxRef);
            assertEquals(framesRef, framesGot, what + ": frame count");
            assertTrue(maxAbs <= tolerance, what + ": max abs error " + maxAbs + " > " + tolerance);
        }
    }

    private NumpyReference() {
    }

    static void requireNumpy() {
        if (available == null) available = run(List.of("python3", "-c", "import numpy")).startsWith("0\n");
        RequiredTools.require(available, "python3 with numpy is needed for the reference features "
                + "(Debian package python3-numpy; scripts/install-debian-packages test)");
    }

    /** Compares {@code candidateNpy} with the reference features of {@code audio} (.wav, or raw float32 .f32). */
    static Comparison compare(Path audio, Path candidateNpy) {
        requireNumpy();
        String out = run(List.of("python3", script().toString(), "compare", audio.toString(), candidateNpy.toString()));
        assertTrue(out.startsWith("0\n"), "reference script failed: " + out);
        Matcher m = RESULT.matcher(out);
        assertTrue(m.find(), "unexpected reference output: " + out);
        return new Comparison(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Double.parseDouble(m.group(3)),
                Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5)), Double.parseDouble(m.group(6)));
    }

    static void writeF32(float[] samples, Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(samples.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(samples);
        Files.write(file, b.array());
    }

    private static Path script() {
        try {
            return Path.of(NumpyReference.class.getResource("/features/logmel_reference.py").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Exit code, a newline, then stdout and stderr together. */
    private static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timeout\n";
            }
            return p.exitValue() + "\n" + new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "io\n" + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted\n";
        }
    }
}
