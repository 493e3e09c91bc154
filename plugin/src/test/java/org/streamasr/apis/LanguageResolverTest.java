package org.streamasr.apis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.streamasr.engine.ApiLanguages;
import org.streamasr.engine.UnsupportedSettingException;
import org.streamasr.testing.ScriptedEngine;

class LanguageResolverTest {
    private static final List<String> MULTILINGUAL = ApiLanguages.ALL;

    @Test
    void bcp47InAnyCaseAndWithUnderscoresIsTheModelsSpelling() {
        assertEquals("de-DE", LanguageResolver.resolveOrNull(MULTILINGUAL, "DE_de"));
        assertEquals("pt-BR", LanguageResolver.resolveOrNull(MULTILINGUAL, " pt-br "));
        assertEquals("fr-CA", LanguageResolver.resolveOrNull(MULTILINGUAL, "fr_CA"));
    }

    @Test
    void aBareCodeIsTheModelsDefaultLocaleForThatLanguageInModelCardOrder() {
        assertEquals("en-US", LanguageResolver.resolveOrNull(MULTILINGUAL, "en"));
        assertEquals("es-ES", LanguageResolver.resolveOrNull(MULTILINGUAL, "es"));
        assertEquals("pt-BR", LanguageResolver.resolveOrNull(MULTILINGUAL, "PT"));
        assertEquals("zh-CN", LanguageResolver.resolveOrNull(MULTILINGUAL, "zh"));
        assertEquals("en-GB", LanguageResolver.resolveOrNull(List.of("en-GB", "de-DE"), "en"));
    }

    @Test
    void aRegionTheModelLacksFallsBackToItsLocaleForTheLanguage() {
        assertEquals("en-US", LanguageResolver.resolveOrNull(MULTILINGUAL, "en-AU"));
        assertEquals("de-DE", LanguageResolver.resolveOrNull(MULTILINGUAL, "de-AT"));
    }

    @Test
    void legacyCodesAndDetectWordsAreUnderstood() {
        assertEquals("he-IL", LanguageResolver.resolveOrNull(MULTILINGUAL, "iw"));
        assertEquals("nb-NO", LanguageResolver.resolveOrNull(MULTILINGUAL, "no"));
        assertEquals("nb-NO", LanguageResolver.resolveOrNull(MULTILINGUAL, "no-NO"));
        assertEquals("auto", LanguageResolver.resolveOrNull(MULTILINGUAL, "multi"));
        assertEquals("auto", LanguageResolver.resolveOrNull(MULTILINGUAL, "AUTO"));
        assertNull(LanguageResolver.resolveOrNull(List.of("en-US"), "multi"));
    }

    @Test
    void nothingRequestedIsTheEnginesDefault() throws Exception {
        assertNull(LanguageResolver.resolve(new ScriptedEngine(), null));
        assertNull(LanguageResolver.resolve(new ScriptedEngine(), "  "));
    }

    @Test
    void aLanguageTheEngineDoesNotServeIsAnErrorNamingWhatItServes() {
        UnsupportedSettingException e = assertThrows(UnsupportedSettingException.class,
                () -> LanguageResolver.resolve(new ScriptedEngine(), "ja"));
        assertEquals("language", e.setting());
        assertEquals("ja", e.value());
        assertEquals(List.of("de-DE", "en-US"), e.allowed());
        assertTrue(e.getMessage().contains("engine scripted does not serve it; allowed: de-DE, en-US"), e.getMessage());
    }

    @Test
    void autoComesFirstInTheDescription() {
        assertEquals(List.of("auto", "en-US"), LanguageResolver.describe(Set.of("en-US", "auto")));
    }

    @Test
    void helpersForTheApisOwnSpellings() {
        assertEquals("pt", LanguageResolver.primarySubtag("pt-BR"));
        assertEquals("english", LanguageResolver.englishName("en-US"));
        assertEquals("german", LanguageResolver.englishName("de_DE"));
        assertEquals("unknown", LanguageResolver.englishName("auto"));
    }
}
