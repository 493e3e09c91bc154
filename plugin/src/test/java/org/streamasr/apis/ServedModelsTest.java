package org.streamasr.apis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.streamasr.engine.EngineConfig;
import org.streamasr.stream.EngineCatalog;
import org.streamasr.testing.ScriptedEngine;

class ServedModelsTest {
    private final ScriptedEngine engine = new ScriptedEngine();
    private EngineCatalog catalog;

    private ServedModels served(String apisHocon, Map<String, EngineConfig> asrModels) {
        ApisConfig config = ApisConfig.from(ConfigFactory.parseString(apisHocon), "scripted");
        EngineConfig defaults = EngineConfig.builder().engine("scripted").build();
        Map<String, EngineConfig> models = new LinkedHashMap<>(asrModels);
        models.putAll(ServedModels.catalogEntries(config, defaults, asrModels.keySet()));
        catalog = new EngineCatalog(engine, defaults, models, false);
        return new ServedModels(catalog, config);
    }

    @AfterEach
    void close() {
        if (catalog != null) catalog.close();
    }

    @Test
    void officialDefaultNamesAndTheEmptyNameRunOnTheDefaultEngine() throws Exception {
        ServedModels m = served("asr.apis.default-model-names = [nova-3, whisper-1]", Map.of());
        for (String name : List.of("nova-3", "NOVA-3", "whisper-1", "", " ")) {
            ServedModel s = m.resolve(name);
            assertSame(engine, s.engine(), name);
            assertNull(s.engineName());
            assertNull(s.catalogModel());
        }
        assertSame(engine, m.resolve(null).engine());
    }

    @Test
    void anUnknownNameIsAnErrorNamingWhatIsServed() {
        ServedModels m = served("asr.apis.default-model-names = [nova-3, whisper-1]", Map.of());
        ModelNotServedException e = assertThrows(ModelNotServedException.class, () -> m.resolve("gpt-9"));
        assertEquals("gpt-9", e.model());
        assertTrue(e.served().containsAll(List.of("nova-3", "whisper-1")), e.served().toString());
        assertTrue(e.getMessage().startsWith("model 'gpt-9' is not served here; served: nova-3, whisper-1"), e.getMessage());
    }

    @Test
    void anAliasWithoutAModelDirectoryOnTheDefaultEngineIsTheDefaultEngine() throws Exception {
        ServedModels m = served("asr.apis.model-aliases { \"nova-3-medical\" {} }", Map.of());
        ServedModel s = m.resolve("Nova-3-Medical");
        assertSame(engine, s.engine());
        assertEquals(List.of(new ServedModels.Listing("nova-3-medical", "scripted", "alias")),
                m.list().stream().filter(l -> l.kind().equals("alias")).toList());
    }

    @Test
    void anAliasWithAModelDirectoryBecomesACatalogEntryAndACallAttribute() {
        ApisConfig config = ApisConfig.from(ConfigFactory.parseString(
                "asr.apis.model-aliases { big { engine = scripted, model-dir = \"/models/big\" } }"), "scripted");
        Map<String, EngineConfig> entries = ServedModels.catalogEntries(config,
                EngineConfig.builder().engine("scripted").build(), Set.of());
        assertEquals(Path.of("/models/big"), entries.get("big").modelDir());
        ServedModel s = new ServedModel("big", engine, null, "big");
        assertEquals(Map.of("room", "r", ServedModel.MODEL_ATTRIBUTE, "big"), s.callAttributes(Map.of("room", "r")));
    }

    @Test
    void badAliasesAreRefusedAtStartUpNamingTheKey() {
        IllegalArgumentException a = assertThrows(IllegalArgumentException.class, () -> ApisConfig.from(
                ConfigFactory.parseString("asr.apis.model-aliases { x = 3 }"), "scripted"));
        assertTrue(a.getMessage().startsWith("asr.apis.model-aliases.x:"), a.getMessage());
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> ApisConfig.from(
                ConfigFactory.parseString("asr.apis.model-aliases { x { engin = sphinx } }"), "scripted"));
        assertTrue(b.getMessage().startsWith("asr.apis.model-aliases.x.engin: unknown key"), b.getMessage());
        ApisConfig clash = ApisConfig.from(ConfigFactory.parseString("asr.apis.model-aliases { en-fast {} }"), "sphinx");
        IllegalArgumentException c = assertThrows(IllegalArgumentException.class, () -> ServedModels.catalogEntries(
                clash, EngineConfig.builder().engine("sphinx").build(), Set.of("en-fast")));
        assertTrue(c.getMessage().contains("asr.models has a model of that name"), c.getMessage());
        ApisConfig unknown = ApisConfig.from(ConfigFactory.parseString("asr.apis.model-aliases { y { engine = nope } }"), "sphinx");
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> ServedModels.catalogEntries(
                unknown, EngineConfig.builder().engine("sphinx").build(), Set.of()));
        assertTrue(d.getMessage().startsWith("asr.apis.model-aliases.y.engine: unknown engine 'nope'"), d.getMessage());
    }

    @Test
    void listingNamesDefaultsAliasesModelsAndEngines() {
        ServedModels m = served("asr.apis { default-model-names = [nova-3], model-aliases { fast {} } }", Map.of());
        List<ServedModels.Listing> list = m.list();
        assertEquals(new ServedModels.Listing("nova-3", "scripted", "default"), list.get(0));
        assertEquals(new ServedModels.Listing("fast", "scripted", "alias"), list.get(1));
        assertEquals(new ServedModels.Listing("scripted", "scripted", "engine"), list.get(list.size() - 1));
    }
}
