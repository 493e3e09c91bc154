package org.streamasr.apis.deepgram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeepgramLiveSpecTest {
    @Test
    void jambonzQueryIsReadAndItsUnknownParametersIgnored() throws Exception {
        DeepgramLiveSpec o = DeepgramLiveSpec.parse(Map.of("model", List.of("base"), "encoding", List.of("linear16"),
                "sample_rate", List.of("8000"), "language", List.of("en-US"), "interim_results", List.of("true"),
                "endpointing", List.of("false"), "vad_turnoff", List.of("250"), "ner", List.of("true"),
                "keyterm", List.of("a", "b c")));
        assertEquals("base", o.model());
        assertEquals(8000, o.sampleRate());
        assertTrue(o.interimResults());
        assertFalse(o.endpointing());
        assertFalse(o.punctuated());
        DeepgramLiveSpec wav = DeepgramLiveSpec.parse(Map.of("smart_format", List.of("true"),
                "utterance_end_ms", List.of("1000")));
        assertNull(wav.encoding());
        assertTrue(wav.punctuated());
        assertEquals(1000, wav.utteranceEndMs());
    }

    @Test
    void badValuesAreRefusedWithDeepgramsMessage() {
        var e = assertThrows(DeepgramLiveSpec.InvalidQueryException.class, () -> DeepgramLiveSpec.parse(
                Map.of("encoding", List.of("linear16"))));
        assertTrue(e.getMessage().startsWith("Invalid query string. sample_rate is required"), e.getMessage());
        assertThrows(DeepgramLiveSpec.InvalidQueryException.class, () -> DeepgramLiveSpec.parse(
                Map.of("encoding", List.of("flac"), "sample_rate", List.of("16000"))));
        assertThrows(DeepgramLiveSpec.InvalidQueryException.class, () -> DeepgramLiveSpec.parse(
                Map.of("channels", List.of("99"))));
        assertThrows(DeepgramLiveSpec.InvalidQueryException.class, () -> DeepgramLiveSpec.parse(
                Map.of("endpointing", List.of("soon"))));
    }

    @Test
    void wordsAreLowerCaseWithoutSurroundingPunctuation() {
        assertEquals("hello", DeepgramWords.plain("Hello,"));
        assertEquals("don't", DeepgramWords.plain("\"Don't\""));
        assertEquals("", DeepgramWords.plain("..."));
    }
}
