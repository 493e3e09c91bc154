package org.streamasr.apis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.streamasr.engine.ApiLanguages;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.UnsupportedSettingException;

/**
 * The one place that turns a language as any client spells it into the locale an engine serves: BCP-47 in any case,
 * {@code _} for {@code -}, a bare ISO-639-1 code or a regional variant the model lacks ({@code de}, {@code en-AU})
 * to the model's default locale for that language (the first in the model card's order, as sherpa-onnx accepts bare
 * codes), legacy codes ({@code iw}, {@code in}, {@code no}), and the APIs' own words for "detect it"
 * ({@code auto}, Deepgram's {@code multi}). What the engine cannot serve is an {@link UnsupportedSettingException}
 * naming what it serves.
 */
public final class LanguageResolver {
    /** ISO-639 codes that were renamed, and Norwegian, which the models split into Bokmål and Nynorsk. */
    private static final Map<String, String> LEGACY = Map.of("iw", "he", "in", "id", "ji", "yi", "no", "nb");

    private LanguageResolver() {
    }

    /**
     * The engine's spelling of {@code requested}, or {@code null} when nothing was requested (the engine's default).
     *
     * @throws UnsupportedSettingException naming the value and the languages the engine serves
     */
    public static String resolve(SpeechEngine engine, String requested) throws UnsupportedSettingException {
        if (requested == null || requested.isBlank()) return null;
        String locale = resolveOrNull(engine.languages(), requested);
        if (locale == null) {
            throw new UnsupportedSettingException("language", requested.trim(), describe(engine.languages()),
                    "engine " + engine.name() + " does not serve it");
        }
        return locale;
    }

    /**
     * The spelling in {@code served} of {@code requested}, or {@code null} when {@code served} has no match: an
     * exact match ignoring case and {@code _}/{@code -}; for "detect it" words, {@code auto}; otherwise the first
     * locale of the same primary language in the model card's order, then in sorted order.
     */
    public static String resolveOrNull(Collection<String> served, String requested) {
        if (requested == null) return null;
        String want = requested.trim().replace('_', '-');
        if (want.isEmpty()) return null;
        for (String l : served) if (l.equalsIgnoreCase(want)) return l;
        String lower = want.toLowerCase(Locale.ROOT);
        if (lower.equals("multi") || lower.equals(ApiLanguages.AUTO)) {
            for (String l : served) if (l.equalsIgnoreCase(ApiLanguages.AUTO)) return l;
            return null;
        }
        String primary = primarySubtag(lower);
        primary = LEGACY.getOrDefault(primary, primary);
        if (!primary.equals(lower.split("-")[0])) {
            String renamed = primary + lower.substring(lower.indexOf('-') < 0 ? lower.length() : lower.indexOf('-'));
            for (String l : served) if (l.equalsIgnoreCase(renamed)) return l;
        }
        String prefix = primary + "-";
        for (String locale : ApiLanguages.LOCALES) {
            if (locale.toLowerCase(Locale.ROOT).startsWith(prefix) && containsIgnoreCase(served, locale)) {
                return spellingIn(served, locale);
            }
        }
        for (String l : sorted(served)) {
            String s = l.toLowerCase(Locale.ROOT).replace('_', '-');
            if (s.startsWith(prefix) || s.equals(primary)) return l;
        }
        return null;
    }

    /** {@code pt-BR} → {@code pt}; {@code en} → {@code en}; {@code auto} stays. */
    public static String primarySubtag(String locale) {
        if (locale == null) return null;
        String s = locale.trim().replace('_', '-');
        int dash = s.indexOf('-');
        return (dash < 0 ? s : s.substring(0, dash)).toLowerCase(Locale.ROOT);
    }

    /** The English name of a locale's language in lower case ({@code de-DE} → {@code german}), as OpenAI reports it. */
    public static String englishName(String locale) {
        if (locale == null || locale.isBlank() || locale.equalsIgnoreCase(ApiLanguages.AUTO)) return "unknown";
        String name = Locale.forLanguageTag(locale.replace('_', '-')).getDisplayLanguage(Locale.ENGLISH);
        return name.isEmpty() ? locale : name.toLowerCase(Locale.ROOT);
    }

    private static boolean containsIgnoreCase(Collection<String> served, String value) {
        return spellingIn(served, value) != null;
    }

    private static String spellingIn(Collection<String> served, String value) {
        for (String l : served) if (l.replace('_', '-').equalsIgnoreCase(value)) return l;
        return null;
    }

    private static List<String> sorted(Collection<String> values) {
        List<String> out = new ArrayList<>(values);
        out.sort(null);
        return out;
    }

    /** For error messages: the served languages, sorted, "auto" first. */
    public static List<String> describe(Set<String> served) {
        List<String> out = sorted(served);
        if (out.remove(ApiLanguages.AUTO)) out.add(0, ApiLanguages.AUTO);
        return out;
    }
}
