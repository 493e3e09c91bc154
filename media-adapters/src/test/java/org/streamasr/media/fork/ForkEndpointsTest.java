package org.streamasr.media.fork;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.websocket.CloseReason;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.adapter.Poll;
import org.streamasr.media.adapter.TestAudio;
import org.streamasr.media.adapter.TyrusTestServer;
import org.streamasr.media.adapter.WsTestClient;
import org.streamasr.media.g711.G711;
import org.streamasr.testing.RecordingCallSink;
import org.streamasr.testing.SignalMetrics;

/** mod_audio_fork, jambonz and Twilio senders against the endpoints over real sockets. */
class ForkEndpointsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RecordingCallSink sink = new RecordingCallSink();
    private final MediaMetrics metrics = new MediaMetrics();
    private final org.streamasr.media.pipeline.MediaExecutors pool = org.streamasr.media.pipeline.MediaExecutors.create(2);
    private TyrusTestServer server;

    @BeforeEach
    void start() throws Exception {
        List<jakarta.websocket.server.ServerEndpointConfig> endpoints = new ArrayList<>();
        endpoints.addAll(AudioForkEndpoints.create(sink, metrics, pool.cpu(), AudioForkConfig.defaults()));
        endpoints.addAll(TwilioEndpoints.create(sink, metrics, pool.cpu(), TwilioConfig.defaults()));
        server = new TyrusTestServer(endpoints);
    }

    @AfterEach
    void stop() {
        server.close();
        pool.close();
    }

    @Test
    void jambonzListenStereo16k() throws Exception {
        short[] caller = TestAudio.clip("sense_and_sensibility_01_austen_64kb-0880.wav");
        short[] callee = TestAudio.clip("sense_and_sensibility_01_austen_64kb-0930.wav");
        int n = Math.min(caller.length, callee.length);
        short[] interleaved = new short[2 * n];
        for (int i = 0; i < n; i++) {
            interleaved[2 * i] = caller[i];
            interleaved[2 * i + 1] = callee[i];
        }
        try (WsTestClient jambonz = WsTestClient.connect(server.uri("/audio-fork"), List.of("audio.jambonz.org"), Map.of())) {
            assertEquals("audio.jambonz.org", jambonz.negotiatedSubprotocol());
            jambonz.sendText(AudioForkSessionTest.JAMBONZ_METADATA);
            for (int off = 0; off < interleaved.length; off += 640) {      // 20 ms of 16 kHz stereo
                jambonz.sendBinary(TestAudio.le(interleaved, off, Math.min(interleaved.length, off + 640)));
            }
            RecordingCallSink.Call call = sink.awaitCall(0);
            RecordingCallSink.Participant l = call.awaitParticipant("caller");
            RecordingCallSink.Participant r = call.awaitParticipant("callee");
            Poll.until(() -> l.samples().length == n && r.samples().length == n, "all audio arrived");
            assertArrayEquals(java.util.Arrays.copyOf(caller, n), l.samples());
            assertArrayEquals(java.util.Arrays.copyOf(callee, n), r.samples());
            call.emit("caller", "u1", true, "he was not an ill disposed young man", "en-US");
            JsonNode t = JSON.readTree(jambonz.awaitText(0));
            assertEquals("transcription", t.get("type").asText());
            assertEquals("caller", t.get("data").get("channel").asText());
        }
        Poll.until(() -> sink.awaitCall(0).isClosed(), "call closed with the socket");
    }

    @Test
    void modAudioForkMono8kWithoutMetadata() throws Exception {
        short[] speech = TestAudio.clip("sense_and_sensibility_01_austen_64kb-0880.wav");
        short[] at8k = TestAudio.resample(speech, 16_000, 8_000);
        try (WsTestClient freeswitch = WsTestClient.connect(server.uri("/audio-fork/fs-uuid-1?rate=8k&mix=mono"),
                List.of("audiostream.drachtio.org"), Map.of())) {
            assertEquals("audiostream.drachtio.org", freeswitch.negotiatedSubprotocol());
            for (int off = 0; off < at8k.length; off += 160) {
                freeswitch.sendBinary(TestAudio.le(at8k, off, Math.min(at8k.length, off + 160)));
            }
            RecordingCallSink.Participant p = sink.awaitCall(0).awaitParticipant("caller");
            Poll.until(() -> p.samples().length > speech.length - 1000, "audio arrived");
        }
        RecordingCallSink.Call call = sink.awaitCall(0);
        Poll.until(call::isClosed, "closed");
        assertEquals("fs-uuid-1", call.callId());
        SignalMetrics.Alignment a = SignalMetrics.align(TestAudio.resample(at8k, 8_000, 16_000), call.participant("caller").samples(), 100);
        assertTrue(a.correlation() > 0.999 && a.lag() == 0, "8 kHz L16 resampled like the reference: " + a);
    }

    @Test
    void modAudioForkDefaultSubprotocolAudioDrachtioOrgIsNegotiated() throws Exception {
        // what mod_audio_fork offers since 2020 (MOD_AUDIO_FORK_SUBPROTOCOL_NAME unset), and nothing else
        try (WsTestClient freeswitch = WsTestClient.connect(server.uri("/audio-fork/fs-uuid-2?rate=16k&mix=mono"),
                List.of("audio.drachtio.org"), Map.of())) {
            assertEquals("audio.drachtio.org", freeswitch.negotiatedSubprotocol());
            short[] tone = new short[3200];
            for (int i = 0; i < tone.length; i++) tone[i] = (short) (8000 * Math.sin(2 * Math.PI * 440 * i / 16000.0));
            freeswitch.sendBinary(TestAudio.le(tone, 0, tone.length));
            RecordingCallSink.Participant p = sink.awaitCall(0).awaitParticipant("caller");
            Poll.until(() -> p.samples().length == tone.length, "audio arrived");
            assertArrayEquals(tone, p.samples());
        }
        Poll.until(() -> sink.awaitCall(0).isClosed(), "closed");
        assertEquals("fs-uuid-2", sink.awaitCall(0).callId());
    }

    @Test
    void twilioMediaStream() throws Exception {
        short[] speech = TestAudio.clip("sense_and_sensibility_01_austen_64kb-0880.wav");
        short[] at8k = TestAudio.resample(speech, 16_000, 8_000);
        try (WsTestClient twilio = WsTestClient.connect(server.uri("/twilio"))) {
            twilio.sendText(TwilioSessionTest.CONNECTED);
            twilio.sendText(TwilioSessionTest.start("CA42"));
            int seq = 2;
            for (int off = 0, chunk = 1; off + 160 <= at8k.length; off += 160, chunk++) {
                byte[] ulaw = new byte[160];
                for (int i = 0; i < 160; i++) ulaw[i] = G711.linearToUlaw(at8k[off + i]);
                twilio.sendText("{\"event\":\"media\",\"sequenceNumber\":\"" + (seq++) + "\",\"media\":{\"track\":\"inbound\","
                        + "\"chunk\":\"" + chunk + "\",\"timestamp\":\"" + (off / 8) + "\",\"payload\":\""
                        + Base64.getEncoder().encodeToString(ulaw) + "\"},\"streamSid\":\"MZ456\"}");
            }
            twilio.sendText("{\"event\":\"stop\",\"sequenceNumber\":\"" + seq + "\",\"stop\":{\"accountSid\":\"AC123\",\"callSid\":\"CA42\"},\"streamSid\":\"MZ456\"}");
            CloseReason closed = twilio.awaitClose();
            assertEquals(CloseReason.CloseCodes.NORMAL_CLOSURE, closed.getCloseCode());
        }
        RecordingCallSink.Call call = sink.awaitCall(0);
        assertEquals("CA42", call.callId());
        short[] got = call.participant("inbound").samples();
        SignalMetrics.Alignment a = SignalMetrics.align(speech, got, 200);
        System.out.println("Twilio mu-law 8 kHz round trip: " + a);
        assertTrue(a.correlation() > 0.95 && Math.abs(a.lag()) <= 2, "telephone-band speech arrives intact: " + a);
        assertEquals(0, metrics.dropCounter("twilio").total(), metrics.drops().toString());
    }
}
