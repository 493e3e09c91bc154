package org.streamasr.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.streamasr.media.CallHandle;
import org.streamasr.media.CallSpec;
import org.streamasr.media.ParticipantAudio;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.TranscriptEvent;
import org.streamasr.media.TranscriptListener;
import org.streamasr.media.wav.WavFile;
import org.streamasr.server.AsrServer;
import org.streamasr.testing.ExternalTools;
import org.streamasr.testing.Http;
import org.streamasr.testing.TestServers;
import org.streamasr.testing.WordErrorRate;
import org.streamasr.testing.RequiredTools;

/**
 * End to end with real senders and the real recogniser: {@code POST /v1/calls {"rtp": {...}}}, ffmpeg or GStreamer
 * streams two LibriVox clips as RTP to the port the server returns, the server's RTP receiver decodes them and the
 * sphinx engine transcribes the call. The reference is the same server and engine given the source WAV's samples
 * directly (an adapter pushing the file's PCM into a call), so the only difference is the RTP path: lossless L16 must
 * give the same words; Opus at 32 kbit/s (ffmpeg's and GStreamer's encoders) words close to them; PCMU, whose 8 kHz
 * band costs sphinx most words by itself, words close to the source put through µ-law by ffmpeg alone.
 */
class RtpToSphinxTest {
    static final Path DIR = Path.of("/usr/share/pocketsphinx/test/data/librivox");
    static final String[] CLIPS = {"sense_and_sensibility_01_austen_64kb-0870", "sense_and_sensibility_01_austen_64kb-0920"};

    AsrServer server;
    Http http;

    @BeforeEach
    void start() throws Exception {
        ExternalTools.require("ffmpeg");
        ExternalTools.require("gst-launch-1.0");
        RequiredTools.file(Path.of("/usr/share/pocketsphinx/model/en-us"), "pocketsphinx-en-us");
        for (String c : CLIPS) RequiredTools.file(DIR.resolve(c + ".wav"), "pocketsphinx-testdata");
        // The machine's cores are shared: generous buffers and timeouts so that a slow recogniser catches up instead
        // of dropping audio (what live calls do when the engine falls behind; not what is under test here). Idle
        // finalisation is off for the same reason: a sender starved of CPU for 1.5 s looks like a muted participant,
        // and the silence fed then splits an utterance (a CI run lost 5 of the L16 call's 40 words that way).
        server = AsrServer.start(TestServers.config(Map.of("asr.engine.name", "sphinx",
                "asr.engine.stream-buffer", "60s", "asr.calls.finish-timeout", "120s", "asr.media.rtp.queue", "20s",
                "asr.calls.participant-idle-finalize", "0")));
        http = new Http(server.baseUri());
    }

    @AfterEach
    void stop() {
        if (http != null) http.close();
        if (server != null) server.close();
    }

