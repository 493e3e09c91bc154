package org.streamasr.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates developer-only fixtures (the {@code ../shared} folder beside the checkout). The path comes from the system
 * property {@code shared.dir} (set by the parent POM) or the environment variable {@code ASR_SHARED_DIR}. Tests that
 * need a fixture call {@link #require(String)}, which skips with a message naming the missing path; every such test
 * has a self-contained equivalent that always runs.
 */
public final class SharedFixtures {
    private SharedFixtures() {
    }

    public static Path root() {
        String p = System.getProperty("shared.dir");
        if (p == null || p.isBlank()) p = System.getenv("ASR_SHARED_DIR");
        return p == null || p.isBlank() ? null : Paths.get(p).toAbsolutePath().normalize();
    }

    /** The fixture at {@code relative} under the shared folder, or a skip that says what was looked for. */
    public static Path require(String relative) {
        Path root = root();
        Path file = root == null ? null : root.resolve(relative);
        Assumptions.assumeTrue(file != null && Files.exists(file),
                "SKIPPED: developer fixture " + relative + " not found (looked in "
                        + (root == null ? "<shared.dir / ASR_SHARED_DIR unset>" : root) + ")");
        return file;
    }

    /** The repository root (system property {@code repo.root}, else the working directory's parent chain). */
    public static Path repoRoot() {
        String p = System.getProperty("repo.root");
        if (p != null && !p.isBlank()) return Paths.get(p).toAbsolutePath().normalize();
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("bin/asr"))) dir = dir.getParent();
        return dir;
    }
}
