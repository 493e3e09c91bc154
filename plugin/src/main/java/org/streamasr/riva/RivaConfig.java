package org.streamasr.riva;

import java.util.List;
import java.util.Set;

/**
 * The asr.riva section (config/reference.conf documents each key).
 *
 * @param enabled          serve the Riva gRPC API at all
 * @param host             interface to bind
 * @param port             TCP port (0 picks a free one)
 * @param keys             keys accepted in {@code authorization: Bearer KEY} metadata
 * @param open             serve without a key when none is configured (a trusted network, as Riva itself does)
 * @param maxMessageBytes  largest request message (a whole file in Recognize)
 * @param threads          threads that run the service's handlers (parse, check, hand audio on)
 */
public record RivaConfig(boolean enabled, String host, int port, Set<String> keys, boolean open, int maxMessageBytes,
                         int threads) {

    public RivaConfig {
        keys = Set.copyOf(keys);
    }

    /** True when requests need no key: none is configured and {@code open} is set. */
    public boolean openWithoutKeys() {
        return open && keys.isEmpty();
    }

    public static RivaConfig of(boolean enabled, String host, int port, List<String> keys, boolean open,
                                int maxMessageBytes, int threads) {
        return new RivaConfig(enabled, host, port, Set.copyOf(keys), open, maxMessageBytes, threads);
    }
}
