package org.streamasr.api.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultipartFormTest {
    static final String B = "----formdata-undici-0123";

    static byte[] body(String s) {
        return s.replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void theOpenAiSdksFormParsesWithRepeatedFieldsAndBinaryFile() {
        byte[] audio = {0, 1, (byte) 0xff, '\r', '\n', '-', '-', 2};
        String head = "--" + B + "\nContent-Disposition: form-data; name=\"model\"\n\nwhisper-1\n"
                + "--" + B + "\nContent-Disposition: form-data; name=\"timestamp_granularities[]\"\n\nword\n"
                + "--" + B + "\nContent-Disposition: form-data; name=\"timestamp_granularities[]\"\n\nsegment\n"
                + "--" + B + "\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\nContent-Type: audio/wav\n\n";
        byte[] h = body(head);
        byte[] t = body("\n--" + B + "--\n");
        byte[] all = new byte[h.length + audio.length + t.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(audio, 0, all, h.length, audio.length);
        System.arraycopy(t, 0, all, h.length + audio.length, t.length);
        MultipartForm form = MultipartForm.parse(all, MultipartForm.boundary("multipart/form-data; boundary=" + B));
        assertEquals("whisper-1", form.text("model"));
        assertEquals(List.of("word", "segment"), form.texts("timestamp_granularities[]"));
        assertEquals("a.wav", form.part("file").filename());
        assertEquals("audio/wav", form.part("file").contentType());
        assertArrayEquals(audio, form.part("file").data());
        assertNull(form.part("language"));
    }

    @Test
    void notMultipartOrCutShortIsAClearError() {
        assertNull(MultipartForm.boundary("application/json"));
        assertEquals("x y", MultipartForm.boundary("multipart/form-data; boundary=\"x y\""));
        IllegalArgumentException cut = assertThrows(IllegalArgumentException.class, () -> MultipartForm.parse(
                body("--" + B + "\nContent-Disposition: form-data; name=\"model\"\n\nwhisper-1"), B));
        assertEquals("multipart body ends inside a part (no closing boundary)", cut.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MultipartForm.parse(body("garbage"), B));
        assertThrows(IllegalArgumentException.class, () -> MultipartForm.parse(
                body("--" + B + "\nContent-Type: text/plain\n\nx\n--" + B + "--\n"), B));
    }
}
