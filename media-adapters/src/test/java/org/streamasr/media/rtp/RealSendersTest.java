package org.streamasr.media.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.media.MediaMetrics;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.PcmFrame;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.codec.CodecSpec;
import org.streamasr.media.opus.OpusFrameDecoder;
import org.streamasr.media.pipeline.MediaExecutors;
import org.streamasr.media.wav.WavFile;
import org.streamasr.testing.ExternalTools;
import org.streamasr.testing.LeakCheckExtension;
import org.streamasr.testing.RecordingCallSink;
import org.streamasr.testing.RequiredTools;
import org.streamasr.testing.SignalMetrics;

/**
 * Real senders (ffmpeg, GStreamer; Opus and PCMU) stream a recorded LibriVox clip as RTP to our UDP receiver; the PCM
 * that comes out must match the source. Senders run at 4x real time (packets still paced) except through the
 * impairment proxy, which needs real time for its jitter to mean anything. ffmpeg's input is padded with 1.5 s of
 * silence because its paced reading ({@code -readrate}) can cut the end of a file short.
 */
class RealSendersTest {
    static final Path CLIP = Path.of("/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0880.wav");
    static final double PAD_SECONDS = 1.5;
    /** This machine's cores are shared with other builds: a longer hand-off queue rides out scheduling stalls. */
    static final RtpStreamConfig TOLERANT = new RtpStreamConfig(java.time.Duration.ofMillis(100), GapPolicy.DEFAULT,
            java.time.Duration.ofSeconds(5));

    final MediaMetrics metrics = new MediaMetrics();
    final MediaExecutors executors = MediaExecutors.create(2);
    RtpEndpoints rtp;

    @TempDir
    Path dir;

    @BeforeAll
    static void track() {
        LeakCheckExtension.track("opus decoders", OpusFrameDecoder::openCount);
    }

    @AfterEach
    void tearDown() {
        if (rtp != null) rtp.close();
        executors.close();
    }

    static short[] source() throws Exception {
        RequiredTools.file(CLIP, "pocketsphinx-testdata");
        WavFile w = WavFile.read(CLIP);
        assertEquals(16_000, w.sampleRate());
        return w.mono();
    }

    /** What came out of one participant after a sender ran to completion. */
    record Received(short[] pcm, RtpStreamStats stats, JitterBuffer.Stats jitter, RecordingCallSink.Participant participant) {
    }

    /** Opens an endpoint, runs {@code sender} (with {@code PORT} replaced), waits for the audio, closes. */
    Received receive(RtpEndpointSpec spec, String... sender) throws Exception {
        if (rtp == null) rtp = new RtpEndpoints(RtpEndpoints.Config.ephemeral(), executors, metrics);
        RecordingCallSink.Call call = RecordingCallSink.call("real-sender");
        RtpEndpoint ep = rtp.open(spec.withParticipants(ParticipantResolver.single(ParticipantSpec.of("caller")))
                .withStream(TOLERANT), call, RtpEndpoint.Listener.NONE);
        runSender(ep.localPort(), sender);
        RecordingCallSink.await(5000, "audio from the sender", () -> call.participantIds().contains("caller"));
        RtpStream stream = ep.streams().get("caller");
        awaitQuiet(call.participant("caller"));
        ep.close();
        RecordingCallSink.Participant p = call.participant("caller");
        return new Received(p.contiguousSamples(), stream.stats(), stream.jitterStats(), p);
    }

    void runSender(int port, String... sender) throws Exception {
        List<String> cmd = new ArrayList<>();
        for (String s : sender) cmd.add(s.replace("PORT", String.valueOf(port)));
        ExternalTools.run(60, cmd.toArray(String[]::new));
    }

