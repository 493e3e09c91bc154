package org.streamasr.media.fork;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The source addresses an AudioSocket connection may come from (AudioSocket carries no credential): addresses or
 * CIDR blocks, "10.0.0.0/8", "192.0.2.7", "fd00::/8". Literal addresses only: no name is looked up.
 */
public final class AllowedSources implements Predicate<InetAddress> {
    private record Block(byte[] network, int prefix) {
    }

    private final List<Block> blocks = new ArrayList<>();

    /** @throws IllegalArgumentException naming an entry that is not an address or CIDR block */
    public AllowedSources(List<String> entries) {
        for (String e : entries) {
            String s = e.trim();
            int slash = s.indexOf('/');
            String addr = slash < 0 ? s : s.substring(0, slash);
            if (!addr.matches("[0-9a-fA-F:.]+")) throw new IllegalArgumentException("not an IP address or CIDR block: '" + e + "'");
            byte[] net;
            try {
                net = InetAddress.getByName(addr).getAddress();
            } catch (UnknownHostException ex) {
                throw new IllegalArgumentException("not an IP address or CIDR block: '" + e + "'");
            }
            int prefix = slash < 0 ? net.length * 8 : Integer.parseInt(s.substring(slash + 1));
            if (prefix < 0 || prefix > net.length * 8) throw new IllegalArgumentException("bad prefix length in '" + e + "'");
            blocks.add(new Block(net, prefix));
        }
    }

    @Override
    public boolean test(InetAddress address) {
        byte[] a = address.getAddress();
        for (Block b : blocks) {
            if (b.network().length == a.length && samePrefix(a, b.network(), b.prefix())) return true;
        }
        return false;
    }

    private static boolean samePrefix(byte[] a, byte[] n, int bits) {
        int full = bits / 8;
        for (int i = 0; i < full; i++) if (a[i] != n[i]) return false;
        int rest = bits % 8;
        if (rest == 0) return true;
        int mask = 0xff << (8 - rest) & 0xff;
        return (a[full] & mask) == (n[full] & mask);
    }
}
