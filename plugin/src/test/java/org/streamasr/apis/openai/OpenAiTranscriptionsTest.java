package org.streamasr.apis.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.streamasr.apis.FileTranscript;
import org.streamasr.media.TranscriptEvent.WordTiming;

class OpenAiTranscriptionsTest {
    static final FileTranscript T = new FileTranscript(List.of(
            new FileTranscript.Segment("hello world", 200, 1500, List.of(new WordTiming("hello", 200, 700),
                    new WordTiming("world", 700, 1500))),
            new FileTranscript.Segment("again", 3_723_004, 3_724_000, List.of(new WordTiming("again", 3_723_004, 3_724_000)))),
            16000 * 3725, null, "de-DE");

    @Test
    void srtAndVttHaveOneCuePerUtteranceWithTheirTimeFormats() {
        assertEquals("1\n00:00:00,200 --> 00:00:01,500\nhello world\n\n2\n01:02:03,004 --> 01:02:04,000\nagain\n\n",
                OpenAiTranscriptions.render(T, "srt", false, true).text());
        assertEquals("WEBVTT\n\n00:00:00.200 --> 00:00:01.500\nhello world\n\n01:02:03.004 --> 01:02:04.000\nagain\n\n",
                OpenAiTranscriptions.render(T, "vtt", false, true).text());
        assertEquals("hello world again\n", OpenAiTranscriptions.render(T, "text", false, true).text());
    }

    @Test
    void verboseJsonHasTheRequiredFieldsAndWordsOnlyWhenAsked() throws Exception {
        JsonNode v = new ObjectMapper().readTree(OpenAiTranscriptions.render(T, "verbose_json", true, true).text());
        assertEquals("german", v.get("language").asText());
        assertEquals(3725.0, v.get("duration").asDouble());
        assertEquals(" hello world", v.get("segments").get(0).get("text").asText());
        assertEquals(10, v.get("segments").get(0).size());
        assertEquals(3, v.get("words").size());
        assertEquals(0.7, v.get("words").get(1).get("start").asDouble());
        JsonNode noWords = new ObjectMapper().readTree(OpenAiTranscriptions.render(T, "verbose_json", false, true).text());
        assertTrue(!noWords.has("words") && noWords.has("segments"));
        assertEquals("{\"type\":\"transcript.text.delta\",\"delta\":\" again\"}", OpenAiTranscriptions.deltaEvent(" again"));
    }
}
