package org.streamasr.engine.nemotron;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.streamasr.engine.ApiLanguages;
import org.streamasr.engine.UnsupportedSettingException;

/**
 * The API's {@code language} values a model can serve, and the prompt id each one selects. The multilingual model
 * maps them through its {@code prompt_dictionary} (exact locale first, then the bare language code, as sherpa-onnx's
 * aliases do); the English model serves "auto", en-US and en-GB and has no prompt.
 */
final class PromptLanguages {
    private static final List<String> ENGLISH_MODEL = List.of(ApiLanguages.AUTO, "en-US", "en-GB");

    private final Map<String, Integer> ids;
    private final boolean multilingual;

    private PromptLanguages(Map<String, Integer> ids, boolean multilingual) {
        this.ids = ids;
        this.multilingual = multilingual;
    }

    static PromptLanguages of(EncoderContract contract) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        if (!contract.multilingual()) {
            for (String l : ENGLISH_MODEL) ids.put(l, -1);
            return new PromptLanguages(ids, false);
        }
        ids.put(ApiLanguages.AUTO, contract.autoPromptId());
        Map<String, Integer> dict = contract.promptDictionary();
        for (String locale : ApiLanguages.LOCALES) {
            Integer id = lookup(dict, locale);
            if (id == null) id = lookup(dict, locale.substring(0, locale.indexOf('-')));
            if (id != null) ids.put(locale, id);
        }
        return new PromptLanguages(ids, true);
    }

    private static Integer lookup(Map<String, Integer> dict, String key) {
        for (Map.Entry<String, Integer> e : dict.entrySet()) {
            if (e.getKey().replace('_', '-').equalsIgnoreCase(key)) return e.getValue();
        }
        return null;
    }

    Set<String> supported() {
        return new LinkedHashSet<>(ids.keySet());
    }

    boolean multilingual() {
        return multilingual;
    }

    /**
     * The canonical API spelling of {@code language}.
     *
     * @throws UnsupportedSettingException for a value that is not an API language or that this model lacks
     */
    String resolve(String language) throws UnsupportedSettingException {
        String canonical = ApiLanguages.canonical(language);
        if (canonical == null) {
            throw new UnsupportedSettingException("language", String.valueOf(language), new ArrayList<>(ids.keySet()),
                    "not a language of the API");
        }
        if (!ids.containsKey(canonical)) {
            throw new UnsupportedSettingException("language", canonical, new ArrayList<>(ids.keySet()),
                    multilingual ? "not in this model's prompt dictionary" : "the English Nemotron model only transcribes English");
        }
        return canonical;
    }

    /** The prompt id for a resolved language; -1 for the English model. */
    int promptId(String resolved) {
        return ids.get(resolved);
    }
}
