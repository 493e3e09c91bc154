package org.streamasr.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.streamasr.testing.RequiredTools;

/**
 * Word error rate for end-to-end tests on recorded speech: word-level Levenshtein alignment (substitutions,
 * deletions and insertions all cost 1, as NIST sclite scores by default), on lower-cased words with punctuation
 * removed. {@link #sclite} scores the same pairs with NIST's sclite (Debian package sctk) to cross-check.
 */
public final class WordErrorRate {
    public static final Path SCLITE = Path.of("/usr/lib/sctk/bin/sclite");

    /** Errors and reference length of one or more utterances; {@link #rate()} = errors / reference words. */
    public record Score(int errors, int referenceWords) {
        public double rate() {
            return referenceWords == 0 ? (errors == 0 ? 0 : 1) : (double) errors / referenceWords;
        }

        public Score plus(Score o) {
            return new Score(errors + o.errors, referenceWords + o.referenceWords);
        }
    }

    private WordErrorRate() {
    }

    public static List<String> words(String text) {
        return org.streamasr.tools.scoring.WordErrors.words(text);
    }

    public static Score score(String reference, String hypothesis) {
        return new Score(org.streamasr.tools.scoring.WordErrors.errors(reference, hypothesis), words(reference).size());
    }

    /** Pooled score over utterances: {@code references} and {@code hypotheses} keyed by the same ids. */
    public static Score score(Map<String, String> references, Map<String, String> hypotheses) {
        Score total = new Score(0, 0);
        for (Map.Entry<String, String> e : references.entrySet()) {
            total = total.plus(score(e.getValue(), hypotheses.getOrDefault(e.getKey(), "")));
        }
        return total;
    }

    /**
     * Pooled word error rate by sclite over the same pairs ({@code trn} files, words normalised as above), or -1
     * when sclite is not installed.
     */
    public static double sclite(Map<String, String> references, Map<String, String> hypotheses, Path workDir)
            throws IOException, InterruptedException {
        if (!RequiredTools.optional(Files.isExecutable(SCLITE), "sclite (Debian package sctk) for the cross-check")) {
            return -1;
        }
        List<String> ref = new ArrayList<>(), hyp = new ArrayList<>();
        for (Map.Entry<String, String> e : references.entrySet()) {
            String id = "(spk-" + e.getKey().replaceAll("[^A-Za-z0-9]", "") + ")";
            ref.add(String.join(" ", words(e.getValue())) + " " + id);
            hyp.add(String.join(" ", words(hypotheses.getOrDefault(e.getKey(), ""))) + " " + id);
        }
        Path r = Files.write(workDir.resolve("ref.trn"), ref, StandardCharsets.UTF_8);
        Path h = Files.write(workDir.resolve("hyp.trn"), hyp, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(SCLITE.toString(), "-r", r.toString(), "trn", "-h", h.toString(), "trn",
                "-i", "spu_id", "-o", "sum", "stdout").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("sclite timed out");
        }
        // | Sum/Avg|    5    100 | 71.4   28.6    0.0   14.3   42.9   50.0 |
        Matcher m = Pattern.compile("Sum/Avg\\|\\s*\\d+\\s+\\d+\\s*\\|\\s*([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)\\s+([\\d.]+)")
                .matcher(out);
        if (!m.find()) throw new IOException("unexpected sclite output:\n" + out);
        return Double.parseDouble(m.group(5)) / 100.0;
    }
}
