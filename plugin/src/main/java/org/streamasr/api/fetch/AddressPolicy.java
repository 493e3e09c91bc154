package org.streamasr.api.fetch;

import java.net.InetAddress;

/**
 * Which addresses the server may connect to for a client-supplied URL (audio_url, webhook URL): the server-side
 * request forgery rules. Decided on the raw address bytes, after DNS resolution, for every resolved address; IPv6
 * forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by the embedded address.
 *
 * <p>Always refused: unspecified, multicast, broadcast/reserved, documentation and benchmarking ranges, Teredo, and
 * the cloud metadata endpoints. Refused unless {@code allowPrivate}: loopback, RFC 1918 private, CGNAT (100.64/10),
 * link-local, IPv6 unique-local and site-local.
 */
public final class AddressPolicy {
    private final boolean allowPrivate;

    public AddressPolicy(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** Null when {@code address} may be contacted, else why not ("a loopback address"). */
    public String refusal(InetAddress address) {
        byte[] b = address.getAddress();
        return b.length == 4 ? refusalV4(b) : refusalV6(b);
    }

    private String refusalV4(byte[] b) {
        int a0 = b[0] & 0xff, a1 = b[1] & 0xff, a2 = b[2] & 0xff, a3 = b[3] & 0xff;
        // cloud metadata services: AWS/GCP/Azure/OpenStack, AWS ECS task metadata, Alibaba, Oracle
        if ((a0 == 169 && a1 == 254 && a2 == 169 && a3 == 254) || (a0 == 169 && a1 == 254 && a2 == 170 && a3 == 2)
                || (a0 == 100 && a1 == 100 && a2 == 100 && a3 == 200) || (a0 == 192 && a1 == 0 && a2 == 0 && a3 == 192)) {
            return "a cloud metadata address";
        }
        if (a0 == 0) return "an unspecified address";
        if (a0 >= 224 && a0 <= 239) return "a multicast address";
        if (a0 >= 240) return "a reserved or broadcast address";
        if (a0 == 192 && a1 == 0 && a2 == 0) return "an IETF protocol assignment address";
        if ((a0 == 192 && a1 == 0 && a2 == 2) || (a0 == 198 && a1 == 51 && a2 == 100) || (a0 == 203 && a1 == 0 && a2 == 113)) {
            return "a documentation address";
        }
        if (a0 == 198 && (a1 == 18 || a1 == 19)) return "a benchmarking address";
        if (allowPrivate) return null;
        if (a0 == 127) return "a loopback address";
        if (a0 == 10 || (a0 == 172 && a1 >= 16 && a1 <= 31) || (a0 == 192 && a1 == 168)) return "a private address";
        if (a0 == 100 && a1 >= 64 && a1 <= 127) return "a carrier-grade NAT address";
        if (a0 == 169 && a1 == 254) return "a link-local address";
        return null;
    }

    private String refusalV6(byte[] b) {
        if (isZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return embedded(b, 12, "IPv4-mapped");
        }
        if (isZero(b, 0, 12)) {
            if (isZero(b, 12, 15) && b[15] == 0) return "an unspecified address";
            if (isZero(b, 12, 15) && b[15] == 1) return allowPrivate ? null : "a loopback address";
            return embedded(b, 12, "IPv4-compatible");
        }
        int w0 = word(b, 0), w1 = word(b, 2);
        if (w0 == 0x64 && w1 == 0xff9b && isZero(b, 4, 12)) return embedded(b, 12, "NAT64");
        if (w0 == 0x64 && w1 == 0xff9b) return "a local-use NAT64 address";
        if (w0 == 0x2002) return embedded(b, 2, "6to4");
        if (w0 == 0x2001 && w1 == 0) return "a Teredo address";
        if (w0 == 0x2001 && w1 == 0x0db8) return "a documentation address";
        if (w0 == 0x0100 && isZero(b, 2, 8)) return "a discard-only address";
        if ((b[0] & 0xff) == 0xff) return "a multicast address";
        if (w0 == 0xfd00 && w1 == 0x0ec2 && isZero(b, 4, 14) && word(b, 14) == 0x0254) {
            return "a cloud metadata address";
        }
        if (allowPrivate) return null;
        if ((b[0] & 0xfe) == 0xfc) return "a unique-local (private) address";
        if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80) return "a link-local address";
        if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) return "a site-local address";
        return null;
    }

    private String embedded(byte[] b, int offset, String form) {
        byte[] v4 = {b[offset], b[offset + 1], b[offset + 2], b[offset + 3]};
        String why = refusalV4(v4);
        return why == null ? null : why + " (" + form + ")";
    }

    private static int word(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    private static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] != 0) return false;
        return true;
    }
}
