package org.streamasr.engine.sphinx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.streamasr.media.wav.WavFile;
import org.streamasr.testing.RequiredTools;

/** The five LibriVox clips of Debian's pocketsphinx-testdata, their reference text, and the offline recogniser. */
final class LibriVox {
    static final Path DIR = Path.of("/usr/share/pocketsphinx/test/data/librivox");
    static final String PREFIX = "sense_and_sensibility_01_austen_64kb-";

    private LibriVox() {
    }

    /** Clip id ("0870", ...) to reference words, in file order; skips when the package is missing. */
    static Map<String, String> references() throws IOException {
        Path t = DIR.resolve("transcription");
        RequiredTools.file(t, "pocketsphinx-testdata");
        Map<String, String> refs = new LinkedHashMap<>();
        Matcher m = Pattern.compile("<s>(.*)</s>\\s*\\(" + PREFIX + "(\\d+)\\)").matcher(Files.readString(t));
        while (m.find()) refs.put(m.group(2), m.group(1).trim());
        return refs;
    }

    static Path wav(String id) {
        return DIR.resolve(PREFIX + id + ".wav");
    }

    static float[] samples(String id) throws IOException {
        return WavFile.toFloat(WavFile.read(wav(id)).samples());
    }

    /**
     * {@code pocketsphinx_continuous -infile} (Debian package pocketsphinx) on each clip, run in parallel: the
     * utterances it prints, joined by spaces.
     */
    static Map<String, String> continuous(List<String> ids) throws IOException, InterruptedException {
        RequiredTools.file(Path.of("/usr/bin/pocketsphinx_continuous"), "pocketsphinx");
        List<Process> procs = new ArrayList<>();
        for (String id : ids) {
            procs.add(new ProcessBuilder("pocketsphinx_continuous", "-infile", wav(id).toString(), "-logfn", "/dev/null")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            Process p = procs.get(i);
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) p.destroyForcibly();
            out.put(ids.get(i), String.join(" ", text.strip().split("\\s+")).trim());
        }
        return out;
    }
}
