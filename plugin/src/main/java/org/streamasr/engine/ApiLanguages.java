package org.streamasr.engine;

import java.util.List;

/**
 * The hosted API's {@code language} values: "auto" and the 40 locales of the Nemotron 3.5 ASR streaming model
 * card. A model maps them to prompt ids through the {@code prompt_dictionary} in its metadata.
 */
public final class ApiLanguages {
    public static final String AUTO = "auto";

    /** The 40 locales, in the order of the model card's prompt ids. */
    public static final List<String> LOCALES = List.of(
            "en-US", "en-GB", "es-ES", "es-US", "zh-CN", "hi-IN", "ar-AR", "fr-FR", "de-DE", "ja-JP",
            "ru-RU", "pt-BR", "pt-PT", "ko-KR", "it-IT", "nl-NL", "pl-PL", "tr-TR", "uk-UA", "ro-RO",
            "el-GR", "cs-CZ", "hu-HU", "sv-SE", "da-DK", "fi-FI", "sk-SK", "hr-HR", "bg-BG", "lt-LT",
            "th-TH", "vi-VN", "et-EE", "lv-LV", "sl-SI", "he-IL", "fr-CA", "mt-MT", "nb-NO", "nn-NO");

    /** "auto" followed by the 40 locales. */
    public static final List<String> ALL;

    static {
        var all = new java.util.ArrayList<String>();
        all.add(AUTO);
        all.addAll(LOCALES);
        ALL = List.copyOf(all);
    }

    private ApiLanguages() {
    }

    /** The canonical spelling of {@code value} if it is one of {@link #ALL} (case-insensitive, '_' as '-'), else null. */
    public static String canonical(String value) {
        if (value == null) return null;
        String v = value.trim().replace('_', '-');
        for (String l : ALL) if (l.equalsIgnoreCase(v)) return l;
        return null;
    }
}
