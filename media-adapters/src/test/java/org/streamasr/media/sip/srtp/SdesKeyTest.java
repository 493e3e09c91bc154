package org.streamasr.media.sip.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class SdesKeyTest {

    @Test
    void readsAnRfc4568Line() throws Exception {
        // RFC 4568 section 9.1's example key
        SdesKey k = SdesKey.parse("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20");
        assertEquals(1, k.tag());
        assertEquals(SrtpSuite.AES_CM_128_HMAC_SHA1_80, k.suite());
        assertArrayEquals(HexFormat.of().parseHex("3d2d6e40255e7821426a75667239293f"), k.masterKey());
        assertEquals(14, k.masterSalt().length);
    }

    @Test
    void refusesWhatWeCannotHonour() {
        assertThrows(UnsupportedCryptoException.class, () -> SdesKey.parse("1 AES_256_CM_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBRPS1uQCVeeCFCanVmcjkpPw=="));
        assertThrows(UnsupportedCryptoException.class, () -> SdesKey.parse("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4"));
        assertThrows(UnsupportedCryptoException.class, () -> SdesKey.parse("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR UNENCRYPTED_SRTP"));
        assertThrows(UnsupportedCryptoException.class, () -> SdesKey.parse("1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ="));
        assertThrows(UnsupportedCryptoException.class, () -> SdesKey.parse("x AES_CM_128_HMAC_SHA1_80 inline:!!"));
        assertThrows(UnsupportedCryptoException.class, () -> SdesKey.parse("garbage"));
    }

    @Test
    void generatedKeysAreFreshAndNeverPrinted() {
        SecureRandom r = new SecureRandom();
        SdesKey a = SdesKey.generate(3, SrtpSuite.AES_CM_128_HMAC_SHA1_32, r);
        SdesKey b = SdesKey.generate(3, SrtpSuite.AES_CM_128_HMAC_SHA1_32, r);
        assertFalse(a.equals(b));
        assertTrue(a.toAttributeValue().startsWith("3 AES_CM_128_HMAC_SHA1_32 inline:"));
        assertFalse(a.toString().contains("inline"));
    }
}
