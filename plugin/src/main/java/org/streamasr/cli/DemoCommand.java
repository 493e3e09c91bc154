package org.streamasr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.streamasr.demo.DemoCall;
import org.streamasr.demo.DemoConversation;
import org.streamasr.demo.WordErrors;
import org.streamasr.server.AsrServer;
import org.streamasr.server.ConfigLoader;
import org.streamasr.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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

    @Override
    public Integer call() throws Exception {
        if (speed <= 0 || speed > 100) throw new IllegalArgumentException("--speed must be in (0, 100]");
        if (turns < 1) throw new IllegalArgumentException("--turns must be at least 1, got " + turns);
        PrintStream out = System.out;
        List<DemoConversation.Participant> participants = DemoConversation.aliceAndBob(clips, turns);
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
        String callId = "demo-" + Long.toString(System.currentTimeMillis(), 36);
        try (AsrServer server = AsrServer.start(serverConfig)) {
            out.println();
            out.println("streamasr demo: server on " + server.baseUri() + ", engine "
                    + server.calls().engines().defaultEngine().name());
            out.println("  captions page (while the call runs): " + server.baseUri() + "/?call=" + callId);
            out.println("  a Jitsi bridge connects to " + server.baseUri().toString().replaceFirst("^http", "ws")
                    + "/mediajson/" + callId + " and sends Alice's and Bob's audio as stereo Opus;");
            out.println("  a caption subscriber prints what it receives (~ partial, then the final line):");
            out.println();
            CaptionPrinter printer = new CaptionPrinter(out, System.console() != null);
            String key = serverConfig.apiKeys().isEmpty() ? null : serverConfig.apiKeys().get(0);
            DemoCall.Result result = DemoCall.run(server.baseUri(), key, callId, participants, speed, printer::print);
            printer.endLine();
            summary(out, participants, result);
            return result.transcripts().isEmpty() ? 1 : 0;
        }
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

    /** Prints caption events: on a terminal partials overwrite one line; elsewhere each event is a line. */
    static final class CaptionPrinter {
        private final PrintStream out;
        private final boolean terminal;
        private final long start = System.nanoTime();
        private boolean partialShown;

        CaptionPrinter(PrintStream out, boolean terminal) {
            this.out = out;
            this.terminal = terminal;
        }

        synchronized void print(JsonNode e) {
            String type = e.path("type").asText();
            if (!type.equals("partial") && !type.equals("final")) return;
            String line = String.format(Locale.ROOT, "[%5.1fs] %-5s %s %s", (System.nanoTime() - start) / 1e9,
                    e.path("name").asText(e.path("participant").asText()), type.equals("final") ? ":" : "~",
                    e.path("text").asText());
            if (terminal) {
                out.print("\r\033[K" + (type.equals("final") ? line + "\n" : "\033[90m" + line + "\033[0m"));
                partialShown = type.equals("partial");
            } else {
                out.println(line);
            }
            out.flush();
        }

        synchronized void endLine() {
            if (terminal && partialShown) out.println();
        }
    }
}
