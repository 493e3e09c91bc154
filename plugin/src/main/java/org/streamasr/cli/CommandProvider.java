package org.streamasr.cli;

import java.util.List;

/**
 * Commands that live outside the server's jar (the tools module's demo, load test, benchmarks and make-test-model),
 * found with {@link java.util.ServiceLoader} so that {@link AsrMain} never names a tool class: {@code bin/asr} puts
 * the tools on the class path and lists their commands after its own; a server-only class path simply has fewer.
 */
public interface CommandProvider {
    /** picocli {@code @Command} classes or instances, in the order {@code asr --help} lists them. */
    List<Object> commands();
}
