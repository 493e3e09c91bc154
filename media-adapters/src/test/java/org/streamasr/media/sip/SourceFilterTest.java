package org.streamasr.media.sip;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class SourceFilterTest {

    @Test
    void matchesAddressesAndBlocksOfBothFamilies() throws Exception {
        SourceFilter f = new SourceFilter(List.of("10.0.0.0/8", "192.0.2.7", "2001:db8::/32", "172.16.0.0/12"));
        assertTrue(f.admits(InetAddress.getByName("10.200.3.4")));
        assertTrue(f.admits(InetAddress.getByName("192.0.2.7")));
        assertFalse(f.admits(InetAddress.getByName("192.0.2.8")));
        assertTrue(f.admits(InetAddress.getByName("172.31.255.1")));
        assertFalse(f.admits(InetAddress.getByName("172.32.0.1")));
        assertTrue(f.admits(InetAddress.getByName("2001:db8:1::5")));
        assertFalse(f.admits(InetAddress.getByName("2001:db9::5")));
        assertFalse(f.admits(null));
        assertTrue(new SourceFilter(List.of()).admits(InetAddress.getByName("203.0.113.9")));
    }

    @Test
    void badEntriesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SourceFilter(List.of("pbx.example.com")));
        assertTrue(e.getMessage().contains("pbx.example.com"));
        assertThrows(IllegalArgumentException.class, () -> new SourceFilter(List.of("10.0.0.0/33")));
        assertThrows(IllegalArgumentException.class, () -> new SourceFilter(List.of("10.0.0.0/x")));
    }
}
