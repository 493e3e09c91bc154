package org.streamasr.riva;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nvidia.riva.RivaAudio.AudioEncoding;
import nvidia.riva.RivaCommon.RequestId;
import nvidia.riva.asr.RivaAsr.RecognitionConfig;
import nvidia.riva.asr.RivaAsr.RecognizeRequest;
import nvidia.riva.asr.RivaAsr.RecognizeResponse;
import nvidia.riva.asr.RivaAsr.SpeechRecognitionResult;
import nvidia.riva.asr.RivaAsr.StreamingRecognitionResult;
import nvidia.riva.asr.RivaAsr.WordInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.streamasr.engine.EngineConfig;
import org.streamasr.engine.RecognitionListener;
import org.streamasr.engine.RecognitionStream;
import org.streamasr.engine.SpeechEngine;
import org.streamasr.engine.SpeechEngines;
import org.streamasr.engine.StreamSpec;
import org.streamasr.engine.Utterance;
import org.streamasr.media.g711.G711;
import org.streamasr.media.wav.WavFile;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.RequiredTools;
import org.streamasr.testing.TestServers;
import org.streamasr.testing.WordErrorRate;

/**
 * Riva StreamingRecognize end to end on the real sphinx engine with LibriVox speech (Debian pocketsphinx-testdata):
 * interims and finals with words, and the same transcript as the engine's own stream on the same audio.
 */
class RivaSphinxTest {
    static final Path LIBRIVOX = Path.of("/usr/share/pocketsphinx/test/data/librivox");
    static final String PREFIX = "sense_and_sensibility_01_austen_64kb-";
    static final String KEY = "riva-sphinx-key";

    SpeechEngine engine;
    AsrServer server;
    RivaClient client;

