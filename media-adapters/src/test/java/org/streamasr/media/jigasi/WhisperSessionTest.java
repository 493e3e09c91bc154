package org.streamasr.media.jigasi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.adapter.CloseCodes;
import org.streamasr.media.adapter.ConnectionInfo;
import org.streamasr.media.adapter.ConnectionRefusedException;
import org.streamasr.media.adapter.RecordingOutbound;
import org.streamasr.testing.RecordingCallSink;

class WhisperSessionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RecordingCallSink sink = new RecordingCallSink();
    private final RecordingOutbound out = new RecordingOutbound();
    private final MediaMetrics metrics = new MediaMetrics();

    private WhisperSession open(WhisperConfig config, ConnectionInfo connection) throws ConnectionRefusedException {
        return WhisperSession.open(sink, config, connection, out, metrics, Runnable::run, () -> 1_780_000_000_000L);
    }

    private WhisperSession open() throws ConnectionRefusedException {
        return open(WhisperConfig.openDefaults(), ConnectionInfo.of("/streaming-whisper/ws/room-1", Map.of("meetingId", "room-1"), Map.of()));
    }

    /** Exactly Jigasi's {@code WhisperWebsocket.buildPayload}: a 60-byte header buffer, then the audio. */
    static ByteBuffer jigasiPayload(String participantId, String language, short... samples) {
        ByteBuffer audio = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : samples) audio.putShort(s);
        audio.flip();
        ByteBuffer header = ByteBuffer.allocate(60);
        ByteBuffer full = ByteBuffer.allocate(audio.remaining() + 60);
        header.put((participantId + "|" + language).getBytes()).rewind();
        full.put(header).put(audio).rewind();
        return full;
    }

    private long drops(String reason) {
        return metrics.dropCounter("whisper").count(reason);
    }

    @Test
    void framesOfOneRoomBecomeOneParticipantEach() throws Exception {
        WhisperSession s = open();
        s.onBinary(jigasiPayload("abcd1234", "en-US", (short) 1, (short) 2));
        s.onBinary(jigasiPayload("efgh5678", "null", (short) -1));
        s.onBinary(jigasiPayload("abcd1234", "en-US", (short) 3));
        RecordingCallSink.Call call = sink.awaitCall(0);
        assertEquals("room-1", call.callId());
        assertEquals("jigasi-whisper", call.spec.source());
        assertEquals(List.of("abcd1234", "efgh5678"), call.participantIds());
        assertEquals("en-US", call.participant("abcd1234").spec.language());
        assertNull(call.participant("efgh5678").spec.language(), "Jigasi sends \"null\" when it has no language");
        assertArrayEquals(new short[] {1, 2, 3}, call.participant("abcd1234").samples());
        assertArrayEquals(new short[] {-1}, call.participant("efgh5678").samples());
    }

    @Test
    void resultsParseTheWayJigasiParsesThem() throws Exception {
        WhisperSession s = open();
        s.onBinary(jigasiPayload("abcd1234", "en", (short) 1));
        RecordingCallSink.Call call = sink.awaitCall(0);
        call.emit("abcd1234", "utt-7", false, "hello", "en");
        call.emit("abcd1234", "utt-7", true, "hello there", "en");
        JsonNode interim = JSON.readTree(out.texts().get(0));
        JsonNode fin = JSON.readTree(out.texts().get(1));
        assertEquals("interim", interim.get("type").asText());
        assertEquals("final", fin.get("type").asText());
        assertEquals(UUID.fromString(interim.get("id").asText()), UUID.fromString(fin.get("id").asText()));
        assertEquals("abcd1234", fin.get("participant_id").asText());
        assertEquals(1_780_000_000_000L, fin.get("ts").asLong(), "start of the utterance: first audio + startMs");
        assertEquals("hello there", fin.get("text").asText());
        assertEquals("", fin.get("audio").asText());
        assertEquals(0.5f, (float) interim.get("variance").asDouble());
        assertEquals(1.0f, (float) fin.get("variance").asDouble());
    }

    @Test
    void zeroByteEndsTheSessionThenTheSocketClosesAfterFinals() throws Exception {
        WhisperSession s = open();
        s.onBinary(jigasiPayload("p1", "en", (short) 1));
        RecordingCallSink.Call call = sink.awaitCall(0);
        call.onClose(() -> call.emit("p1", "u", true, "bye", "en"));
        s.onBinary(ByteBuffer.wrap(new byte[1]));
        assertTrue(call.isClosed());
        assertTrue(call.participant("p1").isClosed());
        assertTrue(out.texts().get(0).contains("\"text\":\"bye\""));
        assertTrue(out.closedAfterFlush());
        s.onBinary(jigasiPayload("p1", "en", (short) 1));
        assertEquals(1, drops("after-eof"));
    }

    @Test
    void badInputIsCountedAndGoodInputStillWorks() throws Exception {
        WhisperSession s = open();
        s.onBinary(ByteBuffer.wrap(new byte[10]));
        s.onBinary(ByteBuffer.wrap(new byte[60]));                              // header of NULs
        s.onBinary(jigasiPayload("|en", "x"));                                   // "|en|x": no participant
        s.onText("{\"hello\":1}");
        ByteBuffer odd = jigasiPayload("p1", "en", (short) 0x0102);
        odd.limit(odd.limit() - 1);                                              // half a sample
        s.onBinary(odd);
        s.onBinary(jigasiPayload("p1", "de", (short) 5));                        // language changes mid-call
        assertEquals(1, drops("short-frame"));
        assertEquals(2, drops("header-without-participant"));
        assertEquals(1, drops("text-message"));
        assertEquals(1, drops("language-change"));
        assertEquals(1, drops("odd-length-audio"));
        assertArrayEquals(new short[] {5}, sink.awaitCall(0).participant("p1").samples(),
                "each frame holds whole samples: the half sample is dropped, not joined with the next frame");
    }

    @Test
    void headerParsing() {
        assertArrayEquals(new String[] {"p", "en-US"}, WhisperSession.parseHeader(header("p|en-US")));
        assertArrayEquals(new String[] {"p", null}, WhisperSession.parseHeader(header("p")));
        assertArrayEquals(new String[] {"p", null}, WhisperSession.parseHeader(header("p|")));
        assertNull(WhisperSession.parseHeader(header("")));
        assertNull(WhisperSession.parseHeader(header(" |en")));
        assertArrayEquals(new String[] {"ü", "de"}, WhisperSession.parseHeader(header("ü|de")));
    }

    private static byte[] header(String s) {
        byte[] h = new byte[60];
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, 0, b.length);
        return h;
    }

    @Test
    void tokensAreCheckedWhenConfigured() throws Exception {
        JwtVerifier jwt = new JwtVerifier(Map.of("k1", TestJwt.RSA.getPublic()), Map.of(), "jitsi", "jigasi", Duration.ofSeconds(30));
        WhisperConfig config = WhisperConfig.openDefaults().withJwt(jwt);
        String token = TestJwt.rs256("k1", TestJwt.jigasiClaims(1_780_000_000L, "jitsi"), TestJwt.RSA.getPrivate());
        open(config, ConnectionInfo.of("/ws/r", Map.of("meetingId", "r"), Map.of("auth_token", token)));
        open(config, ConnectionInfo.of("/ws/r2", Map.of("meetingId", "r2"), Map.of()).withHeader("authorization", "Bearer " + token));
        ConnectionRefusedException refused = org.junit.jupiter.api.Assertions.assertThrows(ConnectionRefusedException.class,
                () -> open(config, ConnectionInfo.of("/ws/r3", Map.of("meetingId", "r3"), Map.of("auth_token", token + "x"))));
        assertEquals(CloseCodes.POLICY_VIOLATION, refused.closeCode());
        assertEquals("unauthorized: bad signature", refused.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(ConnectionRefusedException.class,
                () -> open(config, ConnectionInfo.of("/ws/r4", Map.of("meetingId", "r4"), Map.of())));
        assertEquals(2, sink.calls().size());
        assertEquals(2, drops("unauthorized"));
    }
}
