package org.streamasr.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** The {@code --vad-model} value of the engine commands: a file, "none", or (unset) the installed model if present. */
final class VadModelOption {
    private VadModelOption() {
    }

    static Path resolve(String option) {
        if (option != null) return option.equalsIgnoreCase("none") ? null : Path.of(option);
        String home = System.getenv("ASR_HOME");
        Path p = Path.of(home == null ? "." : home, "models", "silero-vad", "silero_vad.onnx");
        return Files.isRegularFile(p) ? p : null;
    }
}
