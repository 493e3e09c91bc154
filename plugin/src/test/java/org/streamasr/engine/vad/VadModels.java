package org.streamasr.engine.vad;

import java.nio.file.Files;
import java.nio.file.Path;
import org.streamasr.testing.SharedFixtures;
import org.streamasr.testing.RequiredTools;

/** Where tests find Silero VAD: the repository's models/ (scripts/fetch-vad-model), else the shared fixtures. */
public final class VadModels {
    public static final String RELATIVE = "models/silero-vad/silero_vad.onnx";

    private VadModels() {
    }

    /**
     * The model file, or a skip that says how to get it (a failure under ASR_REQUIRE_TOOLS=1: CI fetches it).
     */
    public static Path require() {
        Path root = SharedFixtures.repoRoot();
        Path inRepo = root == null ? null : root.resolve(RELATIVE);
        if (inRepo != null && Files.isRegularFile(inRepo)) return inRepo;
        Path shared = SharedFixtures.root() == null ? null : SharedFixtures.root().resolve(RELATIVE);
        if (shared != null && Files.isRegularFile(shared)) return shared;
        RequiredTools.require(false, "Silero VAD model " + RELATIVE + " missing (scripts/fetch-vad-model)");
        return null;
    }
}
