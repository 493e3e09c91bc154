package org.streamasr.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.streamasr.engine.vad.SileroVadModel;

/** The {@code --vad-model} value of the engine commands: a file, "none", or (unset) the installed model if present. */
public final class VadModelOption {
    private VadModelOption() {
    }

    /**
     * @param option the flag's value, or null when not given
     * @param home   the installation's root (ASR_HOME; the current directory when null)
     * @param warn   told, when the flag was not given and the installed model is missing, what was searched and how
     *               to fetch it
     */
    public static Path resolve(String option, String home, Consumer<String> warn) {
        if (option != null) return option.equalsIgnoreCase("none") ? null : Path.of(option);
        Path p = Path.of(home == null ? "." : home).resolve(SileroVadModel.INSTALLED_PATH).toAbsolutePath().normalize();
        if (Files.isRegularFile(p)) return p;
        warn.accept(SileroVadModel.notInstalledWarning(p) + "; --vad-model none runs without it and says nothing");
        return null;
    }
}
