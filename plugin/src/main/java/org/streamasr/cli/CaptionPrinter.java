package org.streamasr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Locale;

/** Prints caption events: on a terminal partials overwrite one line; elsewhere each event is a line. */
public final class CaptionPrinter {
    private final PrintWriter out;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private boolean partialShown;

    public CaptionPrinter(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    public synchronized void print(JsonNode e) {
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

    public synchronized void endLine() {
        if (terminal && partialShown) out.println();
    }
}
