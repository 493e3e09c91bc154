package org.streamasr.tools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.streamasr.tools.demo.DemoCall;
import org.streamasr.tools.demo.DemoConversation;
import org.streamasr.tools.scoring.WordErrors;
import org.streamasr.server.AsrServer;
import org.streamasr.server.ConfigLoader;
import org.streamasr.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.streamasr.cli.CaptionPrinter;
import org.streamasr.cli.ServerLogLevel;

/**
 * {@code bin/asr demo}: a demo call transcribed end to end. Starts the server in-process on the configured engine
 * (sphinx by default), then two participants read LibriVox clips through the MEDIAJSON endpoint exactly as a Jitsi
 * bridge sends them (stereo Opus RTP payloads in JSON over WebSocket), while a caption subscriber prints the live
 * captions as they arrive; ends with a summary (what was said, what was recognised, word error rate).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Transcribes a demo call end to end and prints the live captions and a summary.",
                "Two participants read LibriVox clips, sent as a Jitsi bridge sends them (MEDIAJSON, stereo Opus); "
                        + "a caption subscriber prints what it receives; the summary gives the word error rate."})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--port", paramLabel = "PORT", description = "server port (default: a free one)")
    int port;

    @Option(names = "--speed", paramLabel = "X", description = "send audio this many times faster than real time (default 1)")
    double speed = 1.0;

    @Option(names = "--clips", paramLabel = "DIR", description = "LibriVox clips with a transcription file "
            + "(default: Debian's pocketsphinx-testdata)")
    Path clips = DemoConversation.DEBIAN_CLIPS;

    @Option(names = "--turns", paramLabel = "N", description = "clips read, alternating speakers (default 4)")
    int turns = 4;

    @Option(names = "--config", paramLabel = "FILE", description = "HOCON config file (engine, adapters)")
    Path config;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE", description = "any setting, e.g. -D asr.engine.name=nemotron")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--server", paramLabel = "URL", description = "send the demo call to this running server "
            + "(e.g. http://localhost:8080) instead of starting one; its captions page shows the call live")
    URI server;

    @Option(names = "--key", paramLabel = "KEY", description = "API key of --server (default: the first of ASR_API_KEYS)")
    String key;

    @Override
    public Integer call() throws Exception {
        if (speed <= 0 || speed > 100) throw new IllegalArgumentException("--speed must be in (0, 100]");
        if (turns < 1) throw new IllegalArgumentException("--turns must be at least 1, got " + turns);
        PrintStream out = System.out;
        List<DemoConversation.Participant> participants = DemoConversation.aliceAndBob(clips, turns);
        String callId = "demo-" + Long.toString(System.currentTimeMillis(), 36);
        if (server != null) {
            if (!server.getScheme().matches("https?")) throw new IllegalArgumentException("--server must be an http(s):// URL");
            String apiKey = key != null ? key : firstEnvKey();
            return demo(out, server, apiKey, callId, participants, "the server at " + server);
        }
        Map<String, Object> flags = new LinkedHashMap<>(settings);
        flags.put("asr.server.port", port);
        flags.putIfAbsent("asr.server.host", "127.0.0.1");
        flags.put("asr.media.rtp.port-min", 0);
        flags.put("asr.media.rtp.port-max", 0);
        flags.put("asr.media.audiosocket.port", 0);
        flags.put("asr.riva.enabled", false);
        // the demo call needs no hosted API (and so writes no store under data/)
        flags.putIfAbsent("asr.api.enabled", false);
        ServerConfig serverConfig = ServerConfig.from(ConfigLoader.load(config, System.getenv(), flags));
        try (AsrServer local = AsrServer.start(serverConfig)) {
            // The console is for captions: the in-process server logs warnings only (ASR_DEBUG=1 keeps everything).
            if (System.getenv("ASR_DEBUG") == null) ServerLogLevel.warningsOnly();
            String apiKey = serverConfig.apiKeys().isEmpty() ? null : serverConfig.apiKeys().get(0);
            return demo(out, local.baseUri(), apiKey, callId, participants, "a server on " + local.baseUri()
                    + ", engine " + local.calls().engines().defaultEngine().name() + " (its log: warnings only)");
        }
    }

    private int demo(PrintStream out, URI base, String apiKey, String callId,
                     List<DemoConversation.Participant> participants, String where) throws Exception {
        out.println();
        out.println("streamasr demo: " + where);
        out.println("  captions page (while the call runs): " + base + "/?call=" + callId);
        out.println("  a Jitsi bridge connects to " + base.toString().replaceFirst("^http", "ws")
                + "/mediajson/" + callId + " and sends Alice's and Bob's audio as stereo Opus;");
        out.println("  a caption subscriber prints what it receives (~ partial, then the final line):");
        out.println();
        CaptionPrinter printer = new CaptionPrinter(new java.io.PrintWriter(out, true), System.console() != null);
        DemoCall.Result result = DemoCall.run(base, apiKey, callId, participants, speed, printer::print);
        printer.endLine();
        summary(out, participants, result);
        return result.transcripts().isEmpty() ? 1 : 0;
    }

    private static String firstEnvKey() {
        String keys = System.getenv("ASR_API_KEYS");
        if (keys == null || keys.isBlank()) return null;
        return keys.split(",")[0].trim();
    }

    private static void summary(PrintStream out, List<DemoConversation.Participant> participants,
                                DemoCall.Result r) {
        out.println();
        out.println("Summary of call " + r.callId() + " (captions stream closed: " + r.closeReason() + ")");
        int errors = 0;
        int words = 0;
        for (DemoConversation.Participant p : participants) {
            String heard = r.transcripts().getOrDefault(p.name(), "");
            int e = WordErrors.errors(p.reference(), heard);
            int n = WordErrors.words(p.reference()).size();
            errors += e;
            words += n;
            out.printf(Locale.ROOT, "  %-5s said:       %s%n", p.name(), p.reference());
            out.printf(Locale.ROOT, "  %-5s recognised: %s%n", "", heard.isEmpty() ? "(nothing)" : heard);
            out.printf(Locale.ROOT, "  %-5s word error rate %.0f%% (%d of %d words)%n", "", 100.0 * e / Math.max(1, n),
                    e, n);
        }
        out.printf(Locale.ROOT, "  %d partials and %d finals reached the caption subscriber; %d transcription-result "
                + "messages went back to the bridge; overall word error rate %.0f%%%n", r.partials(), r.finals(),
                r.resultsToBridge(), 100.0 * errors / Math.max(1, words));
    }
}
