package org.streamasr.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.util.concurrent.Callable;
import org.streamasr.captions.client.CaptionsClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bin/asr captions URL}: follows one call's captions WebSocket and prints them as the demo does (or as raw JSON
 * lines), until the call ends. Every example in the README uses it, so no separate WebSocket client is needed.
 */
@Command(name = "captions", mixinStandardHelpOptions = true,
        description = {"Prints a call's live captions from its captions WebSocket until the call ends.",
                "URL is the captionsUrl that POST /v1/calls and GET /v1/calls return (ws://HOST:PORT/v1/calls/ID/"
                        + "captions?token=T)."})
public final class CaptionsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URL", description = "the call's captionsUrl")
    URI url;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "print each event as the JSON line the server sent")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (url.getScheme() == null || !url.getScheme().matches("wss?")) {
            throw new IllegalArgumentException("URL must be a ws:// or wss:// captionsUrl, got '" + url + "'");
        }
        PrintWriter out = spec.commandLine().getOut();
        CaptionPrinter printer = new CaptionPrinter(out, System.console() != null);
        try (CaptionsClient client = CaptionsClient.connect(url, e -> {
            if (json) {
                synchronized (out) {
                    out.println(e.toString());
                    out.flush();
                }
            } else {
                printer.print(e);
            }
        })) {
            String reason = client.closed().get();
            printer.endLine();
            spec.commandLine().getErr().println("captions closed: " + reason);
            return 0;
        }
    }
}
