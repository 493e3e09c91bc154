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
 * End to end with real senders and the real recogniser: {@code POST /v1/calls {"rtp": {...}}}, ffmpeg streams two
 * LibriVox clips as RTP to the port the server returns, the server's RTP receiver decodes them and the sphinx engine
 * transcribes the call. The reference is the same server and engine given the source WAV's samples directly (an
 * adapter pushing the file's PCM into a call), so the only difference is the RTP path: lossless L16 must give the
 * same words, Opus at 32 kbit/s words close to them.
 */
class RtpToSphinxTest {
    static final Path DIR = Path.of("/usr/share/pocketsphinx/test/data/librivox");
    static final String[] CLIPS = {"sense_and_sensibility_01_austen_64kb-0870", "sense_and_sensibility_01_austen_64kb-0920"};

    AsrServer server;
    Http http;

    @BeforeEach
    void start() throws Exception {
        ExternalTools.require("ffmpeg");
        RequiredTools.file(Path.of("/usr/share/pocketsphinx/model/en-us"), "pocketsphinx-en-us");
        for (String c : CLIPS) RequiredTools.file(DIR.resolve(c + ".wav"), "pocketsphinx-testdata");
        // The machine's cores are shared: generous buffers and timeouts so that a slow recogniser catches up instead
        // of dropping audio (what live calls do when the engine falls behind; not what is under test here).
        server = AsrServer.start(TestServers.config(Map.of("asr.engine.name", "sphinx",
                "asr.engine.stream-buffer", "60s", "asr.calls.finish-timeout", "120s", "asr.media.rtp.queue", "20s")));
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
        String l16 = transcribeOverRtp("l16", "{\"codec\":\"L16\",\"payloadType\":96,\"sampleRate\":16000}",
                "-ar", "16000", "-c:a", "pcm_s16be", "-packetsize", "652", "-payload_type", "96");
        String opus = transcribeOverRtp("opus", "{\"codec\":\"opus\",\"payloadType\":111}",
                "-c:a", "libopus", "-b:a", "32k", "-payload_type", "111");
        String truth = truth();
        double l16Wer = WordErrorRate.score(reference, l16).rate();
        double opusWer = WordErrorRate.score(reference, opus).rate();
        System.out.printf("sphinx through the server:%n  source samples : %s%n  RTP L16/16000  : %s%n"
                + "  RTP Opus 32k   : %s%n  WER vs the source samples' text: L16 %.3f, Opus %.3f; vs the reference"
                + " transcription: source %.3f, L16 %.3f, Opus %.3f%n", reference, l16, opus, l16Wer, opusWer,
                WordErrorRate.score(truth, reference).rate(), WordErrorRate.score(truth, l16).rate(),
                WordErrorRate.score(truth, opus).rate());
        System.out.println("media drops: " + server.mediaMetrics().drops());
        assertTrue(WordErrorRate.words(reference).size() > 20, "the source was transcribed: " + reference);
        assertTrue(l16Wer <= 0.05, "lossless RTP gives the source's words: WER " + l16Wer);
        assertTrue(opusWer <= 0.35, "Opus over RTP stays close to the source's words: WER " + opusWer);
    }

    /** The reference: the clips' samples pushed straight into a call, as one participant, 20 ms at a time. */
    private String transcribeSourceSamples() throws Exception {
        List<String> finals = new CopyOnWriteArrayList<>();
        TranscriptListener listener = e -> {
            if (e.isFinal() && !e.text().isBlank()) finals.add(e.text());
        };
        try (CallHandle call = server.calls().openCall(CallSpec.of("source", "test"), listener)) {
            ParticipantAudio p = call.openParticipant(ParticipantSpec.of("rtp"));
            long t = 0;
            List<short[]> parts = new ArrayList<>();
            for (String clip : CLIPS) parts.add(WavFile.read(DIR.resolve(clip + ".wav")).mono());
            parts.add(new short[32_000]); // the 2 s of padding the RTP senders add
            for (short[] pcm : parts) {
                for (int off = 0; off < pcm.length; off += 320) {
                    short[] f = java.util.Arrays.copyOfRange(pcm, off, Math.min(pcm.length, off + 320));
                    p.push(PcmFrame.audio(f, t));
                    t += f.length;
                }
            }
        }
        server.calls().find("source").ifPresent(c -> c.ended().join());
        return String.join(" ", finals);
    }

    /** Creates a call with an RTP port, streams the clips to it with ffmpeg, ends the call, returns its finals. */
    private String transcribeOverRtp(String callId, String rtp, String... codecArgs) throws Exception {
        Http.Reply created = http.post("/v1/calls", "{\"callId\":\"" + callId + "\",\"rtp\":" + rtp + "}");
        assertEquals(201, created.status(), created.body());
        int port = created.json().get("rtpPort").asInt();
        List<String> finals = new CopyOnWriteArrayList<>();
        server.calls().find(callId).orElseThrow().addListener((TranscriptEvent e) -> {
            if (e.isFinal() && !e.text().isBlank()) finals.add(e.text());
        });
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin",
                "-readrate", "2", "-i", DIR.resolve(CLIPS[0] + ".wav").toString(), "-i",
                DIR.resolve(CLIPS[1] + ".wav").toString(), "-filter_complex",
                "[0][1]concat=n=2:v=0:a=1,apad=pad_dur=2", "-ac", "1"));
        cmd.addAll(List.of(codecArgs));
        cmd.addAll(List.of("-f", "rtp", "rtp://127.0.0.1:" + port));
        ExternalTools.run(120, cmd.toArray(String[]::new));
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
