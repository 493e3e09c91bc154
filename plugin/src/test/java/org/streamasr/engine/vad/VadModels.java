package org.streamasr.engine.vad;

import java.nio.file.Files;
import java.nio.file.Path;
import org.streamasr.testing.SharedFixtures;

/** Where tests find Silero VAD: the repository's models/ (scripts/fetch-vad-model), else the shared fixtures. */
public final class VadModels {
    public static final String RELATIVE = "models/silero-vad/silero_vad.onnx";

    private VadModels() {
    }

    /** The model file, or a skip that says how to get it. */
    public static Path require() {
        Path root = SharedFixtures.repoRoot();
        Path inRepo = root == null ? null : root.resolve(RELATIVE);
        if (inRepo != null && Files.isRegularFile(inRepo)) return inRepo;
        return SharedFixtures.require(RELATIVE);
    }
}
