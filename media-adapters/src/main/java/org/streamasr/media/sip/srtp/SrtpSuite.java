package org.streamasr.media.sip.srtp;

import org.jitsi.srtp.SrtpPolicy;

/** The SDES crypto suites this gateway accepts (RFC 4568 section 6.2): AES counter mode with HMAC-SHA1. */
public enum SrtpSuite {
    AES_CM_128_HMAC_SHA1_80(10),
    AES_CM_128_HMAC_SHA1_32(4);

    static final int MASTER_KEY_BYTES = 16;
    static final int MASTER_SALT_BYTES = 14;
    private static final int AUTH_KEY_BYTES = 20;
    /** SRTCP always carries an 80-bit tag, also with the _32 suite (RFC 4568 section 6.2.2). */
    private static final int SRTCP_TAG_BYTES = 10;

    private final int srtpTagBytes;

    SrtpSuite(int srtpTagBytes) {
        this.srtpTagBytes = srtpTagBytes;
    }

    public int srtpTagBytes() {
        return srtpTagBytes;
    }

    /** The suite with this SDP name, or {@code null} when it is not one we support. */
    public static SrtpSuite byName(String name) {
        for (SrtpSuite s : values()) if (s.name().equals(name)) return s;
        return null;
    }

    SrtpPolicy srtpPolicy() {
        return new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, MASTER_KEY_BYTES, SrtpPolicy.HMACSHA1_AUTHENTICATION,
                AUTH_KEY_BYTES, srtpTagBytes, MASTER_SALT_BYTES);
    }

    SrtpPolicy srtcpPolicy() {
        return new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, MASTER_KEY_BYTES, SrtpPolicy.HMACSHA1_AUTHENTICATION,
                AUTH_KEY_BYTES, SRTCP_TAG_BYTES, MASTER_SALT_BYTES);
    }
}
