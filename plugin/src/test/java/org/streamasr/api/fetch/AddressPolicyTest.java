package org.streamasr.api.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressPolicyTest {
    private final AddressPolicy strict = new AddressPolicy(false);
    private final AddressPolicy lenient = new AddressPolicy(true);

    /** Parses without DNS, keeping IPv4-mapped IPv6 addresses as 16 bytes (InetAddress would turn them into IPv4). */
    private static InetAddress addr(String literal) throws Exception {
        InetAddress a = InetAddress.getByName(literal);
        if (literal.contains(":") && a.getAddress().length == 4) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(a.getAddress(), 0, mapped, 12, 4);
            return Inet6Address.getByAddress(null, mapped, null);
        }
        return a;
    }

    @ParameterizedTest
    @CsvSource({
            "127.0.0.1, loopback", "127.255.0.9, loopback", "10.0.0.1, private", "172.16.0.1, private",
            "172.31.255.255, private", "192.168.1.1, private", "100.64.0.1, carrier-grade NAT",
            "100.127.255.254, carrier-grade NAT", "169.254.1.1, link-local", "0.0.0.0, unspecified",
            "0.1.2.3, unspecified", "224.0.0.1, multicast", "239.255.255.250, multicast", "255.255.255.255, broadcast",
            "240.0.0.1, reserved", "169.254.169.254, metadata", "169.254.170.2, metadata", "100.100.100.200, metadata",
            "192.0.0.192, metadata", "192.0.2.1, documentation", "198.18.0.1, benchmarking",
            "::1, loopback", "::, unspecified", "fe80::1, link-local", "fc00::1, unique-local", "fd12:3456::1, unique-local",
            "fec0::1, site-local", "ff02::1, multicast", "::ffff:127.0.0.1, loopback address (IPv4-mapped)",
            "::ffff:169.254.169.254, metadata address (IPv4-mapped)", "::ffff:10.0.0.1, private address (IPv4-mapped)",
            "::127.0.0.1, IPv4-compatible", "::10.1.1.1, IPv4-compatible", "64:ff9b::7f00:1, NAT64",
            "64:ff9b::a9fe:a9fe, NAT64", "64:ff9b:1::1, local-use NAT64", "2002:7f00:1::, 6to4", "2002:a00:1::1, 6to4",
            "2001::1, Teredo", "2001:db8::1, documentation", "fd00:ec2::254, metadata", "100::1, discard"})
    void refusesNonPublicAddresses(String literal, String why) throws Exception {
        String reason = strict.refusal(addr(literal));
        assertNotNull(reason, literal + " must be refused");
        assertTrue(reason.contains(why), literal + ": " + reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "93.184.216.34", "172.32.0.1", "100.128.0.1", "2606:4700::1111",
            "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8", "2002:808:808::1", "64:ff9b::808:808"})
    void allowsPublicAddresses(String literal) throws Exception {
        assertNull(strict.refusal(addr(literal)), literal);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.0.0.1", "192.168.0.10", "100.64.1.1", "169.254.10.10", "::1", "fd00::1",
            "fe80::1", "::ffff:127.0.0.1"})
    void theSwitchAllowsPrivateAddresses(String literal) throws Exception {
        assertNull(lenient.refusal(addr(literal)), literal);
    }

    @ParameterizedTest
    @ValueSource(strings = {"169.254.169.254", "fd00:ec2::254", "::ffff:169.254.169.254", "0.0.0.0", "::", "224.0.0.1",
            "ff02::1", "100.100.100.200"})
    void theSwitchNeverAllowsMetadataUnspecifiedOrMulticast(String literal) throws Exception {
        assertNotNull(lenient.refusal(addr(literal)), literal);
    }

    @org.junit.jupiter.api.Test
    void mappedFormsAreJudgedByTheEmbeddedAddress() throws Exception {
        assertEquals(strict.refusal(addr("127.0.0.1")) + " (IPv4-mapped)", strict.refusal(addr("::ffff:127.0.0.1")));
    }
}
