package org.streamasr.engine.nemotron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SentencePiece detokenisation as sherpa-onnx does it, with byte pieces and language tags. */
class VocabularyTest {
    @TempDir
    Path tmp;

    private Vocabulary vocabulary() throws Exception {
        List<String> pieces = List.of("<unk>", "▁Guten", "▁Tag", ",", "▁wie", "▁geht's", "?", "<de-DE>", "<en-US>",
                "<0xE4>", "<0xB8>", "<0xAD>", "▁", "文", "<ja>", "<blk>");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pieces.size(); i++) sb.append(pieces.get(i)).append(' ').append(i).append('\n');
        Path file = Files.writeString(tmp.resolve("tokens.txt"), sb.toString());
        return Vocabulary.read(file, pieces.size());
    }

    private static String text(Vocabulary v, int... ids) {
        return v.text(ids, ids.length);
    }

    @Test
    void piecesBecomeTextWithSpacesAndNoTags() throws Exception {
        Vocabulary v = vocabulary();
        assertEquals(15, v.blank());
        assertEquals("Guten Tag, wie geht's?", text(v, 1, 2, 3, 4, 5, 6, 7));
        assertEquals("Guten Tag", text(v, 7, 1, 8, 2), "tags anywhere are left out");
        assertEquals("中文", text(v, 12, 9, 10, 11, 13), "byte pieces join into UTF-8");
        assertEquals("Guten \u2047 Tag", text(v, 1, 0, 2));
        assertEquals("", text(v));
    }

    @Test
    void languageTagsAreRecognised() throws Exception {
        Vocabulary v = vocabulary();
        assertTrue(v.isLanguageTag(7));
        assertEquals("de-DE", v.tagLanguage(7));
        assertTrue(v.isLanguageTag(14));
        assertEquals("ja", v.tagLanguage(14));
        assertFalse(v.isLanguageTag(0), "<unk> is not a tag");
        assertFalse(v.isLanguageTag(15), "<blk> is not a tag");
        assertFalse(v.isLanguageTag(9), "<0xE4> is not a tag");
    }
}
