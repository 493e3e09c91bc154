package org.streamasr.media.rtp;

import java.util.function.IntConsumer;
import org.streamasr.runtime.DropCounter;

/**
 * Parses RTP headers (RFC 3550 §5.1): fixed header, CSRC list, header extension (RFC 8285 one-byte {@code 0xBEDE}
 * and two-byte {@code 0x100x} forms; other profiles are skipped by their length) and padding. Keeps the RFC 6464
 * audio level when its extension id is configured (from the SDP's {@code a=extmap}, or the API request's
 * {@code rtp.audioLevelExtension}); the decode stage puts it on the frames of the packet's audio.
 *
 * <p>Garbage is a return value: {@link #parse} returns {@code null} after counting one of these reasons on the drop
 * counter: {@code truncated-header}, {@code bad-version}, {@code rtcp} (RTCP multiplexed on the port, RFC 5761: ignored by design,
 * so counted without a log line, and reported by packet type to the listener given),
 * {@code truncated-csrc}, {@code truncated-extension}, {@code bad-extension-length}, {@code bad-extension-element},
 * {@code bad-padding}, {@code empty-payload}, {@code oversized}. It never throws on any input.
 */
public final class RtpParser {
    /** Larger datagrams are not RTP audio (a 120 ms Opus packet at the top bitrate is under 8 kB). */
    public static final int MAX_PACKET = 9_000;
    static final int FIXED_HEADER = 12;

    private final DropCounter drops;
    private final int audioLevelId;
    private final IntConsumer rtcpTypes;

    /**
     * @param audioLevelExtensionId the negotiated id of {@code urn:ietf:params:rtp-hdrext:ssrc-audio-level}
     *                              (1..255), or 0 when none was negotiated
     */
    public RtpParser(DropCounter drops, int audioLevelExtensionId) {
        this(drops, audioLevelExtensionId, type -> { });
    }

    /** @param rtcpTypes told the RTCP packet type (200 SR, 201 RR, 202 SDES, 203 BYE, ...) of each RTCP packet */
    public RtpParser(DropCounter drops, int audioLevelExtensionId, IntConsumer rtcpTypes) {
        if (audioLevelExtensionId < 0 || audioLevelExtensionId > 255) {
            throw new IllegalArgumentException("audio level extension id must be 0..255");
        }
        this.drops = drops;
        this.audioLevelId = audioLevelExtensionId;
        this.rtcpTypes = rtcpTypes;
    }

    /**
     * Parses a datagram the caller hands over ({@code data} becomes the packet's buffer; {@code len} bytes of it are
     * the datagram).
     *
     * @return the packet, or {@code null} when it was dropped (the reason counted)
     */
    /** The RFC 3550/4585/3611 name of an RTCP packet type, for counters ("sr", "rr", "sdes", "bye", ...). */
    public static String rtcpTypeName(int type) {
        return switch (type) {
            case 200 -> "sr";
            case 201 -> "rr";
            case 202 -> "sdes";
            case 203 -> "bye";
            case 204 -> "app";
            case 205 -> "rtpfb";
            case 206 -> "psfb";
            case 207 -> "xr";
            default -> "type-" + type;
        };
    }

    public RtpPacket parse(byte[] data, int len, long arrivalNanos) {
        if (len > MAX_PACKET || len > data.length) return drop("oversized", len + " bytes");
        if (len < FIXED_HEADER) return drop("truncated-header", len + " bytes");
        int b0 = data[0] & 0xff;
        int b1 = data[1] & 0xff;
        if ((b0 >> 6) != 2) return drop("bad-version", "version " + (b0 >> 6));
        int pt = b1 & 0x7f;
        if (pt >= 64 && pt <= 95) {
            drops.dropQuietly("rtcp");
            rtcpTypes.accept(b1);
            return null;
        }
        boolean padding = (b0 & 0x20) != 0;
        boolean extension = (b0 & 0x10) != 0;
        int cc = b0 & 0x0f;
        int pos = FIXED_HEADER + 4 * cc;
        if (pos > len) return drop("truncated-csrc", cc + " CSRCs in " + len + " bytes");
        int level = RtpPacket.NO_AUDIO_LEVEL;
        boolean vad = false;
        if (extension) {
            if (pos + 4 > len) return drop("truncated-extension", "no room for the extension header");
            int profile = u16(data, pos);
            int words = u16(data, pos + 2);
            int start = pos + 4;
            int end = start + 4 * words;
            if (end > len) return drop("bad-extension-length", words + " words in " + (len - start) + " bytes");
            if (profile == 0xBEDE || (profile & 0xfff0) == 0x1000) {
                long found = scanExtensions(data, start, end, profile == 0xBEDE);
                if (found == BAD_ELEMENT) return drop("bad-extension-element", "element overruns the extension block");
                if (found >= 0) {
                    level = (int) (found & 0x7f);
                    vad = (found & 0x80) != 0;
                }
            }
            pos = end;
        }
        int end = len;
        if (padding) {
            int pad = data[len - 1] & 0xff;
            if (pad == 0 || pad > len - pos) return drop("bad-padding", "pad count " + pad);
            end -= pad;
        }
        if (end <= pos) return drop("empty-payload", "no payload after a " + pos + "-byte header");
        return new RtpPacket(data, pos, end - pos, pt, (b1 & 0x80) != 0, u16(data, 2), u32(data, 4), u32(data, 8), cc,
                level, vad, arrivalNanos);
    }

    private static final long BAD_ELEMENT = -2;
    private static final long NOT_FOUND = -1;

    /** Walks RFC 8285 elements; returns the audio level byte, NOT_FOUND, or BAD_ELEMENT. */
    private long scanExtensions(byte[] d, int start, int end, boolean oneByte) {
        long found = NOT_FOUND;
        int i = start;
        while (i < end) {
            int id;
            int length;
            int value;
            if (oneByte) {
                int h = d[i] & 0xff;
                if (h == 0) { // padding
                    i++;
                    continue;
                }
                id = h >> 4;
                if (id == 15) break; // reserved: stop parsing (RFC 8285 §4.2)
                length = (h & 0x0f) + 1;
                value = i + 1;
            } else {
                id = d[i] & 0xff;
                if (id == 0) {
                    i++;
                    continue;
                }
                if (i + 1 >= end) return BAD_ELEMENT;
                length = d[i + 1] & 0xff;
                value = i + 2;
            }
            if (value + length > end) return BAD_ELEMENT;
            if (audioLevelId != 0 && id == audioLevelId && length >= 1) found = d[value] & 0xff;
            i = value + length;
        }
        return found;
    }

    private RtpPacket drop(String reason, String detail) {
        drops.drop(reason, detail);
        return null;
    }

    static int u16(byte[] d, int i) {
        return ((d[i] & 0xff) << 8) | (d[i + 1] & 0xff);
    }

    static long u32(byte[] d, int i) {
        return ((long) (d[i] & 0xff) << 24) | ((d[i + 1] & 0xff) << 16) | ((d[i + 2] & 0xff) << 8) | (d[i + 3] & 0xff);
    }
}
