package org.streamasr.tools.scoring;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Word error rate by word-level Levenshtein alignment, on lower-cased words without punctuation. */
public final class WordErrors {
    private WordErrors() {
    }

    public static List<String> words(String text) {
        String t = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}' ]+", " ").trim();
        return t.isEmpty() ? List.of() : Arrays.asList(t.split("\\s+"));
    }

    /** Substitutions + deletions + insertions needed to turn {@code reference} into {@code hypothesis}. */
    public static int errors(String reference, String hypothesis) {
        List<String> r = words(reference);
        List<String> h = words(hypothesis);
        int[] prev = new int[h.size() + 1];
        int[] cur = new int[h.size() + 1];
        for (int j = 0; j <= h.size(); j++) prev[j] = j;
        for (int i = 1; i <= r.size(); i++) {
            cur[0] = i;
            for (int j = 1; j <= h.size(); j++) {
                int sub = prev[j - 1] + (r.get(i - 1).equals(h.get(j - 1)) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[h.size()];
    }

    public static double rate(String reference, String hypothesis) {
        int n = words(reference).size();
        return n == 0 ? 0 : (double) errors(reference, hypothesis) / n;
    }
}
