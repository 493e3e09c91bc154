package org.streamasr.media.fork;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Settings of the Asterisk AudioSocket TCP server.
 *
 * @param host            address to listen on
 * @param port            TCP port; 0 picks a free one (tests)
 * @param kindRates       sample rate of each audio message kind. Asterisk's {@code 0x10} is 8 kHz signed linear;
 *                        newer Asterisk adds kinds for higher rates ({@code 0x11} 12 kHz ... {@code 0x16} 48 kHz,
 *                        {@code 0x17} 96 kHz, {@code 0x18} 192 kHz, as in docs.asterisk.org and res_audiosocket.h),
 *                        and some versions send {@code 0x10} whatever the channel format: set this to what yours sends
 * @param maxPayloadBytes longest message accepted; a longer length field is a broken stream and closes the connection
 * @param idleTimeout     a connection that sends nothing for this long is closed; {@link Duration#ZERO} for never
 * @param maxConnections  connections open at once; more are refused
 */
public record AudioSocketConfig(String host, int port, Map<Integer, Integer> kindRates, int maxPayloadBytes,
                                Duration idleTimeout, int maxConnections) {
    public AudioSocketConfig {
        kindRates = Map.copyOf(kindRates);
        for (Map.Entry<Integer, Integer> e : kindRates.entrySet()) {
            int k = e.getKey();
            if (k < 0x10 || k > 0xfe) throw new IllegalArgumentException("audiosocket: audio kinds are 0x10..0xfe, not " + k);
            if (e.getValue() < 8000 || e.getValue() > 192_000) throw new IllegalArgumentException("audiosocket: rate of kind " + k + " out of range");
        }
        if (port < 0 || port > 65535) throw new IllegalArgumentException("audiosocket: port out of range");
        if (maxPayloadBytes < 320 || maxPayloadBytes > 65535) throw new IllegalArgumentException("audiosocket: max-payload-bytes must be 320..65535");
        if (idleTimeout == null || idleTimeout.isNegative()) throw new IllegalArgumentException("audiosocket: idle-timeout must be >= 0");
        if (maxConnections < 1) throw new IllegalArgumentException("audiosocket: max-connections must be >= 1");
    }

    /** Asterisk's kinds: 0x10 8 kHz, 0x11 12, 0x12 16, 0x13 24, 0x14 32, 0x15 44.1, 0x16 48, 0x17 96, 0x18 192 kHz. */
    public static Map<Integer, Integer> asteriskDocsKinds() {
        Map<Integer, Integer> m = new TreeMap<>();
        m.put(0x10, 8000);
        m.put(0x11, 12_000);
        m.put(0x12, 16_000);
        m.put(0x13, 24_000);
        m.put(0x14, 32_000);
        m.put(0x15, 44_100);
        m.put(0x16, 48_000);
        m.put(0x17, 96_000);
        m.put(0x18, 192_000);
        return m;
    }

    /** All interfaces, port 9092, the documented kinds, 8 KiB messages, 60 s idle, 1000 connections. */
    public static AudioSocketConfig defaults() {
        return new AudioSocketConfig("0.0.0.0", 9092, asteriskDocsKinds(), 8192, Duration.ofSeconds(60), 1000);
    }

    public AudioSocketConfig withPort(int newPort) {
        return new AudioSocketConfig(host, newPort, kindRates, maxPayloadBytes, idleTimeout, maxConnections);
    }
}
