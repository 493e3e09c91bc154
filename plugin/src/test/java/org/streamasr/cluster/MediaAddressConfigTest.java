package org.streamasr.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

/** asr.cluster.media-address ({@code rtpHost}): given, else the RTP bind or server host unless a wildcard. */
class MediaAddressConfigTest {

    private static Config config(String settings) {
        return ConfigFactory.parseString(settings)
                .withFallback(ConfigFactory.parseResources(MediaAddressConfigTest.class.getClassLoader(), "reference.conf"))
                .resolve();
    }

    @Test
    void aGivenAddressIsTakenAsItIs() {
        assertEquals("media.example.org", ClusterConfig.from(config("asr.cluster.media-address = media.example.org"),
                8080).mediaAddress());
    }

    @Test
    void withoutOneTheRtpBindThenTheServerHostAreUsedUnlessTheyAreWildcards() {
        assertEquals("10.1.2.3", ClusterConfig.mediaAddress(config("asr.media.rtp.bind = 10.1.2.3")));
        assertEquals("10.9.9.9", ClusterConfig.mediaAddress(config("asr.server.host = 10.9.9.9")));
        String guessed = ClusterConfig.mediaAddress(config(""));
        assertFalse(guessed.equals("0.0.0.0") || guessed.isBlank(), guessed);
    }

    @Test
    void aBadAddressFailsNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClusterConfig.from(config("asr.cluster.media-address = \"rtp://x y\""), 8080));
        assertTrue(e.getMessage().startsWith("asr.cluster.media-address"), e.getMessage());
    }
}