    @BeforeEach
    void start() throws Exception {
        RequiredTools.file(LIBRIVOX.resolve("transcription"), "pocketsphinx-testdata");
        engine = SpeechEngines.open(EngineConfig.builder().engine("sphinx").build());
        // the clip is sent faster than real time: the stream holds all of it rather than dropping the oldest, and
        // the end of the call waits for the engine however loaded the machine is
        server = AsrServer.start(TestServers.config(Map.of("asr.server.api-keys", List.of(KEY),
                "asr.engine.stream-buffer", "60s", "asr.calls.finish-timeout", "120s")), engine, false);
        client = new RivaClient(server.rivaPort(), KEY);
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) client.close();
        if (server != null) server.close();
        if (engine != null) engine.close();
    }

    @Test
    void streamedSpeechGetsInterimsFinalsWithWordsAndTheEnginesOwnTranscript() throws Exception {
        String clip = "0870";
        WavFile wav = WavFile.read(LIBRIVOX.resolve(PREFIX + clip + ".wav"));
        assertEquals(16_000, wav.sampleRate());
        RivaClient.Stream s = client.stream().config(RivaClient.pcm16k().build(), true)
                .audio(pcmBytes(wav.samples()), 3_200);
        assertNull(s.finish(), "the RPC ends OK after the half-close");

        String own = enginesOwnTranscript(wav.samples());
        assertTrue(!own.isBlank());
        assertEquals(own, String.join(" ", s.transcript().split("\\s+")), "the engine's own transcript");
        double wer = WordErrorRate.score(reference(clip), s.transcript()).rate();
        assertTrue(wer <= 0.6, "word error rate " + wer + ": " + s.transcript());

        List<StreamingRecognitionResult> results = s.results();
        assertTrue(results.stream().anyMatch(r -> !r.getIsFinal()), "interim results: " + results);
        for (StreamingRecognitionResult r : results) {
            assertTrue(r.getStability() >= 0f && r.getStability() <= 1f);
            if (!r.getIsFinal()) assertEquals(0, r.getAlternatives(0).getWordsCount());
        }
        int lastEnd = -1;
        for (StreamingRecognitionResult f : s.finals()) {
            List<WordInfo> words = f.getAlternatives(0).getWordsList();
            assertEquals(f.getAlternatives(0).getTranscript().strip(),
                    String.join(" ", words.stream().map(WordInfo::getWord).toList()), "words spell the transcript");
            for (WordInfo w : words) {
                assertTrue(w.getStartTime() >= lastEnd - 1 && w.getEndTime() >= w.getStartTime(), "word times: " + words);
                assertTrue(w.getEndTime() <= 7_200, "within the 7.1 s clip: " + w);
                lastEnd = w.getEndTime();
            }
        }
        assertTrue(lastEnd > 3_000, "words run through the clip");
        StreamingRecognitionResult last = results.get(results.size() - 1);
        assertEquals(7.1f, last.getAudioProcessed(), 0.01f, "audio_processed counts the whole clip");
    }

    @Test
    void aWavFileStreamedFromByteZeroAsRivasClientDoes() throws Exception {
        String clip = "0890";
        byte[] file = Files.readAllBytes(LIBRIVOX.resolve(PREFIX + clip + ".wav"));
        RivaClient.Stream s = client.stream()
                .config(RecognitionConfig.newBuilder().setLanguageCode("en-US").setMaxAlternatives(1).build(), true)
                .audio(file, 3_200); // transcribe_file.py: 1600 frames a chunk, header in the first
        assertNull(s.finish());
        String own = enginesOwnTranscript(WavFile.read(LIBRIVOX.resolve(PREFIX + clip + ".wav")).samples());
        assertEquals(own, String.join(" ", s.transcript().split("\\s+")));
    }

    /**
     * Telephony's G.711, both laws, streamed as the other live APIs take it: the bytes go to the ingest pipeline as
     * packets and its decode stage expands them on the media pool (counted there), and the transcript is the engine's
     * own on the same expanded samples.
     */
    @Test
    void muLawAndALawStreamedAreDecodedByTheIngestPipelineIntoTheEnginesOwnTranscript() throws Exception {
        String clip = "0870";
        WavFile wav = WavFile.read(LIBRIVOX.resolve(PREFIX + clip + ".wav"));
        for (AudioEncoding law : List.of(AudioEncoding.MULAW, AudioEncoding.ALAW)) {
            long decodedBefore = server.mediaMetrics().counter("riva.packets.decoded").sum();
            byte[] coded = new byte[wav.samples().length];
            short[] expanded = new short[coded.length];
            for (int i = 0; i < coded.length; i++) {
                short x = wav.samples()[i];
                coded[i] = law == AudioEncoding.MULAW ? G711.linearToUlaw(x) : G711.linearToAlaw(x);
                expanded[i] = law == AudioEncoding.MULAW ? G711.ulawToLinear(coded[i]) : G711.alawToLinear(coded[i]);
            }
            RivaClient.Stream s = client.stream().config(RecognitionConfig.newBuilder().setEncoding(law)
                    .setSampleRateHertz(16_000).setLanguageCode("en-US").build(), true)
                    .audio(coded, 1_600);
            assertNull(s.finish(), law + ": the RPC ends OK after the half-close");

            String own = enginesOwnTranscript(expanded);
            assertTrue(!own.isBlank());
            assertEquals(own, String.join(" ", s.transcript().split("\\s+")), law + ": the engine's own transcript");
            long packets = server.mediaMetrics().counter("riva.packets.decoded").sum() - decodedBefore;
            assertEquals((coded.length + 1_599) / 1_600, packets, law + ": every 100 ms packet decoded by the pipeline");
            StreamingRecognitionResult last = s.results().get(s.results().size() - 1);
            assertEquals(7.1f, last.getAudioProcessed(), 0.01f, law + ": audio_processed counts the whole clip");
        }
    }

    @Test
    void recognizeTakesAWholeFileAsRivaClientsSendItAndRefusesBadAudio() throws Exception {
        RequiredTools.command("ffmpeg");
        String clip = "0930";
        byte[] file = Files.readAllBytes(LIBRIVOX.resolve(PREFIX + clip + ".wav"));
        WavFile wav = WavFile.read(LIBRIVOX.resolve(PREFIX + clip + ".wav"));
        String own = enginesOwnTranscript(wav.samples(), StreamSpec.file("en-US", null, "reference"));
        assertTrue(!own.isBlank());

        // Pipecat's segmented service and transcribe_file_offline.py: WAV bytes, no encoding, no rate
        RecognizeResponse fromWav = client.blocking.recognize(RecognizeRequest.newBuilder()
                .setConfig(RecognitionConfig.newBuilder().setLanguageCode("en-US").setEnableWordTimeOffsets(true))
                .setAudio(ByteString.copyFrom(file)).setId(RequestId.newBuilder().setValue("file-1")).build());
        assertEquals(1, fromWav.getResultsCount());
        SpeechRecognitionResult r = fromWav.getResults(0);
        assertEquals(own, r.getAlternatives(0).getTranscript(), "the engine's own transcript of the file");
        assertEquals(own, String.join(" ", r.getAlternatives(0).getWordsList().stream().map(WordInfo::getWord).toList()));
        assertEquals(3.29f, r.getAudioProcessed(), 0.01f);
        assertEquals("file-1", fromWav.getId().getValue());

        // headerless LINEAR_PCM
        RecognizeResponse fromPcm = client.blocking.recognize(RecognizeRequest.newBuilder()
                .setConfig(RivaClient.pcm16k()).setAudio(ByteString.copyFrom(pcmBytes(wav.samples()))).build());
        assertEquals(own, fromPcm.getResults(0).getAlternatives(0).getTranscript());

        // headerless MULAW and ALAW at 16 kHz: expanded by the workers' ffmpeg, as the same table does
        for (AudioEncoding law : List.of(AudioEncoding.MULAW, AudioEncoding.ALAW)) {
            byte[] coded = new byte[wav.samples().length];
            short[] expanded = new short[coded.length];
            for (int i = 0; i < coded.length; i++) {
                short x = wav.samples()[i];
                coded[i] = law == AudioEncoding.MULAW ? G711.linearToUlaw(x) : G711.linearToAlaw(x);
                expanded[i] = law == AudioEncoding.MULAW ? G711.ulawToLinear(coded[i]) : G711.alawToLinear(coded[i]);
            }
            RecognizeResponse fromG711 = client.blocking.recognize(RecognizeRequest.newBuilder()
                    .setConfig(RecognitionConfig.newBuilder().setEncoding(law).setSampleRateHertz(16_000)
                            .setLanguageCode("en-US")).setAudio(ByteString.copyFrom(coded)).build());
            assertEquals(enginesOwnTranscript(expanded, StreamSpec.file("en-US", null, "reference")),
                    fromG711.getResults(0).getAlternatives(0).getTranscript(), law.toString());
            assertEquals(3.29f, fromG711.getResults(0).getAudioProcessed(), 0.01f, law.toString());
        }

        for (RecognizeRequest bad : List.of(
                RecognizeRequest.newBuilder().setConfig(RivaClient.pcm16k()).build(),
                RecognizeRequest.newBuilder().setConfig(RecognitionConfig.newBuilder().setLanguageCode("en-US"))
                        .setAudio(ByteString.copyFrom(new byte[] {'n', 'o', 't', ' ', 'a', 'u', 'd', 'i', 'o'})).build(),
                RecognizeRequest.newBuilder().setConfig(RivaClient.pcm16k().setLanguageCode("tlh"))
                        .setAudio(ByteString.copyFrom(file)).build())) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.blocking.recognize(bad));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.toString());
        }
    }

    String enginesOwnTranscript(short[] pcm) throws Exception {
        return enginesOwnTranscript(pcm, StreamSpec.live("en-US", null, "reference"));
    }

    /** The engine's own stream on the same samples, in 100 ms pieces: its finals joined. */
    String enginesOwnTranscript(short[] pcm, StreamSpec settings) throws Exception {
        List<String> finals = new ArrayList<>();
        CountDownLatch finished = new CountDownLatch(1);
        try (RecognitionStream stream = engine.openStream(settings,
                new RecognitionListener() {
                    @Override
                    public void onPartial(Utterance partial) {
                    }

                    @Override
                    public void onFinal(Utterance u) {
                        if (!u.text().isBlank()) finals.add(u.text().strip());
                    }

                    @Override
                    public void onFinished() {
                        finished.countDown();
                    }
                })) {
            float[] all = WavFile.toFloat(pcm);
            for (int off = 0; off < all.length; off += 1_600) {
                stream.acceptAwaiting(all, off, Math.min(1_600, all.length - off));
            }
            stream.finish();
            assertTrue(finished.await(120, TimeUnit.SECONDS));
        }
        return String.join(" ", String.join(" ", finals).split("\\s+"));
    }

    static byte[] pcmBytes(short[] samples) {
        ByteBuffer b = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : samples) b.putShort(s);
        return b.array();
    }

    static String reference(String clip) throws Exception {
        Matcher m = Pattern.compile("<s>(.*)</s>\\s*\\(" + PREFIX + clip + "\\)")
                .matcher(Files.readString(LIBRIVOX.resolve("transcription")));
        assertTrue(m.find());
        return m.group(1).trim();
    }
}
