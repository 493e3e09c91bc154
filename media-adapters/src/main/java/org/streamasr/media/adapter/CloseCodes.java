package org.streamasr.media.adapter;

/** RFC 6455 close codes the adapters use (kept here so the socket-free sessions need no WebSocket API). */
public final class CloseCodes {
    public static final int NORMAL = 1000;
    public static final int GOING_AWAY = 1001;
    public static final int PROTOCOL_ERROR = 1002;
    public static final int UNSUPPORTED_DATA = 1003;
    public static final int INVALID_PAYLOAD = 1007;
    public static final int POLICY_VIOLATION = 1008;
    public static final int TOO_BIG = 1009;
    public static final int INTERNAL_ERROR = 1011;
    public static final int TRY_AGAIN_LATER = 1013;

    private CloseCodes() {
    }

    /** A close reason must fit a control frame (123 bytes of UTF-8); longer reasons are cut. */
    public static String fitReason(String reason) {
        if (reason == null) return "";
        byte[] utf8 = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (utf8.length <= 123) return reason;
        String cut = reason;
        while (cut.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 120) cut = cut.substring(0, cut.length() - 1);
        return cut + "...";
    }
}