    /** Waits until no new frame has arrived for 400 ms (the jitter buffer and queue have drained). */
    static void awaitQuiet(RecordingCallSink.Participant p) throws InterruptedException {
        int last = -1;
        long stableSince = System.nanoTime();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            int n = p.frames().size();
            if (n != last) {
                last = n;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > 400_000_000L) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    static String[] ffmpeg(String readrate, String... codecArgs) {
        List<String> c = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin",
                "-readrate", readrate, "-i", CLIP.toString(), "-af", "apad=pad_dur=" + PAD_SECONDS, "-ac", "1"));
        c.addAll(List.of(codecArgs));
        c.addAll(List.of("-f", "rtp", "rtp://127.0.0.1:PORT"));
        return c.toArray(String[]::new);
    }

    SignalMetrics.Alignment compare(String what, short[] source, Received r) {
        SignalMetrics.Alignment a = SignalMetrics.align(source, r.pcm(), 4000);
        double seconds = r.pcm().length / 16_000.0;
        System.out.printf("%s: %.3f s out for %.3f s in (+%.1f s pad); vs source %s; %s; jitter buffer %s; drops %s%n",
                what, seconds, source.length / 16_000.0, PAD_SECONDS, a, r.stats(), r.jitter(), metrics.drops());
        double expected = source.length / 16_000.0 + PAD_SECONDS;
        assertTrue(Math.abs(seconds - expected) < 0.12, what + ": duration " + seconds + " s, expected " + expected);
        return a;
    }

    @Test
    void ffmpegOpus() throws Exception {
        ExternalTools.require("ffmpeg");
        short[] src = source();
        // as a user does it: POST /v1/calls {"rtp": {"codec": "opus"}} and ffmpeg's own payload type (97)
        Received r = receive(RtpEndpointSpec.forRequest("opus", null, null, null),
                ffmpeg("4", "-c:a", "libopus", "-b:a", "32k"));
        SignalMetrics.Alignment a = compare("ffmpeg RTP/Opus 32 kbit/s", src, r);
        assertTrue(a.correlation() > 0.9, a.toString());
        assertEquals(0, r.participant().samplesOf(PcmFrame.Kind.CONCEALED), "loopback loses nothing");
    }

    @Test
    void ffmpegPcmuMatchesFfmpegsOwnDecodeAndResample() throws Exception {
        ExternalTools.require("ffmpeg");
        short[] src = source();
        Received r = receive(RtpEndpointSpec.forRequest("PCMU", 0, null, null),
                ffmpeg("4", "-ar", "8000", "-c:a", "pcm_mulaw", "-packetsize", "172"));
        SignalMetrics.Alignment a = compare("ffmpeg RTP/PCMU", src, r);
        // the same audio through ffmpeg alone: to µ-law 8 kHz and back to 16 kHz (its default resampler)
        ExternalTools.run(60, "ffmpeg", "-hide_banner", "-loglevel", "error", "-i", CLIP.toString(), "-ar", "8000",
                "-c:a", "pcm_mulaw", "-f", "wav", "-y", dir.resolve("mulaw.wav").toString());
        SignalMetrics.Alignment vsFfmpeg = SignalMetrics.align(ffmpegDecodeTo16k(dir.resolve("mulaw.wav")), r.pcm(), 4000);
        System.out.printf("ffmpeg RTP/PCMU: vs ffmpeg's own µ-law decode + resample to 16 kHz: %s%n", vsFfmpeg);
        assertTrue(a.correlation() > 0.95, "vs the wide-band source: " + a);
        assertTrue(vsFfmpeg.snrDb() > 25, "vs ffmpeg's decode of the same bits: " + vsFfmpeg);
    }

    @Test
    void gstreamerOpus() throws Exception {
        ExternalTools.require("gst-launch-1.0");
        short[] src = source();
        // identity sleep-time paces the 20 ms buffers at 4x real time
        Received r = receive(RtpEndpointSpec.forRequest("opus", 111, null, null), "gst-launch-1.0", "-q", "filesrc",
                "location=" + CLIP, "!", "wavparse", "!", "audioconvert", "!", "audioresample", "!", "opusenc",
                "bitrate=32000", "!", "rtpopuspay", "pt=111", "!", "identity", "sleep-time=5000", "!", "udpsink",
                "host=127.0.0.1", "port=PORT", "sync=false");
        SignalMetrics.Alignment a = SignalMetrics.align(src, r.pcm(), 4000);
        double seconds = r.pcm().length / 16_000.0;
        System.out.printf("GStreamer rtpopuspay: %.3f s out for %.3f s in; vs source %s; %s%n", seconds,
                src.length / 16_000.0, a, r.stats());
        assertTrue(Math.abs(seconds - src.length / 16_000.0) < 0.1, "duration " + seconds);
        assertTrue(a.correlation() > 0.9, a.toString());
    }

    /**
     * GStreamer's µ-law payloader ({@code mulawenc ! rtppcmupay}, 20 ms packets as phones send them), checked as the
     * ffmpeg PCMU test is: duration, correlation with the wide-band source, and SNR against ffmpeg's decode and
     * resampling of the very µ-law bytes GStreamer sent (a tee writes them to a file).
     */
    @Test
    void gstreamerPcmuMatchesFfmpegsDecodeOfTheSameBits() throws Exception {
        ExternalTools.require("gst-launch-1.0");
        ExternalTools.require("ffmpeg");
        short[] src = source();
        Path sent = dir.resolve("gst-mulaw.wav");
        Received r = receive(RtpEndpointSpec.forRequest("PCMU", 0, null, null), "gst-launch-1.0", "-q", "filesrc",
                "location=" + CLIP, "!", "wavparse", "!", "audioconvert", "!", "audioresample", "!",
                "audio/x-raw,rate=8000,channels=1", "!", "mulawenc", "!", "tee", "name=t", "!", "queue", "!",
                "rtppcmupay", "pt=0", "min-ptime=20000000", "max-ptime=20000000", "!", "identity", "sleep-time=5000",
                "!", "udpsink", "host=127.0.0.1", "port=PORT", "sync=false",
                "t.", "!", "queue", "!", "wavenc", "!", "filesink", "location=" + sent);
        SignalMetrics.Alignment a = SignalMetrics.align(src, r.pcm(), 4000);
        double seconds = r.pcm().length / 16_000.0;
        SignalMetrics.Alignment vsFfmpeg = SignalMetrics.align(ffmpegDecodeTo16k(sent), r.pcm(), 4000);
        System.out.printf("GStreamer rtppcmupay: %.3f s out for %.3f s in; vs source %s; vs ffmpeg's decode + resample"
                + " of the same µ-law: %s; %s; jitter buffer %s; drops %s%n", seconds, src.length / 16_000.0, a,
                vsFfmpeg, r.stats(), r.jitter(), metrics.drops());
        assertTrue(Math.abs(seconds - src.length / 16_000.0) < 0.1, "duration " + seconds);
        assertTrue(a.correlation() > 0.95, "vs the wide-band source: " + a);
        assertTrue(vsFfmpeg.snrDb() > 25, "vs ffmpeg's decode of the same bits: " + vsFfmpeg);
        assertEquals(0, r.participant().samplesOf(PcmFrame.Kind.CONCEALED), "loopback loses nothing");
    }

    /** A µ-law (or any) WAV decoded and resampled to 16 kHz by ffmpeg alone (its default resampler). */
    short[] ffmpegDecodeTo16k(Path wav) throws Exception {
        Path ref = dir.resolve(wav.getFileName() + "-16k.wav");
        ExternalTools.run(60, "ffmpeg", "-hide_banner", "-loglevel", "error", "-i", wav.toString(), "-ar", "16000",
                "-c:a", "pcm_s16le", "-y", ref.toString());
        return WavFile.read(ref).mono();
    }

    /** LibriVox clips of the test data, read one after the other: 18.5 s of speech. */
    static final String[] LONG_CLIPS = {"sense_and_sensibility_01_austen_64kb-0870.wav",
        "sense_and_sensibility_01_austen_64kb-0920.wav", "sense_and_sensibility_01_austen_64kb-0890.wav"};

    /** The long clips written as one 16 kHz WAV under the test's directory; returns its samples. */
    short[] longSource(Path wav) throws Exception {
        source(); // skips when the test data is missing
        short[] all = new short[0];
        for (String c : LONG_CLIPS) {
            short[] x = WavFile.read(CLIP.resolveSibling(c)).mono();
            all = java.util.Arrays.copyOf(all, all.length + x.length);
            System.arraycopy(x, 0, all, all.length - x.length, x.length);
        }
        new WavFile(16_000, 1, all).write(wav);
        return all;
    }

    /**
     * GStreamer (Opus with in-band FEC, paced in real time) through a UDP relay that drops 10%, reorders 5% and
     * delays by up to 40 ms (seeded), for 18.5 s of speech (over 900 packets, so that the rates mean something): the
     * output is continuous (media times contiguous) and as long as the source; the relay's loss and reorder rates are
     * the configured ones; every dropped packet is a hole the receiver saw and filled (FEC, concealment, silence:
     * exactly 20 ms each), reordered packets are put back rather than lost; the receiver's interarrival jitter
     * estimate (RFC 3550) reflects the relay's uniform 0-40 ms delay, whose expected |D| is 13.3 ms.
     */
    @Test
    void impairedNetworkStillYieldsContinuousAudio() throws Exception {
        ExternalTools.require("gst-launch-1.0");
        Path wav = dir.resolve("long.wav");
        short[] src = longSource(wav);
        assertTrue(src.length >= 15 * 16_000, "at least 15 s of speech");
        rtp = new RtpEndpoints(RtpEndpoints.Config.ephemeral(), executors, metrics);
        RecordingCallSink.Call call = RecordingCallSink.call("impaired");
        RtpEndpoint ep = rtp.open(RtpEndpointSpec.forRequest("opus", 111, null, null)
                .withParticipants(ParticipantResolver.single(ParticipantSpec.of("caller"))).withStream(TOLERANT), call,
                RtpEndpoint.Listener.NONE);
        ImpairmentProxy.Stats proxyStats;
        try (ImpairmentProxy proxy = new ImpairmentProxy(ep.localPort(), 0.10, 0.05, 40, 1234)) {
            proxy.start();
            runSender(proxy.port(), "gst-launch-1.0", "-q", "filesrc", "location=" + wav, "!", "wavparse", "!",
                    "audioconvert", "!", "audioresample", "!", "opusenc", "bitrate=32000", "inband-fec=true",
                    "packet-loss-percentage=10", "!", "rtpopuspay", "pt=111", "!", "udpsink", "host=127.0.0.1",
                    "port=PORT", "sync=true");
            proxy.awaitIdle();
            proxyStats = proxy.stats();
        }
        RtpStream stream = ep.streams().get("caller");
        awaitQuiet(call.participant("caller"));
        ep.close();
        RecordingCallSink.Participant p = call.participant("caller");
        RtpStreamStats st = stream.stats();
        JitterBuffer.Stats js = stream.jitterStats();
        short[] pcm = p.contiguousSamples(); // throws unless media times are contiguous
        SignalMetrics.Alignment a = SignalMetrics.align(src, pcm, 4000);
        double seconds = pcm.length / 16_000.0;
        double dropRate = proxyStats.dropped() / (double) proxyStats.received();
        double reorderRate = proxyStats.reordered() / (double) proxyStats.received();
        System.out.printf("GStreamer RTP/Opus+FEC through the impairment proxy %s (drop %.3f, reorder %.3f): %.3f s out"
                + " for %.3f s in; vs source %s; %s; jitter buffer %s; drops %s%n", proxyStats, dropRate, reorderRate,
                seconds, src.length / 16_000.0, a, st, js, metrics.drops());
        assertTrue(Math.abs(seconds - src.length / 16_000.0) < 0.1, "duration " + seconds);
        assertTrue(proxyStats.received() >= 900, "18.5 s of 20 ms packets: " + proxyStats);
        // ±4 standard deviations of a binomial over ~920 packets: about ±3% for the drops, ±2.5% for reordering
        assertEquals(0.10, dropRate, 0.03, "the relay dropped its 10%: " + proxyStats);
        assertEquals(0.05 * (1 - 0.10), reorderRate, 0.025, "the relay reordered its 5% of what it kept: " + proxyStats);
        assertTrue(js.lost() >= proxyStats.dropped() - 2, "every dropped packet is a hole the receiver saw (but the"
                + " very first and last, which leave none): " + js + " vs " + proxyStats);
        assertTrue(js.lost() <= proxyStats.dropped() + proxyStats.reordered() / 2,
                "reordering repaired by the jitter buffer, not lost: " + js + " vs " + proxyStats);
        assertTrue(js.lost() > 0 && p.samplesOf(PcmFrame.Kind.CONCEALED) > 0, "losses were concealed and counted");
        long filled = st.concealedMillis() + st.fecRecoveredMillis() + st.silenceMillis();
        assertEquals(20 * js.lost(), filled, 25, "every lost packet's 20 ms was filled: " + st);
        assertTrue(st.fecRecoveredMillis() > 0, "isolated losses recovered from the next packet's FEC: " + st);
        assertTrue(js.jitterMillis() > 5 && js.jitterMillis() < 35,
                "interarrival jitter from the relay's 0-40 ms delay (13.3 ms expected, plus scheduling): " + js);
        assertTrue(a.correlation() > 0.9, "FEC and concealment keep the speech: " + a);
    }

    @Test
    void ariExternalMediaFormatsAsAsteriskSendsThem() throws Exception {
        ExternalTools.require("ffmpeg");
        short[] src = source();
        String[][] cases = {
            {"ulaw", "-ar", "8000", "-c:a", "pcm_mulaw", "-packetsize", "172", "-payload_type", "0"},
            {"slin16", "-ar", "16000", "-c:a", "pcm_s16be", "-packetsize", "652", "-payload_type", "118"},
            {"g722", "-ar", "16000", "-c:a", "g722", "-packetsize", "172", "-payload_type", "9"},
        };
        for (String[] c : cases) {
            String format = c[0];
            String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            Received r = receive(AriExternalMedia.spec(format, ParticipantSpec.of("caller")), ffmpeg("4", args));
            SignalMetrics.Alignment a = compare("ARI externalMedia " + format + " (as ffmpeg sends it)", src, r);
            double min = format.equals("ulaw") ? 0.95 : 0.99;
            assertTrue(a.correlation() > min, format + ": " + a);
            if (format.equals("slin16")) assertTrue(a.snrDb() > 60, "L16 is lossless: " + a);
        }
        assertEquals(CodecSpec.l16(48_000, 1), AriExternalMedia.codecFor("slin48"));
        assertEquals(CodecSpec.of(AudioCodec.PCMA), AriExternalMedia.codecFor("alaw"));
    }
}
