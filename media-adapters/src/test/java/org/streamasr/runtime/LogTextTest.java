package org.streamasr.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Untrusted input reaches a log line printable, escaped and shortened. */
class LogTextTest {

    @Test
    void controlCharactersAreEscapedAndLongTextIsCut() {
        assertEquals("a\\0b\\nc\\td\\u001b[31m", LogText.printable("a\0b\nc\td\u001b[31m"));
        assertEquals("Alice \u00c9. \uD83D\uDE00", LogText.printable("Alice \u00c9. \uD83D\uDE00"), "letters and emoji stay");
        assertEquals("x".repeat(120) + "...(300 chars)", LogText.printable("x".repeat(300)));
        assertEquals("null", LogText.printable(null));
    }

    @Test
    void binaryBecomesHexEscapesAroundItsPrintableBytes() {
        byte[] whisperHeader = new byte[60];
        byte[] id = "p1|en".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(id, 0, whisperHeader, 3, id.length);
        whisperHeader[0] = (byte) 0xff;
        assertEquals("\\xff\\x00\\x00p1|en\\x00...(60 bytes)", LogText.printable(whisperHeader, 0, 60, 9));
        assertEquals("a\\x5cb", LogText.printable(new byte[] {'a', '\\', 'b'}, 0, 3, 10), "a backslash is escaped too");
    }
}
