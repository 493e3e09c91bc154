package org.streamasr.media.jitsi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.adapter.CloseCodes;
import org.streamasr.media.adapter.ConnectionInfo;
import org.streamasr.media.adapter.ConnectionRefusedException;
import org.streamasr.media.adapter.OutboundChannel;
import org.streamasr.media.adapter.RecordingOutbound;
import org.streamasr.testing.RecordingCallSink;

/** The MEDIAJSON state machine without sockets, with L16 media so every sample can be checked exactly. */
class MediaJsonSessionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RecordingCallSink sink = new RecordingCallSink();
    private final RecordingOutbound out = new RecordingOutbound();
    private final MediaMetrics metrics = new MediaMetrics();

    private MediaJsonSession open(Map<String, String> query) throws ConnectionRefusedException {
        return MediaJsonSession.open(sink, MediaJsonConfig.defaults(), ConnectionInfo.of("/mediajson", Map.of(), query),
                out, metrics, Runnable::run, () -> 1_700_000_000_000L);
    }

    static String start(String tag, String endpointId) {
        return "{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"tag\":\"" + tag + "\",\"mediaFormat\":"
                + "{\"encoding\":\"L16\",\"sampleRate\":16000,\"channels\":1},\"customParameters\":{\"endpointId\":\""
                + endpointId + "\"}}}";
    }

    /** 20 ms of L16 whose samples all equal {@code value}, at 16 kHz timestamp units. */
    static String media(String tag, long chunk, long timestamp, short value) {
        ByteBuffer b = ByteBuffer.allocate(640);
        for (int i = 0; i < 320; i++) b.putShort(value);
        return "{\"event\":\"media\",\"sequenceNumber\":\"" + (chunk + 1) + "\",\"media\":{\"tag\":\"" + tag
                + "\",\"chunk\":\"" + chunk + "\",\"timestamp\":\"" + timestamp + "\",\"payload\":\""
                + Base64.getEncoder().encodeToString(b.array()) + "\"}}";
    }

    private long drops(String reason) {
        return metrics.dropCounter("mediajson").count(reason);
    }

    @Test
    void startAndMediaBecomeFramesOfOneParticipantPerTag() throws Exception {
        MediaJsonSession s = open(Map.of("sessionId", "meeting-1"));
        s.onText(start("ep1-111", "ep1"));
        s.onText(start("ep2-222", "ep2"));
        for (int i = 0; i < 5; i++) {
            s.onText(media("ep1-111", 100 + i, 5000 + 320L * i, (short) (i + 1)));
            s.onText(media("ep2-222", 7 + i, 90_000 + 320L * i, (short) -(i + 1)));
        }
        RecordingCallSink.Call call = sink.awaitCall(0);
        assertEquals("meeting-1", call.callId());
        assertEquals("jitsi", call.spec.source());
        assertEquals(List.of("ep1", "ep2"), call.participantIds());
        RecordingCallSink.Participant ep1 = call.participant("ep1");
        assertEquals(5, ep1.frames().size());
        for (int i = 0; i < 5; i++) {
            PcmFrame f = ep1.frames().get(i);
            assertEquals(320L * i, f.mediaTimeSamples());
            assertEquals(PcmFrame.Kind.AUDIO, f.kind());
            assertEquals(i + 1, f.samples()[0]);
            assertEquals(i + 1, f.samples()[319]);
        }
        assertEquals(-5, call.participant("ep2").frames().get(4).samples()[0]);
        assertEquals(0, metrics.dropCounter("mediajson").total());
    }

    static String start(String tag, String endpointId, String customExtra) {
        return start(tag, endpointId).replace("\"endpointId\":\"" + endpointId + "\"",
                "\"endpointId\":\"" + endpointId + "\"," + customExtra);
    }

    @Test
    void aDisplayNameTheSenderGivesNamesTheParticipantInResults() throws Exception {
        MediaJsonSession s = open(Map.of("sessionId", "standup"));
        s.onText(start("e1-1", "e1", "\"displayName\":\"  Alice \\u00c9. \\n Smith \""));   // the demo sender's field
        s.onText(start("e2-2", "e2", "\"name\":\"Bob\""));
        s.onText(start("e3-3", "e3", "\"displayName\":\"\",\"nick\":\"" + "x".repeat(300) + "\""));
        s.onText(start("e4-4", "e4", "\"displayName\":42"));
        s.onText(start("e5-5", "e5"));
        RecordingCallSink.Call call = sink.awaitCall(0);
        assertEquals("Alice \u00c9. Smith", call.participant("e1").spec.displayName());
        assertEquals("Bob", call.participant("e2").spec.displayName());
        assertEquals("x".repeat(100), call.participant("e3").spec.displayName(), "blank skipped, long cut");
        assertEquals("42", call.participant("e4").spec.displayName());
        assertEquals(null, call.participant("e5").spec.displayName());

        // The sink names events by the participant's spec; the result carries the name next to the endpoint id.
        s.onTranscript(new org.streamasr.media.TranscriptEvent("standup", "e1", "Alice \u00c9. Smith", "u1", 1, true,
                "good morning", "en-US", 0, 900, List.of()));
        JsonNode r = JSON.readTree(out.texts().get(0));
        assertEquals("e1", r.path("participant").path("id").asText());
        assertEquals("Alice \u00c9. Smith", r.path("participant").path("name").asText());
        assertEquals("e1-1", r.path("participant").path("tag").asText());
        assertEquals(0, metrics.dropCounter("mediajson").total());
    }

    @Test
    void pingIsAnsweredWithPongCarryingTheSameId() throws Exception {
        MediaJsonSession s = open(Map.of());
        s.onText("{\"event\":\"ping\",\"id\":42}");
        s.onText("{\"event\":\"ping\",\"id\":\"abc\"}");
        assertEquals(List.of("{\"event\":\"pong\",\"id\":42}", "{\"event\":\"pong\",\"id\":\"abc\"}"), out.texts());
        assertEquals(OutboundChannel.Priority.CONTROL, out.sent().get(0).priority());
    }

    @Test
    void duplicatesAndReorderedPacketsAreDroppedAndCounted() throws Exception {
        MediaJsonSession s = open(Map.of());
        s.onText(start("a-1", "a"));
        s.onText(media("a-1", 10, 0, (short) 1));
        s.onText(media("a-1", 11, 320, (short) 2));
        s.onText(media("a-1", 11, 320, (short) 99));   // duplicate
        s.onText(media("a-1", 9, 0, (short) 98));      // late
        s.onText(media("a-1", 12, 640, (short) 3));
        RecordingCallSink.Participant a = sink.awaitCall(0).participant("a");
        assertEquals(List.of(1, 2, 3), a.frames().stream().map(f -> (int) f.samples()[0]).toList());
        assertEquals(2, drops("out-of-order"));
        assertEquals(960, a.endTime());
    }

    @Test
    void lossIsCoveredUpToTheSilenceCapAndTheClockJumpsBeyond() throws Exception {
        MediaJsonSession s = open(Map.of());
        s.onText(start("a-1", "a"));
        s.onText(media("a-1", 1, 0, (short) 1));
        s.onText(media("a-1", 4, 3 * 320, (short) 2));               // two packets lost: 40 ms gap
        s.onText(media("a-1", 5, 4 * 320 + 16_000 * 5, (short) 3));  // DTX: 5 s without packets
        RecordingCallSink.Participant a = sink.awaitCall(0).participant("a");
        List<PcmFrame> frames = a.frames();
        // The 40 ms loss is concealed (pitch repetition for L16); of the 5 s pause 2 s (the cap) become silence,
        // then the clock jumps.
        assertEquals(PcmFrame.Kind.CONCEALED, frames.get(1).kind());
        assertEquals(320, frames.get(1).mediaTimeSamples());
        assertEquals(640, frames.get(1).samples().length);
        PcmFrame second = frames.get(2);
        assertEquals(960, second.mediaTimeSamples());
        assertEquals(2, second.samples()[0]);
        assertEquals(32_000, a.samplesOf(PcmFrame.Kind.SILENCE));
        PcmFrame third = frames.get(frames.size() - 1);
        assertEquals(4 * 320 + 80_000, third.mediaTimeSamples(), "audio stays where its timestamp puts it");
        assertEquals(3, third.samples()[0]);
    }

    @Test
    void badInputIsCountedAndGoodInputStillWorks() throws Exception {
        MediaJsonSession s = open(Map.of());
        s.onText("{not json");
        s.onText("[1,2,3]");
        s.onText("{\"sequenceNumber\":\"1\"}");
        s.onText(media("a-1", 1, 0, (short) 5));                          // before start
        s.onText("{\"event\":\"start\",\"start\":{}}");
        s.onText("{\"event\":\"start\",\"start\":{\"tag\":\"x\",\"mediaFormat\":{\"encoding\":\"G729\",\"sampleRate\":8000,\"channels\":1}}}");
        s.onText("{\"event\":\"media\",\"media\":{\"tag\":\"a-1\",\"chunk\":\"x\",\"timestamp\":\"0\",\"payload\":\"AAA=\"}}");
        s.onText("{\"event\":\"media\",\"media\":{\"tag\":\"a-1\",\"chunk\":\"1\",\"timestamp\":\"0\",\"payload\":\"%%%\"}}");
        s.onText("{\"event\":\"media\"}");
        s.onText("{\"event\":\"ping\"}");
        s.onText("{\"event\":\"dance\",\"x\":1}");
        s.onBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        s.onText(start("a-1", "a"));
        s.onText(start("a-1", "a"));                                      // start twice
        s.onText("{\"event\":\"media\",\"media\":{\"tag\":\"a-1\",\"chunk\":\"1\",\"timestamp\":\"0\",\"payload\":\"AAE=\"}}".replace("AAE=", "AAEC"));
        s.onText(media("a-1", 2, 320, (short) 7));
        assertEquals(2, drops("malformed-json"), "not JSON, and not a JSON object");
        assertEquals(1, drops("missing-event"));
        assertEquals(1, drops("media-before-start"));
        assertEquals(1, drops("start-without-tag"));
        assertEquals(1, drops("unsupported-encoding"));
        assertEquals(1, drops("media-without-position"));
        assertEquals(1, drops("bad-base64"));
        assertEquals(1, drops("media-without-body"));
        assertEquals(1, drops("ping-without-id"));
        assertEquals(1, drops("binary-message"));
        assertEquals(1, drops("duplicate-start"));
        assertEquals(1, drops("undecodable"), "3 bytes are not 16-bit samples");
        assertEquals(1, metrics.counters().get("mediajson.events.ignored"));
        RecordingCallSink.Participant a = sink.awaitCall(0).participant("a");
        assertEquals(1, a.frames().size(), "the first decodable packet starts the stream");
        assertEquals(7, a.frames().get(0).samples()[0]);
        assertEquals(0, a.frames().get(0).mediaTimeSamples());
    }

    @Test
    void sessionEndClosesParticipantsAndTheCallThenTheSocketAfterFinals() throws Exception {
        MediaJsonSession s = open(Map.of());
        s.onText(start("a-1", "a"));
        s.onText(media("a-1", 1, 0, (short) 1));
        RecordingCallSink.Call call = sink.awaitCall(0);
        call.onClose(() -> call.emit("a", "u1", true, "last words", "en-US"));
        s.onText("{\"event\":\"session-end\"}");
        assertTrue(call.isClosed());
        assertTrue(call.participant("a").isClosed());
        assertEquals(1, out.texts().size());
        assertTrue(out.texts().get(0).contains("last words"));
        assertTrue(out.closedAfterFlush());
        assertEquals(CloseCodes.NORMAL, out.closeCode());
        s.onText(media("a-1", 2, 320, (short) 1));
        assertEquals(1, drops("after-session-end"));
    }

    @Test
    void socketCloseEndsTheCall() throws Exception {
        MediaJsonSession s = open(Map.of());
        s.onText(start("a-1", "a"));
        s.onClosed(CloseCodes.GOING_AWAY, "bridge gone");
        RecordingCallSink.Call call = sink.awaitCall(0);
        assertTrue(call.isClosed());
        assertTrue(call.participant("a").isClosed());
    }

    @Test
    void plainStopEndsTheSourceAndTalkStopFillsSilence() throws Exception {
        MediaJsonSession s = open(Map.of());
        s.onText(start("a-1", "a"));
        s.onText(start("b-2", "b"));
        s.onText(media("a-1", 1, 0, (short) 1));
        s.onText(media("b-2", 1, 0, (short) 1));
        s.onText("{\"event\":\"stop\",\"sequenceNumber\":\"9\",\"stop\":{\"tag\":\"a-1\",\"timestamp\":\"320\"}}");
        s.onText("{\"event\":\"stop\",\"stop\":{\"tag\":\"b-2\"}}");
        RecordingCallSink.Call call = sink.awaitCall(0);
        assertFalse(call.participant("a").isClosed());
        assertEquals(32_000, call.participant("a").samplesOf(PcmFrame.Kind.SILENCE));
        assertTrue(call.participant("b").isClosed());
        s.onText(media("b-2", 2, 320, (short) 1));
        assertEquals(1, drops("media-before-start"));
    }

    @Test
    void secondLiveSourceOfAnEndpointIsItsOwnParticipant() throws Exception {
        MediaJsonSession s = open(Map.of());
        s.onText(start("ep-1", "ep"));
        s.onText(start("ep-2", "ep"));
        assertEquals(List.of("ep", "ep-2"), sink.awaitCall(0).participantIds());
        assertEquals("ep", MediaJsonSession.endpointOfTag("ep-305123557"));
        assertEquals("ep-x", MediaJsonSession.endpointOfTag("ep-x"));
        assertEquals("ep-", MediaJsonSession.endpointOfTag("ep-"));
    }

    @Test
    void transcriptsGoBackInTheShapeJitsiMeetDisplays() throws Exception {
        MediaJsonSession s = open(Map.of("lang", "de-DE"));
        s.onText(start("ep1-305123557", "ep1"));
        RecordingCallSink.Call call = sink.awaitCall(0);
        call.emit("ep1", "utt-1", false, "hallo", null);
        call.emit("ep1", "utt-1", true, "hallo welt", "de-DE");
        call.emit("ep1", "utt-2", true, "  ", "de-DE");
        assertEquals(2, out.texts().size(), "blank finals are not shown");
        JsonNode interim = JSON.readTree(out.texts().get(0));
        JsonNode fin = JSON.readTree(out.texts().get(1));
        assertEquals("transcription-result", interim.get("type").asText());
        assertEquals("transcription-result", interim.get("event").asText());
        assertTrue(interim.get("is_interim").asBoolean());
        assertFalse(fin.get("is_interim").asBoolean());
        assertEquals(interim.get("message_id").asText(), fin.get("message_id").asText(), "one id per utterance");
        assertEquals(36, fin.get("message_id").asText().length());
        assertEquals("hallo welt", fin.get("transcript").get(0).get("text").asText());
        assertEquals(1.0, fin.get("transcript").get(0).get("confidence").asDouble());
        assertEquals("ep1", fin.get("participant").get("id").asText());
        assertEquals("ep1-305123557", fin.get("participant").get("tag").asText());
        assertNull(fin.get("participant").get("name"));
        assertEquals("de-DE", interim.get("language").asText(), "the connection's language when the engine names none");
        assertEquals(0.5, interim.get("stability").asDouble());
        assertEquals(1.0, fin.get("stability").asDouble());
        assertEquals(1_700_000_000_000L, fin.get("timestamp").asLong());
        assertEquals(OutboundChannel.Priority.PARTIAL, out.sent().get(0).priority());
        assertEquals(OutboundChannel.Priority.FINAL, out.sent().get(1).priority());
    }

    @Test
    void finalsOnlyWhenAskedAndNothingWhenSendBackIsOff() throws Exception {
        MediaJsonSession s = open(Map.of("sendBackInterim", "false"));
        sink.awaitCall(0).emit("x", "u", false, "partial", "en");
        sink.awaitCall(0).emit("x", "u", true, "final", "en");
        assertEquals(1, out.texts().size());
        assertTrue(out.texts().get(0).contains("\"language\":\"en\""));
        RecordingOutbound quiet = new RecordingOutbound();
        MediaJsonSession.open(sink, MediaJsonConfig.defaults(), ConnectionInfo.of("/t", Map.of(), Map.of("sendBack", "false")),
                quiet, metrics, Runnable::run, () -> 0L);
        sink.awaitCall(1).emit("x", "u", true, "final", "en");
        assertTrue(quiet.texts().isEmpty());
        assertTrue(s != null);
    }

    @Test
    void callIdComesFromThePathThenTheQueryAndRejectionRefusesTheConnection() throws Exception {
        MediaJsonSession.open(sink, MediaJsonConfig.defaults(), ConnectionInfo.of("/mediajson/room42", Map.of("callId", "room42"),
                Map.of("sessionId", "other")), out, metrics, Runnable::run, () -> 0L);
        assertEquals("room42", sink.awaitCall(0).callId());
        sink.rejectCalls("no capacity");
        ConnectionRefusedException e = assertThrows(ConnectionRefusedException.class, () -> open(Map.of()));
        assertEquals("no capacity", e.getMessage());
        assertEquals(CloseCodes.TRY_AGAIN_LATER, e.closeCode());
    }

    @Test
    void tooManySourcesAreRefused() throws Exception {
        MediaJsonConfig d = MediaJsonConfig.defaults();
        MediaJsonConfig two = new MediaJsonConfig(d.paths(), d.defaultLanguage(), d.sendInterim(), d.interimStability(),
                d.concealCap(), d.silenceCap(), d.maxPayloadBytes(), 2, d.limits());
        MediaJsonSession s = MediaJsonSession.open(sink, two, ConnectionInfo.of("/m", Map.of(), Map.of()), out, metrics, Runnable::run, () -> 0L);
        s.onText(start("a-1", "a"));
        s.onText(start("b-1", "b"));
        s.onText(start("c-1", "c"));
        assertEquals(1, drops("too-many-sources"));
        assertEquals(2, sink.awaitCall(0).participantIds().size());
    }

    @Test
    void payloadSizeIsLimited() throws Exception {
        MediaJsonSession s = open(Map.of());
        s.onText(start("a-1", "a"));
        String big = Base64.getEncoder().encodeToString(new byte[9000]);
        s.onText("{\"event\":\"media\",\"media\":{\"tag\":\"a-1\",\"chunk\":1,\"timestamp\":0,\"payload\":\"" + big + "\"}}");
        assertEquals(1, drops("payload-too-large"));
        s.onText(media("a-1", 2, 0, (short) 4));
        assertArrayEquals(new short[] {4, 4}, java.util.Arrays.copyOf(sink.awaitCall(0).participant("a").samples(), 2));
    }
}
