package org.streamasr.media.sip;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** Which peers may call: a list of addresses and CIDR blocks (IPv4 and IPv6); an empty list admits everyone. */
public final class SourceFilter {
    private final List<byte[]> networks = new ArrayList<>();
    private final List<Integer> prefixes = new ArrayList<>();

    /**
     * @param cidrs entries such as "10.0.0.0/8", "192.0.2.7", "2001:db8::/32"
     * @throws IllegalArgumentException naming the entry that is not an address or CIDR block
     */
    public SourceFilter(List<String> cidrs) {
        for (String entry : cidrs) {
            String e = entry.trim();
            int slash = e.indexOf('/');
            String host = slash < 0 ? e : e.substring(0, slash);
            if (!host.matches("[0-9a-fA-F:.]+")) throw new IllegalArgumentException("not an IP address or CIDR block: " + entry);
            byte[] addr;
            try {
                addr = InetAddress.getByName(host).getAddress();
            } catch (UnknownHostException ex) {
                throw new IllegalArgumentException("not an IP address or CIDR block: " + entry);
            }
            int prefix;
            try {
                prefix = slash < 0 ? addr.length * 8 : Integer.parseInt(e.substring(slash + 1));
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("bad prefix length in " + entry);
            }
            if (prefix < 0 || prefix > addr.length * 8) throw new IllegalArgumentException("bad prefix length in " + entry);
            networks.add(addr);
            prefixes.add(prefix);
        }
    }

    public boolean admitsEveryone() {
        return networks.isEmpty();
    }

    public boolean admits(InetAddress source) {
        if (networks.isEmpty()) return true;
        if (source == null) return false;
        byte[] a = source.getAddress();
        for (int i = 0; i < networks.size(); i++) {
            byte[] n = networks.get(i);
            if (n.length == a.length && matches(a, n, prefixes.get(i))) return true;
        }
        return false;
    }

    private static boolean matches(byte[] a, byte[] net, int prefix) {
        int full = prefix / 8;
        for (int i = 0; i < full; i++) if (a[i] != net[i]) return false;
        int rest = prefix % 8;
        if (rest == 0) return true;
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (net[full] & mask);
    }
}
