package org.streamasr.media.sip.sdp;

/** Which media transports the gateway accepts: plain RTP, SDES-keyed SRTP, or both. */
public enum SrtpMode {
    /** RTP/AVP(F) and RTP/SAVP(F) with a supported {@code a=crypto} suite. */
    OPTIONAL,
    /** Only RTP/SAVP(F): plain RTP streams are refused. */
    REQUIRED,
    /** Only RTP/AVP(F): SRTP streams are refused. */
    OFF
}
