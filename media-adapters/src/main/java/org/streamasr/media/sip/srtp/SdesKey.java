package org.streamasr.media.sip.srtp;

import ch.imvs.sdes4j.srtp.SrtpCryptoAttribute;
import ch.imvs.sdes4j.srtp.SrtpCryptoSuite;
import ch.imvs.sdes4j.srtp.SrtpKeyParam;
import ch.imvs.sdes4j.srtp.SrtpSessionParam;
import ch.imvs.sdes4j.srtp.WshSessionParam;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The SRTP master key of one direction of one stream, as exchanged in an SDES {@code a=crypto} attribute
 * (RFC 4568). Parsing and encoding go through sdes4j (brought by libjitsi); this class decides what we accept.
 *
 * @param tag       the attribute's tag, echoed in the answer
 * @param suite     the crypto suite
 * @param masterKey 16 bytes
 * @param masterSalt 14 bytes
 */
public record SdesKey(int tag, SrtpSuite suite, byte[] masterKey, byte[] masterSalt) {

    public SdesKey {
        if (masterKey.length != SrtpSuite.MASTER_KEY_BYTES || masterSalt.length != SrtpSuite.MASTER_SALT_BYTES) {
            throw new IllegalArgumentException("AES-128 SRTP needs a 16-byte key and a 14-byte salt");
        }
        masterKey = masterKey.clone();
        masterSalt = masterSalt.clone();
    }

    /**
     * Reads the value of an {@code a=crypto} attribute ("1 AES_CM_128_HMAC_SHA1_80 inline:...").
     *
     * @throws UnsupportedCryptoException when the line is malformed or needs a suite, several keys, an MKI, or a
     *                                    session parameter we cannot honour
     */
    public static SdesKey parse(String attributeValue) throws UnsupportedCryptoException {
        SrtpCryptoAttribute attr;
        try {
            attr = SrtpCryptoAttribute.create(attributeValue.trim());
        } catch (RuntimeException e) {
            throw new UnsupportedCryptoException("malformed crypto attribute (" + e.getMessage() + ")");
        }
        SrtpCryptoSuite cs = attr.getCryptoSuite();
        SrtpSuite suite = cs == null ? null : SrtpSuite.byName(cs.encode());
        if (suite == null) throw new UnsupportedCryptoException("unsupported crypto suite " + (cs == null ? "?" : cs.encode()));
        SrtpKeyParam[] keys = attr.getKeyParams();
        if (keys == null || keys.length != 1) throw new UnsupportedCryptoException("exactly one key is supported");
        SrtpKeyParam key = keys[0];
        if (!SrtpKeyParam.KEYMETHOD_INLINE.equals(key.getKeyMethod())) throw new UnsupportedCryptoException("only inline keys are supported");
        if (key.getMkiLength() != 0) throw new UnsupportedCryptoException("MKI is not supported");
        byte[] material = key.getKey();
        if (material == null || material.length != SrtpSuite.MASTER_KEY_BYTES + SrtpSuite.MASTER_SALT_BYTES) {
            throw new UnsupportedCryptoException("key material must be 30 bytes for " + suite);
        }
        SrtpSessionParam[] params = attr.getSessionParams();
        if (params != null) {
            for (SrtpSessionParam p : params) {
                // a window-size hint changes nothing for a receiver; every other parameter changes the transform
                if (!(p instanceof WshSessionParam)) throw new UnsupportedCryptoException("unsupported session parameter " + p.encode());
            }
        }
        return new SdesKey(attr.getTag(), suite,
                Arrays.copyOfRange(material, 0, SrtpSuite.MASTER_KEY_BYTES),
                Arrays.copyOfRange(material, SrtpSuite.MASTER_KEY_BYTES, material.length));
    }

    /** A fresh random key for our side of a stream, answering an offered key with the same tag and suite. */
    public static SdesKey generate(int tag, SrtpSuite suite, SecureRandom random) {
        byte[] key = new byte[SrtpSuite.MASTER_KEY_BYTES];
        byte[] salt = new byte[SrtpSuite.MASTER_SALT_BYTES];
        random.nextBytes(key);
        random.nextBytes(salt);
        return new SdesKey(tag, suite, key, salt);
    }

    /** The value of the {@code a=crypto} attribute that carries this key. */
    public String toAttributeValue() {
        byte[] material = new byte[SrtpSuite.MASTER_KEY_BYTES + SrtpSuite.MASTER_SALT_BYTES];
        System.arraycopy(masterKey, 0, material, 0, masterKey.length);
        System.arraycopy(masterSalt, 0, material, masterKey.length, masterSalt.length);
        SrtpKeyParam key = new SrtpKeyParam(SrtpKeyParam.KEYMETHOD_INLINE, material, 0, 0, 0);
        return new SrtpCryptoAttribute(tag, new SrtpCryptoSuite(suite.name()), new SrtpKeyParam[] {key}, null).encode();
    }

    @Override
    public byte[] masterKey() {
        return masterKey.clone();
    }

    @Override
    public byte[] masterSalt() {
        return masterSalt.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SdesKey k && k.tag == tag && k.suite == suite
                && Arrays.equals(k.masterKey, masterKey) && Arrays.equals(k.masterSalt, masterSalt);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * tag + suite.hashCode()) + Arrays.hashCode(masterKey);
    }

    /** Never prints key material. */
    @Override
    public String toString() {
        return "SdesKey[tag=" + tag + ", suite=" + suite + "]";
    }
}
