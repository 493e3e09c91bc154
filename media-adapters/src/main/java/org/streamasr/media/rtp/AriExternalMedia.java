package org.streamasr.media.rtp;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.streamasr.media.ParticipantSpec;
import org.streamasr.media.codec.AudioCodec;
import org.streamasr.media.codec.CodecSpec;

/**
 * Asterisk ARI {@code externalMedia} channels ({@code POST /ari/channels/externalMedia?app=…&external_host=HOST:PORT
 * &format=FORMAT&encapsulation=rtp&transport=udp&direction=both}): Asterisk sends the bridged audio as plain RTP, in
 * the one {@code format} asked for, to {@code HOST:PORT}, which is an {@link RtpEndpoint} of ours.
 *
 * <p>{@link #spec} maps the Asterisk format name to our codec settings. The payload type Asterisk puts on the packets
 * comes from its static table ({@code rtp_engine.c}: ulaw 0, alaw 8, g722 9, slin 11, slin16 118, opus 107), but
 * since the format is fixed, any other audio payload type is decoded as the same format too (newer Asterisk versions
 * assign dynamic numbers to the other {@code slinNN} rates). Asterisk's {@code slin} on RTP is L16, big-endian. DTMF
 * ({@code telephone-event}, PT 101) and comfort noise (13, 19) are filtered out.
 *
 * <p>Usage: {@code RtpEndpoint ep = rtp.open(AriExternalMedia.spec("slin16", ParticipantSpec.of("caller")), call,
 * listener)}, then ask ARI for {@link #requestParameters} with {@code ep.localPort()}.
 */
public final class AriExternalMedia {
    /** Asterisk's payload type for {@code telephone-event}. */
    public static final int ASTERISK_DTMF_PT = 101;

    private AriExternalMedia() {
    }

    /** The codec of an Asterisk format name: ulaw, alaw, g722, opus, slin (8 kHz), slin12 … slin192. */
    public static CodecSpec codecFor(String format) {
        String f = format == null ? "" : format.trim().toLowerCase(Locale.ROOT);
        return switch (f) {
            case "ulaw" -> CodecSpec.of(AudioCodec.PCMU);
            case "alaw" -> CodecSpec.of(AudioCodec.PCMA);
            case "g722" -> CodecSpec.of(AudioCodec.G722);
            case "opus" -> CodecSpec.of(AudioCodec.OPUS);
            case "slin" -> CodecSpec.l16(8_000, 1);
            default -> {
                if (f.startsWith("slin")) {
                    int khz = parseKhz(f.substring(4));
                    int rate = khz == 44 ? 44_100 : khz * 1000;
                    if (khz > 0 && rate <= CodecSpec.MAX_RATE) yield CodecSpec.l16(rate, 1);
                }
                throw new IllegalArgumentException("Asterisk format '" + format
                        + "' is not supported for externalMedia (use ulaw, alaw, g722, opus, slin, slin12..slin192)");
            }
        };
    }

    /** Asterisk's static payload type for a format, or -1 when it assigns a dynamic one. */
    public static int asteriskPayloadType(String format) {
        return switch (format.trim().toLowerCase(Locale.ROOT)) {
            case "ulaw" -> 0;
            case "alaw" -> 8;
            case "g722" -> 9;
            case "slin" -> 11;
            case "slin16" -> 118;
            case "opus" -> 107;
            default -> -1;
        };
    }

    /** The endpoint spec for one externalMedia channel of {@code format}, whose audio is {@code participant}. */
    public static RtpEndpointSpec spec(String format, ParticipantSpec participant) {
        CodecSpec codec = codecFor(format);
        PayloadTypeMap.Builder types = PayloadTypeMap.builder()
                .telephoneEvent(ASTERISK_DTMF_PT)
                .comfortNoise(19)
                .otherwise(codec);
        int pt = asteriskPayloadType(format);
        if (pt >= 0) types.audio(pt, codec);
        return RtpEndpointSpec.of(types.build()).withParticipants(ParticipantResolver.single(participant));
    }

    /** The query parameters of the ARI request that points Asterisk at {@code host:port}. */
    public static Map<String, String> requestParameters(String app, String host, int port, String format) {
        codecFor(format);
        Map<String, String> q = new LinkedHashMap<>();
        q.put("app", app);
        q.put("external_host", (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
        q.put("format", format);
        q.put("encapsulation", "rtp");
        q.put("transport", "udp");
        q.put("direction", "both");
        return q;
    }

    private static int parseKhz(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
