package org.streamasr.riva;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import nvidia.riva.RivaAudio.AudioEncoding;
import nvidia.riva.RivaCommon.RequestId;
import nvidia.riva.asr.RivaAsr.RecognitionConfig;
import nvidia.riva.asr.RivaAsr.RivaSpeechRecognitionConfigRequest;
import nvidia.riva.asr.RivaAsr.RivaSpeechRecognitionConfigResponse;
import nvidia.riva.asr.RivaAsr.StreamingRecognitionResult;
import nvidia.riva.asr.RivaAsr.StreamingRecognizeRequest;
import nvidia.riva.asr.RivaAsr.WordInfo;
import nvidia.riva.asr.RivaSpeechRecognitionGrpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.ScriptedEngine;
import org.streamasr.testing.TestServers;

/** The Riva protocol with a scripted engine (exact words): results, stability, words, ids, errors, auth. */
class RivaProtocolTest {
    static final String KEY = "riva-test-key";
    final ScriptedEngine engine = new ScriptedEngine();
    AsrServer server;
    RivaClient client;

    void start(Map<String, Object> settings, String clientKey) throws Exception {
        server = AsrServer.start(TestServers.config(settings), engine, false);
        client = new RivaClient(server.rivaPort(), clientKey);
    }

    void start() throws Exception {
        start(Map.of("asr.server.api-keys", List.of(KEY)), KEY);
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) client.close();
        if (server != null) server.close();
    }

    ScriptedEngine.Stream awaitStream(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (engine.streams().size() < n) {
            if (System.nanoTime() > deadline) throw new AssertionError("no engine stream opened");
            Thread.sleep(10);
        }
        return engine.streams().get(n - 1);
    }

    void awaitResults(RivaClient.Stream s, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (s.results().size() < n) {
            if (System.nanoTime() > deadline) throw new AssertionError("only " + s.results() + " arrived");
            Thread.sleep(10);
        }
    }

    @Test
    void interimResultsWithStabilityThenFinalsWithWordsAndTheRequestId() throws Exception {
        start();
        RivaClient.Stream s = client.stream();
        s.requests.onNext(StreamingRecognizeRequest.newBuilder()
                .setStreamingConfig(nvidia.riva.asr.RivaAsr.StreamingRecognitionConfig.newBuilder()
                        .setConfig(RivaClient.pcm16k()).setInterimResults(true))
                .setId(RequestId.newBuilder().setValue("req-7")).build());
        s.audio(new byte[32_000], 3_200); // 1 s of 16 kHz silence
        ScriptedEngine.Stream engineStream = awaitStream(1);
        assertEquals("en-US", engineStream.settings.language());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (engineStream.acceptedSamples() < 16_000 && System.nanoTime() < deadline) Thread.sleep(10);

        engineStream.partial("hello");
        awaitResults(s, 1);
        engineStream.partial("hello there");
        awaitResults(s, 2);
        engineStream.partial("hello world again");
        awaitResults(s, 3);
        engineStream.fin("hello world again", 100, 400, 700);
        assertNull(s.finish(), "ends OK after the client half-closed");

        List<StreamingRecognitionResult> r = s.results();
        assertEquals(4, r.size(), r.toString());
        assertEquals(List.of(false, false, false, true), r.stream().map(StreamingRecognitionResult::getIsFinal).toList());
        assertEquals(List.of("hello", "hello there", "hello world again", "hello world again "),
                r.stream().map(x -> x.getAlternatives(0).getTranscript()).toList(), "a final ends with a space");
        assertEquals(0f, r.get(0).getStability(), "an utterance's first interim has nothing confirmed");
        assertEquals(0.5f, r.get(1).getStability(), "one of two words as before");
        assertEquals(1f / 3, r.get(2).getStability(), 1e-6);
        for (StreamingRecognitionResult x : r) {
            assertEquals(1, x.getChannelTag());
            assertEquals(1.0f, x.getAudioProcessed(), 1e-3, "a second of audio was received");
        }
        assertEquals(0, r.get(0).getAlternatives(0).getWordsCount(), "interims carry no words");
        List<WordInfo> words = r.get(3).getAlternatives(0).getWordsList();
        assertEquals(List.of("hello", "world", "again"), words.stream().map(WordInfo::getWord).toList());
        assertEquals(List.of(100, 400, 700), words.stream().map(WordInfo::getStartTime).toList());
        assertEquals(List.of(400, 700, 1000), words.stream().map(WordInfo::getEndTime).toList());
        assertEquals("en-US", r.get(3).getAlternatives(0).getLanguageCode(0));
        for (var resp : s.responses) assertEquals("req-7", resp.getId().getValue(), "the request id is echoed");
        assertEquals(0, engine.openStreams(), "the engine stream was released");
    }

    @Test
    void withoutInterimResultsOnlyFinalsAndWithoutWordOffsetsNoWords() throws Exception {
        start();
        RivaClient.Stream s = client.stream().config(RivaClient.pcm16k().setEnableWordTimeOffsets(false).build(), false);
        s.audio(new byte[16_000], 1_600);
        ScriptedEngine.Stream e = awaitStream(1);
        e.partial("not sent");
        e.fin("only this", 10, 300);
        assertNull(s.finish());
        assertEquals(1, s.results().size(), s.results().toString());
        assertEquals("only this", s.transcript());
        assertEquals(0, s.finals().get(0).getAlternatives(0).getWordsCount());
    }

    @Test
    void muLawAndWavHeadersAreTakenAsRivaClientsSendThem() throws Exception {
        start();
        // mu-law at 8 kHz: 0.5 s becomes 0.5 s at 16 kHz
        RivaClient.Stream ulaw = client.stream().config(RecognitionConfig.newBuilder()
                .setEncoding(AudioEncoding.MULAW).setSampleRateHertz(8000).setLanguageCode("en-us").build(), true);
        byte[] silence = new byte[4_000];
        java.util.Arrays.fill(silence, (byte) 0xFF);
        ulaw.audio(silence, 160);
        assertNull(ulaw.finish());
        ScriptedEngine.Stream e1 = awaitStream(1);
        assertTrue(Math.abs(e1.acceptedSamples() - 8_000) <= 160, "samples at 16 kHz: " + e1.acceptedSamples());
        assertEquals(25L, server.mediaMetrics().counter("riva.packets.decoded").sum(),
                "each 20 ms message a packet, expanded by the ingest pipeline's decode stage");

        // riva's transcribe_file.py: neither encoding nor rate, a WAV file from byte 0 in 1600-frame chunks
        org.streamasr.media.wav.WavFile wav = new org.streamasr.media.wav.WavFile(22_050, 1, new short[22_050]);
        RivaClient.Stream file = client.stream().config(RecognitionConfig.newBuilder().setLanguageCode("en-US").build(), true);
        file.audio(wav.toBytes(), 3_200);
        assertNull(file.finish());
        ScriptedEngine.Stream e2 = awaitStream(2);
        assertTrue(Math.abs(e2.acceptedSamples() - 16_000) <= 160, "1 s of 22.05 kHz audio: " + e2.acceptedSamples());
    }

    @Test
    void badConfigsAreRefusedWithInvalidArgumentAndTheServerCarriesOn() throws Exception {
        start();
        assertInvalid(RivaClient.pcm16k().setSampleRateHertz(0), "sample_rate_hertz is required");
        assertInvalid(RivaClient.pcm16k().setSampleRateHertz(4000), "outside 8000..48000");
        assertInvalid(RivaClient.pcm16k().setLanguageCode("xx-XX"), "language_code 'xx-XX' is not served");
        assertInvalid(RivaClient.pcm16k().setModel("no-such-model"), "model 'no-such-model' is not served");
        assertInvalid(RivaClient.pcm16k().setAudioChannelCount(2), "only mono");
        assertInvalid(RivaClient.pcm16k().setEncoding(AudioEncoding.OGGOPUS), "not supported for StreamingRecognize");
        assertInvalid(RivaClient.pcm16k().setEncodingValue(99), "unknown encoding 99");

        // audio before the config
        RivaClient.Stream early = client.stream().audio(new byte[320], 320);
        StatusRuntimeException e = early.await();
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("first request must carry streaming_config"), e.toString());
        // a second config
        RivaClient.Stream twice = client.stream().config(RivaClient.pcm16k().build(), true)
                .config(RivaClient.pcm16k().build(), true);
        assertEquals(Status.Code.INVALID_ARGUMENT, twice.await().getStatus().getCode());
        // neither encoding nor rate, and no WAV header
        RivaClient.Stream raw = client.stream().config(RecognitionConfig.newBuilder().setLanguageCode("en-US").build(), true)
                .audio(new byte[3_200], 3_200);
        assertTrue(raw.await().getStatus().getDescription().contains("no WAV header"));

        assertGoodStreamStillWorks();
    }

    @Test
    void malformedAndOversizedMessagesEndOnlyTheirCall() throws Exception {
        start(Map.of("asr.server.api-keys", List.of(KEY), "asr.riva.max-message", "64KiB"), KEY);
        // bytes that are no StreamingRecognizeRequest: field 1 (streaming_config) says 200 bytes follow, 3 do
        MethodDescriptor<byte[], byte[]> raw = RivaSpeechRecognitionGrpc.getStreamingRecognizeMethod().toBuilder(
                new BytesMarshaller(), new BytesMarshaller()).build();
        Metadata md = new Metadata();
        md.put(RivaAuth.AUTHORIZATION, "Bearer " + KEY);
        StatusRuntimeException malformed = assertThrows(StatusRuntimeException.class, () -> {
            var responses = io.grpc.stub.ClientCalls.blockingServerStreamingCall(
                    io.grpc.ClientInterceptors.intercept(client.channel,
                            io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(md)),
                    raw.toBuilder().setType(MethodDescriptor.MethodType.SERVER_STREAMING).build(),
                    CallOptions.DEFAULT, new byte[] {0x0a, (byte) 0xc8, 0x01, 1, 2, 3});
            responses.hasNext();
        });
        assertEquals(Status.Code.INVALID_ARGUMENT, malformed.getStatus().getCode(), malformed.toString());
        assertTrue(malformed.getStatus().getDescription().startsWith("malformed request message"), malformed.toString());

        // a message over asr.riva.max-message
        RivaClient.Stream big = client.stream().config(RivaClient.pcm16k().build(), true).audio(new byte[100_000], 100_000);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, big.await().getStatus().getCode());

        assertGoodStreamStillWorks();
    }

    @Test
    void keysAreCheckedAndOpenServesWithoutThem() throws Exception {
        start();
        for (String key : new String[] {null, "wrong"}) {
            try (RivaClient other = new RivaClient(server.rivaPort(), key)) {
                StatusRuntimeException e = other.stream().config(RivaClient.pcm16k().build(), true).await();
                assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), "key " + key);
                StatusRuntimeException c = assertThrows(StatusRuntimeException.class,
                        () -> other.blocking.getRivaSpeechRecognitionConfig(RivaSpeechRecognitionConfigRequest.getDefaultInstance()));
                assertEquals(Status.Code.UNAUTHENTICATED, c.getStatus().getCode());
            }
        }
        assertGoodStreamStillWorks();
        client.close();
        server.close();

        start(Map.of("asr.riva.open", true), null); // no keys at all: jambonz sends no metadata
        assertGoodStreamStillWorks();
        client.close();
        server.close();

        start(Map.of(), null); // no keys and not open: refused
        assertEquals(Status.Code.UNAUTHENTICATED,
                client.stream().config(RivaClient.pcm16k().build(), true).await().getStatus().getCode());
    }

    @Test
    void theConfigRpcListsServedModelsAsRivaClientsReadThem() throws Exception {
        start();
        RivaSpeechRecognitionConfigResponse all = client.blocking.getRivaSpeechRecognitionConfig(
                RivaSpeechRecognitionConfigRequest.getDefaultInstance());
        assertTrue(all.getModelConfigCount() > 0);
        for (var c : all.getModelConfigList()) {
            assertEquals("online", c.getParametersOrThrow("type"), c.toString());
            assertEquals("de-DE,en-US", c.getParametersOrThrow("language_code"), c.toString());
        }
        assertTrue(all.getModelConfigList().stream().anyMatch(c -> c.getModelName().equals("nova-3")), all.toString());
        var one = client.blocking.getRivaSpeechRecognitionConfig(
                RivaSpeechRecognitionConfigRequest.newBuilder().setModelName("nova-3").build());
        assertEquals(1, one.getModelConfigCount());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.blocking
                .getRivaSpeechRecognitionConfig(RivaSpeechRecognitionConfigRequest.newBuilder().setModelName("x").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }

    @Test
    void aRivaPortInUseNamesItsKey() throws Exception {
        try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            org.streamasr.server.InvalidConfigException e = assertThrows(org.streamasr.server.InvalidConfigException.class,
                    () -> AsrServer.start(TestServers.config(Map.of("asr.riva.port", busy.getLocalPort())), engine, false));
            assertTrue(e.getMessage().startsWith("asr.riva.port: cannot listen on 127.0.0.1:" + busy.getLocalPort()),
                    e.getMessage());
        }
    }

    void assertInvalid(RecognitionConfig.Builder config, String message) throws Exception {
        StatusRuntimeException e = client.stream().config(config.build(), true).audio(new byte[3200], 3200).await();
        assertNotNull(e, "refused: " + config);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.toString());
        assertTrue(e.getStatus().getDescription().contains(message), e.getStatus().getDescription());
    }

    void assertGoodStreamStillWorks() throws Exception {
        int n = engine.streams().size();
        RivaClient.Stream s = client.stream().config(RivaClient.pcm16k().build(), true).audio(new byte[3_200], 3_200);
        ScriptedEngine.Stream e = awaitStream(n + 1);
        e.fin("still here", 0, 100);
        assertNull(s.finish());
        assertEquals("still here", s.transcript());
    }

    static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