    @Test
    void rtpIsRecognisedAsTheSourceSamplesAre() throws Exception {
        String reference = transcribeSourceSamples();
        String narrowband = transcribeSamples("source-mulaw", sourceThroughMulaw());
        String l16 = transcribeOverRtp("l16", "{\"codec\":\"L16\",\"payloadType\":96,\"sampleRate\":16000}",
                ffmpeg("-ar", "16000", "-c:a", "pcm_s16be", "-packetsize", "652", "-payload_type", "96"));
        String opus = transcribeOverRtp("opus", "{\"codec\":\"opus\",\"payloadType\":111}",
                ffmpeg("-c:a", "libopus", "-b:a", "32k", "-payload_type", "111"));
        String pcmu = transcribeOverRtp("pcmu", "{\"codec\":\"PCMU\",\"payloadType\":0}",
                ffmpeg("-ar", "8000", "-c:a", "pcm_mulaw", "-packetsize", "172", "-payload_type", "0"));
        String gstOpus = transcribeOverRtp("gst-opus", "{\"codec\":\"opus\"}", gstreamerOpus());
        String truth = truth();
        Map<String, String> heard = new java.util.LinkedHashMap<>();
        heard.put("source via µ-law (no RTP)", narrowband);
        heard.put("RTP L16/16000 (ffmpeg)", l16);
        heard.put("RTP Opus 32k (ffmpeg)", opus);
        heard.put("RTP PCMU (ffmpeg)", pcmu);
        heard.put("RTP Opus 32k (GStreamer)", gstOpus);
        StringBuilder report = new StringBuilder(String.format("sphinx through the server:%n  %-26s: %s%n",
                "source samples", reference));
        Map<String, Double> wer = new java.util.LinkedHashMap<>();
        heard.forEach((what, text) -> {
            wer.put(what, WordErrorRate.score(reference, text).rate());
            report.append(String.format("  %-26s: %s%n", what, text));
        });
        report.append(String.format("  WER vs the source samples' text: %s; vs the reference transcription: source %.3f%s",
                wer, WordErrorRate.score(truth, reference).rate(), heard.entrySet().stream()
                        .map(e -> String.format(", %s %.3f", e.getKey(), WordErrorRate.score(truth, e.getValue()).rate()))
                        .reduce("", String::concat)));
        System.out.println(report);
        System.out.println("media drops: " + server.mediaMetrics().drops() + "; counters: "
                + server.mediaMetrics().counters());
        assertTrue(WordErrorRate.words(reference).size() > 20, "the source was transcribed: " + reference);
        // DELETE comes right after the sender's last packet: what the RTP streams still held is played out first
        assertEquals(Map.of(), server.mediaMetrics().drops().get("calls"), "no audio reached a call after its end");
        assertTrue(wer.get("RTP L16/16000 (ffmpeg)") <= 0.05, "lossless RTP gives the source's words: " + wer);
        // Broken audio (silence, noise, the wrong rate, codec or byte order, lost packets) scores a WER of 1 or more
        // (nothing recognised, or words that are not there). The coded paths lose some words to the codec: Opus at
        // 32 kbit/s a few; G.711 many, because sphinx's 16 kHz model hears its 4 kHz band as muffled speech: the
        // source through µ-law by ffmpeg alone, no RTP, already scores about 0.75. So PCMU is held to two bounds: below
        // broken audio against the source's words, and close to that µ-law reference, which only the RTP path
        // (packets, G.711 decoder, jitter buffer, our resampler instead of ffmpeg's) separates it from.
        assertTrue(wer.get("RTP Opus 32k (ffmpeg)") <= 0.35, "Opus over RTP stays close to the source's words: " + wer);
        assertTrue(wer.get("RTP Opus 32k (GStreamer)") <= 0.35, "GStreamer's Opus too: " + wer);
        assertTrue(wer.get("RTP PCMU (ffmpeg)") <= 0.9, "µ-law over RTP is recognised, not broken: " + wer);
        double pcmuVsMulaw = WordErrorRate.score(narrowband, pcmu).rate();
        System.out.printf("  RTP PCMU vs the source through µ-law without RTP: WER %.3f%n", pcmuVsMulaw);
        assertTrue(WordErrorRate.words(narrowband).size() > 10, "the µ-law reference was transcribed: " + narrowband);
        // 0.27-0.36 seen: sphinx's guesses on the muffled first sentence differ between our resampler's samples and
        // ffmpeg's, and from run to run; the words it does hear clearly it hears in both
        assertTrue(pcmuVsMulaw <= 0.5, "µ-law over RTP is heard as µ-law without RTP is: WER " + pcmuVsMulaw);
    }

