package org.streamasr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamasr.media.wav.WavFile;
import org.streamasr.testing.RecordingListener;
import picocli.CommandLine;

/** {@code bin/asr} as its users meet it: help, mistakes on the command line, and stopping the server. */
class AsrMainTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = AsrMain.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aBadFlagIsOneErrorLineAndWhereTheHelpIs() {
        Run r = run("serve", "--bogus");
        assertEquals(2, r.code());
        assertEquals(List.of("error: Unknown option: '--bogus'", "Try 'asr serve --help' for more information."),
                r.errLines());
        r = run("serve", "--port", "abc");
        assertEquals(2, r.code());
        assertEquals("error: Invalid value for option '--port': 'abc' is not an int", r.errLines().get(0));
        r = run("transcribe");
        assertEquals(2, r.code());
        assertEquals("error: Missing required parameter: 'FILE'", r.errLines().get(0));
        assertFalse(r.err().contains("Usage:"), r.err());
    }

    @Test
    void aMistypedCommandGetsASuggestion() {
        Run r = run("serv");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: Unmatched argument at index 0: 'serv'"), r.err());
        assertTrue(r.err().contains("serve"), r.err());
        assertTrue(r.err().endsWith("Try 'asr --help' for more information." + System.lineSeparator()), r.err());
    }

    @Test
    void aFailingCommandIsOneLineWithoutStackTrace() {
        Run r = run("transcribe", tmp.resolve("missing.wav").toString());
        assertEquals(1, r.code());
        assertEquals(List.of("error: " + tmp.resolve("missing.wav") + ": no such file"), r.errLines());
    }

    @Test
    void aFileErrorSaysWhatHappenedToThePath() throws Exception {
        Path wav = tmp.resolve("tone.wav");
        new WavFile(16_000, 1, new short[16_000]).write(wav);
        Path out = tmp.resolve("no-such-dir/features.npy");
        Run r = run("features", wav.toString(), "--out", out.toString());
        assertEquals(1, r.code());
        assertEquals(List.of("error: " + out + ": no such file or directory"), r.errLines());
    }

    @Test
    void senselessCountsAreRefusedBeforeAnythingRuns() {
        Run r = run("demo", "--turns", "0");
        assertEquals(List.of("error: --turns must be at least 1, got 0"), r.errLines());
        r = run("loadtest", "--calls", "0");
        assertEquals(List.of("error: --calls must be counts of at least 1, got [0]"), r.errLines());
        r = run("loadtest", "--seconds", "0");
        assertEquals(List.of("error: --seconds must be at least 1, got 0"), r.errLines());
    }

    @Test
    void theCommandListShowsEachCommandsWholeFirstSentence() {
        Run r = run("--help");
        assertEquals(0, r.code());
        CommandLine cmd = AsrMain.commandLine();
        for (var e : cmd.getSubcommands().entrySet()) {
            String[] description = e.getValue().getCommandSpec().usageMessage().description();
            assertTrue(description.length > 0 && description[0].endsWith("."),
                    e.getKey() + ": the list shows only the first line, which must be a whole sentence: "
                            + String.join(" | ", description));
        }
    }

    @Test
    void everyCommandNamesItsValuesAlikeAndTakesTheModelDirectoryUnderBothNames() {
        CommandLine cmd = AsrMain.commandLine();
        for (var e : cmd.getSubcommands().entrySet()) {
            for (CommandLine.Model.OptionSpec o : e.getValue().getCommandSpec().options()) {
                if (o.arity().max() == 0) continue;
                String label = o.paramLabel();
                // FILE, DIR, N, en|ml: never picocli's <fieldName>, which says nothing to a user
                assertTrue(!label.contains("<") && (Character.isUpperCase(label.charAt(0)) || label.matches("[a-z|]+")),
                        e.getKey() + " " + o.longestName() + ": value named '" + label + "'");
            }
        }
        for (String command : List.of("serve", "transcribe", "loadtest", "bench-engine", "bench-peer")) {
            var spec = cmd.getSubcommands().get(command).getCommandSpec();
            assertTrue(spec.findOption("--model") != null && spec.findOption("--model-dir") != null, command);
        }
    }

    /** {@code bin/asr serve} in its own JVM: SIGTERM drains it and it exits 0 (systemd and containers see success). */
    @Test
    void serveStopsOnSigtermAndExitsZero() throws Exception {
        Path log = tmp.resolve("serve.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), AsrMain.class.getName(),
                "serve", "--host", "127.0.0.1", "--port", "0", "-D", "asr.media.audiosocket.port=0", "-D", "asr.riva.port=0",
                "-D", "asr.media.rtp.port-min=0", "-D", "asr.media.rtp.port-max=0",
                "-D", "asr.api.store-dir=" + tmp.resolve("api"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            RecordingListener.await(() -> read(log).contains("streamasr serving on") || !p.isAlive(),
                    Duration.ofSeconds(60), "the server to start");
            assertTrue(p.isAlive(), read(log));
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stopped within 30 s: " + read(log));
            assertEquals(0, p.exitValue(), read(log));
            assertTrue(read(log).contains("streamasr stopped"), read(log));
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * {@code serve --sip-port 0} turns the SIP gateway on (asr.sip.enabled is false by default) on a free port; the
     * start-up line names the transports actually listened on (here TCP only, from the config file), and the port
     * answers SIP over TCP.
     */
    @Test
    void serveWithSipPortListensForSipAndNamesOnlyItsTransports() throws Exception {
        Path conf = tmp.resolve("sip-tcp.conf");
        Files.writeString(conf, "asr.sip { bind = \"127.0.0.1\", transports = [\"tcp\"] }\n");
        Path log = tmp.resolve("serve-sip.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), AsrMain.class.getName(),
                "serve", "--config", conf.toString(), "--sip-port", "0", "--host", "127.0.0.1", "--port", "0",
                "-D", "asr.media.audiosocket.port=0", "-D", "asr.riva.port=0", "-D", "asr.media.rtp.port-min=0", "-D", "asr.media.rtp.port-max=0",
                "-D", "asr.api.store-dir=" + tmp.resolve("api"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            RecordingListener.await(() -> read(log).contains("streamasr serving on") || !p.isAlive(),
                    Duration.ofSeconds(60), "the server to start");
            Matcher m = Pattern.compile("SIP on port (\\d+) ([A-Z/]+)\\)").matcher(read(log));
            assertTrue(m.find(), read(log));
            assertEquals("TCP", m.group(2), "only the transport listened on");
            int port = Integer.parseInt(m.group(1));
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                String local = "127.0.0.1:" + s.getLocalPort();
                s.getOutputStream().write(("OPTIONS sip:x@127.0.0.1:" + port + " SIP/2.0\r\nVia: SIP/2.0/TCP " + local
                        + ";branch=z9hG4bKserve1\r\nFrom: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\n"
                        + "Call-ID: serve-sip-port\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                String status = new BufferedReader(new InputStreamReader(s.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                assertEquals("SIP/2.0 200 OK", status);
            }
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }
}
