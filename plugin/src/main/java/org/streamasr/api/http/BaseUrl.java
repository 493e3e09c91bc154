package org.streamasr.api.http;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The absolute base URL for links we hand out: the configured public base URL, or else the one the client used
 * (X-Forwarded-Proto/-Host or Forwarded when trusted, else the Host header).
 */
final class BaseUrl {
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?");

    private BaseUrl() {
    }

    static String of(HttpExchange ex, URI configured, boolean trustForwarded) {
        if (configured != null) return configured.toString();
        String scheme = ex.request.getScheme();
        String host = ex.header("Host");
        if (trustForwarded) {
            String fProto = first(ex.header("X-Forwarded-Proto"));
            String fHost = first(ex.header("X-Forwarded-Host"));
            String forwarded = ex.header("Forwarded");
            if (forwarded != null) {
                for (String part : first(forwarded).split(";")) {
                    String[] kv = part.trim().split("=", 2);
                    if (kv.length != 2) continue;
                    String v = kv[1].trim().replace("\"", "");
                    if (kv[0].trim().equalsIgnoreCase("proto") && fProto == null) fProto = v;
                    if (kv[0].trim().equalsIgnoreCase("host") && fHost == null) fHost = v;
                }
            }
            if (fProto != null && (fProto.equalsIgnoreCase("http") || fProto.equalsIgnoreCase("https"))) {
                scheme = fProto.toLowerCase(Locale.ROOT);
            }
            if (fHost != null && HOST.matcher(fHost).matches()) host = fHost;
        }
        if (host == null || !HOST.matcher(host).matches()) {
            host = ex.request.getLocalAddr() + ":" + ex.request.getLocalPort();
            if (host.indexOf(':') != host.lastIndexOf(':')) {
                host = "[" + ex.request.getLocalAddr() + "]:" + ex.request.getLocalPort();
            }
        }
        return scheme + "://" + host;
    }

    private static String first(String v) {
        if (v == null) return null;
        int comma = v.indexOf(',');
        String f = (comma >= 0 ? v.substring(0, comma) : v).trim();
        return f.isEmpty() ? null : f;
    }
}