    /** ffmpeg reads both clips at twice real time, one after the other, with 2 s of silence after, and sends RTP. */
    private static List<String> ffmpeg(String... codecArgs) {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin",
                "-readrate", "2", "-i", DIR.resolve(CLIPS[0] + ".wav").toString(), "-i",
                DIR.resolve(CLIPS[1] + ".wav").toString(), "-filter_complex",
                "[0][1]concat=n=2:v=0:a=1,apad=pad_dur=2", "-ac", "1"));
        cmd.addAll(List.of(codecArgs));
        cmd.addAll(List.of("-f", "rtp", "rtp://127.0.0.1:PORT"));
        return cmd;
    }

    /**
     * GStreamer's Opus encoder and payloader (its default dynamic payload type 96, which the call takes without a
     * payloadType) on the same audio: the clips and 2 s of silence written as one WAV, paced at twice real time.
     */
    private List<String> gstreamerOpus() throws Exception {
        Path wav = Files.createTempFile("rtp-to-sphinx", ".wav");
        wav.toFile().deleteOnExit();
        new WavFile(16_000, 1, sourceSamples()).write(wav);
        return List.of("gst-launch-1.0", "-q", "filesrc", "location=" + wav, "!", "wavparse", "!", "audioconvert", "!",
                "audioresample", "!", "opusenc", "bitrate=32000", "!", "rtpopuspay", "!", "identity",
                "sleep-time=10000", "!", "udpsink", "host=127.0.0.1", "port=PORT", "sync=false");
    }

    /** Both clips and the 2 s of silence the senders add, as one 16 kHz signal. */
    private static short[] sourceSamples() throws Exception {
        short[] all = new short[0];
        for (String clip : CLIPS) {
            short[] x = WavFile.read(DIR.resolve(clip + ".wav")).mono();
            all = java.util.Arrays.copyOf(all, all.length + x.length);
            System.arraycopy(x, 0, all, all.length - x.length, x.length);
        }
        return java.util.Arrays.copyOf(all, all.length + 32_000);
    }

    /** The reference: the clips' samples pushed straight into a call, as one participant, 20 ms at a time. */
    private String transcribeSourceSamples() throws Exception {
        return transcribeSamples("source", sourceSamples());
    }

    /** Samples pushed straight into a call named {@code callId}, as one participant, 20 ms at a time. */
    private String transcribeSamples(String callId, short[] pcm) throws Exception {
        List<String> finals = new CopyOnWriteArrayList<>();
        TranscriptListener listener = e -> {
            if (e.isFinal() && !e.text().isBlank()) finals.add(e.text());
        };
        try (CallHandle call = server.calls().openCall(CallSpec.of(callId, "test"), listener)) {
            ParticipantAudio p = call.openParticipant(ParticipantSpec.of("rtp"));
            for (int off = 0; off < pcm.length; off += 320) {
                p.push(PcmFrame.audio(java.util.Arrays.copyOfRange(pcm, off, Math.min(pcm.length, off + 320)), off));
            }
        }
        server.calls().find(callId).ifPresent(c -> c.ended().join());
        return String.join(" ", finals);
    }

    /** The source through µ-law at 8 kHz and back to 16 kHz by ffmpeg alone: what PCMU leaves of it, without RTP. */
    private static short[] sourceThroughMulaw() throws Exception {
        Path src = Files.createTempFile("rtp-to-sphinx-src", ".wav");
        Path mulaw = Files.createTempFile("rtp-to-sphinx-mulaw", ".wav");
        Path back = Files.createTempFile("rtp-to-sphinx-back", ".wav");
        try {
            new WavFile(16_000, 1, sourceSamples()).write(src);
            ExternalTools.run(60, "ffmpeg", "-hide_banner", "-loglevel", "error", "-i", src.toString(), "-ar", "8000",
                    "-c:a", "pcm_mulaw", "-f", "wav", "-y", mulaw.toString());
            ExternalTools.run(60, "ffmpeg", "-hide_banner", "-loglevel", "error", "-i", mulaw.toString(), "-ar", "16000",
                    "-c:a", "pcm_s16le", "-y", back.toString());
            return WavFile.read(back).mono();
        } finally {
            Files.deleteIfExists(src);
            Files.deleteIfExists(mulaw);
            Files.deleteIfExists(back);
        }
    }

    /** Creates a call with an RTP port, runs the sender (PORT replaced) to it, ends the call, returns its finals. */
    private String transcribeOverRtp(String callId, String rtp, List<String> sender) throws Exception {
        Http.Reply created = http.post("/v1/calls", "{\"callId\":\"" + callId + "\",\"rtp\":" + rtp + "}");
        assertEquals(201, created.status(), created.body());
        int port = created.json().get("rtpPort").asInt();
        List<String> finals = new CopyOnWriteArrayList<>();
        server.calls().find(callId).orElseThrow().addListener((TranscriptEvent e) -> {
            if (e.isFinal() && !e.text().isBlank()) finals.add(e.text());
        });
        ExternalTools.run(120, sender.stream().map(a -> a.replace("PORT", String.valueOf(port))).toArray(String[]::new));
        Http.Reply deleted = http.delete("/v1/calls/" + callId);
        assertTrue(deleted.status() / 100 == 2, deleted.body());
        server.calls().find(callId).ifPresent(c -> c.ended().join());
        return String.join(" ", finals);
    }

    private static String truth() throws Exception {
        List<String> lines = Files.readAllLines(DIR.resolve("transcription"));
        StringBuilder sb = new StringBuilder();
        for (String clip : CLIPS) {
            for (String l : lines) {
                if (l.contains("(" + clip + ")")) {
                    sb.append(l.replaceAll("</?s>", "").replaceAll("\\(.*\\)", "")).append(' ');
                }
            }
        }
        return sb.toString().trim();
    }
}
