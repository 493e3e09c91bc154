package org.streamasr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --vad-model: a file, none, or the installed model, whose absence is a warning naming the path and the fix. */
class VadModelOptionTest {
    @TempDir
    Path home;

    @Test
    void theInstalledModelIsUsedWhenThereAndItsAbsenceIsAWarning() throws Exception {
        List<String> warnings = new ArrayList<>();
        Path installed = home.resolve("models/silero-vad/silero_vad.onnx");
        assertNull(VadModelOption.resolve(null, home.toString(), warnings::add));
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).startsWith("no Silero VAD model at " + installed + " (scripts/fetch-vad-model fetches it"),
                warnings.get(0));
        assertTrue(warnings.get(0).contains("--vad-model none"), warnings.get(0));

        Files.createDirectories(installed.getParent());
        Files.write(installed, new byte[] {1});
        assertEquals(installed, VadModelOption.resolve(null, home.toString(), warnings::add));
        assertNull(VadModelOption.resolve("none", home.toString(), warnings::add), "asked to run without: no warning");
        assertEquals(Path.of("/x/vad.onnx"), VadModelOption.resolve("/x/vad.onnx", home.toString(), warnings::add),
                "a given file is the engine's to check (it refuses a missing one)");
        assertEquals(1, warnings.size());
    }
}
