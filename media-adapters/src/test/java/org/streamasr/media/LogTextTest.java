package org.streamasr.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogTextTest {
    @Test
    void aWhisperHeaderWithNulsIsLoggedEscaped() {
        byte[] header = new byte[60];
        byte[] name = "alice|en".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(name, 0, header, 0, name.length);
        header[20] = (byte) 0x1b;
        String shown = LogText.printable(new String(header, StandardCharsets.ISO_8859_1), 100);
        assertTrue(shown.startsWith("alice|en\\x00\\x00"), shown);
        assertTrue(shown.contains("\\x1b"), shown);
        assertTrue(shown.chars().allMatch(c -> c >= 0x20 && c < 0x7f), "printable ASCII only: " + shown);
        assertTrue(shown.endsWith("more chars)"), "shortened: " + shown);
    }

    @Test
    void plainTextIsUnchangedAndLineBreaksCannotForgeLogLines() {
        assertEquals("hello wörld", LogText.printable("hello wörld"));
        assertEquals("a\\nWARN fake line", LogText.printable("a\nWARN fake line"));
        assertEquals("null", LogText.printable(null));
    }
}
